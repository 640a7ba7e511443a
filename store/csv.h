/*
 * csv.h: RFC 4180 writer straight to a file descriptor through a buffer.
 * Header row, comma, CRLF, a field quoted only when it holds a comma, quote,
 * CR or LF, quotes doubled, NULL as an empty field; optional UTF-8 BOM.
 * The writer allocates nothing; it counts rows and bytes written.
 *
 * Every write function returns 0, or -1 once a write(2) has failed; the
 * failure is sticky (w->error) and csv_flush turns it into a cause. A pipe
 * reader that went away gives EPIPE only if the process ignores SIGPIPE.
 */
#ifndef CSV_H
#define CSV_H

#include "common.h"

#define CSV_BUFSIZE 65536

struct csv_writer {
	int fd;              /* borrowed; not closed by the writer */
	int error;           /* errno of the first failed write, 0 if none */
	size_t len;          /* bytes pending in buf */
	uint64_t bytes;      /* bytes handed to the writer so far (incl. pending) */
	uint64_t rows;       /* data rows written (header not counted) */
	char buf[CSV_BUFSIZE];
};

void csv_init(struct csv_writer *w, int fd);
int csv_write_bom(struct csv_writer *w);    /* call first, before the header */
/* names[i] == NULL is an empty name. */
/* vals[i] == NULL is SQL NULL (empty field); lens[i] is its length
 * (lens == NULL: each value is NUL-terminated). */
int csv_write_header(struct csv_writer *w, size_t n, const char *const *names);
int csv_write_row(struct csv_writer *w, size_t n, const char *const *vals, const size_t *lens);
/* Write out what is buffered; on any failure so far, -1 with strerror's words. */
int csv_flush(struct csv_writer *w, char **cause);

#endif
