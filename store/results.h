/*
 * results.h: result files kept in data_dir after their run, so a failed
 * upload can be sent again (`resend`) without a new query.
 *
 * Interface only for now (issue 12): the keeping itself ([output]
 * keep_hours, the files and their clean-up) is another change, which
 * replaces store/results.c. Until then no file is kept.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include "common.h"

/* The kept result of run run_id in data_dir: 0 with *path (the file) and
 * *name (the file name to upload it as), both the caller's; -1 with
 * *cause, for the person, when none is kept. */
int results_find(const char *data_dir, int64_t run_id, char **path, char **name, char **cause);

#endif
