/*
 * results.h: result files kept in data_dir for [output] keep_hours, so a
 * failed upload can be sent again (`resend RUN_ID`) without a new query.
 *
 * One folder per run, DATA_DIR/results/RUN_ID/ (mode 0700), holding the
 * result under the name it is posted with: NAME.csv, or NAME.csv.gz when the
 * writer compressed it (mode 0600). While a run writes and delivers, it holds
 * an flock on its folder; the sweep leaves a locked folder alone, so a run
 * longer than keep_hours keeps its files. A folder expires keep_hours after
 * its newest change (the end of the run), and the sweep removes it.
 */
#ifndef RESULTS_H
#define RESULTS_H

#include "common.h"

/* One run's result files while it writes and delivers them. */
struct result_files {
	char *dir;          /* DATA_DIR/results/RUN_ID; owned */
	char *path;         /* dir/NAME.csv; owned */
	char *gz_path;      /* dir/NAME.csv.gz; owned; NULL without gzip */
	int dir_fd;         /* the folder, flock'd until results_close; -1 when closed */
	int fd;             /* NAME.csv, read-write (csv_init_gzip reads it back) */
	int gz_fd;          /* NAME.csv.gz, or -1 */
	const char *kept;   /* after results_keep: path or gz_path; borrowed from rf */
};

/*
 * Make DATA_DIR/results/RUN_ID/ and, empty, NAME.csv and (with_gz)
 * NAME.csv.gz, and lock the folder. name is a file name without a path
 * (commands/invocation.h makes it safe), ending ".csv". On failure -1 with
 * *cause naming the path, and nothing is left open.
 */
int results_create(struct result_files *rf, const char *data_dir, int64_t run_id,
		   const char *name, bool with_gz, char **cause);
/* The writer finished and the file is worth keeping: keep NAME.csv.gz when
 * gzipped, else NAME.csv, remove the other. Returns rf->kept. */
const char *results_keep(struct result_files *rf, bool gzipped);
/* Nothing worth keeping (the run failed): remove both files. */
void results_discard(struct result_files *rf);
/* Close the files and unlock the folder; remove the folder when it is
 * empty (discarded, or a delivery moved the file away); free. */
void results_close(struct result_files *rf);

enum results_found {
	RESULTS_NONE = 0,   /* nothing kept: never made, failed, expired and swept, or moved */
	RESULTS_KEPT = 1,   /* *path and *name are set */
	RESULTS_BUSY = 2,   /* the run is still writing or delivering it */
};
/*
 * The kept result of RUN_ID: RESULTS_KEPT with *path (to open) and *name
 * (to post it under, e.g. "sales-2024-11.csv.gz"), both owned by the
 * caller; or RESULTS_NONE / RESULTS_BUSY; -1 with *cause when the folder
 * cannot be read.
 */
int results_find(const char *data_dir, int64_t run_id, char **path, char **name, char **cause);

/*
 * Remove every run folder under DATA_DIR/results whose newest change (the
 * folder or a file in it) is more than keep_ms before now_ms, unless a run
 * holds its lock. *removed (may be NULL) counts the folders removed.
 * Returns 0, or -1 with *cause when results/ cannot be read (a missing
 * results/ is no error); a folder that cannot be removed is skipped.
 */
int results_sweep(const char *data_dir, int64_t keep_ms, int64_t now_ms, int *removed, char **cause);

#endif
