#!/bin/sh
# Placeholder until integration tests land.
echo "0 passed, 0 failed"
