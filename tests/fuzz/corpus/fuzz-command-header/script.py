#!/usr/bin/python3
# summary: s
# param: month month=last m
# param: ids list=a,b ids
# env: AWS_PROFILE
import sys
