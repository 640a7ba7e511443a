/*
 * csv.h: RFC 4180 writer straight to a file descriptor through a buffer.
 * Header row, comma, CRLF, a field quoted only when it holds a comma, quote,
 * CR or LF, quotes doubled, NULL as an empty field; optional UTF-8 BOM.
 * It counts rows and bytes written.
 *
 * The bytes leave through one sink: the plain fd, or, for a writer made
 * with csv_init_gzip, a gzip stream (zlib, flat memory) into a second fd
 * once the CSV passes a size. Only that switch allocates (the deflate state
 * and two buffers, about 400 KiB, freed by csv_finish or csv_release).
 *
 * Every write function returns 0, or -1 once a write(2) has failed; the
 * failure is sticky (w->error) and csv_flush turns it into a cause. A pipe
 * reader that went away gives EPIPE only if the process ignores SIGPIPE.
 */
#ifndef CSV_H
#define CSV_H

#include "common.h"

#define CSV_BUFSIZE 65536
/* zlib level of the gzip sink: 1. Measured (bench/mysql, 356 MB CSV):
 * level 1 took 6.7 s and made 127 MB, level 6 16.4 s for 115 MB. */
#ifndef CSV_GZIP_LEVEL
#define CSV_GZIP_LEVEL 1
#endif

struct csv_gzip;   /* the deflate state of a switched writer (csv.c) */

struct csv_writer {
	int fd;              /* borrowed; not closed by the writer */
	int gz_fd;           /* borrowed; where the gzip stream goes, -1: never */
	int64_t gzip_over;   /* switch once more than this many bytes came in */
	int error;           /* errno of the first failed write, 0 if none */
	size_t len;          /* bytes pending in buf */
	uint64_t bytes;      /* CSV bytes handed to the writer so far (incl. pending) */
	uint64_t rows;       /* data rows written (header not counted) */
	uint64_t out;        /* bytes written to the file in use: fd, or gz_fd once switched */
	struct csv_gzip *gz; /* owned; non-NULL while the gzip stream is open */
	bool compressed;     /* the output went to gz_fd (stays set after csv_finish) */
	char buf[CSV_BUFSIZE];
};

/* A plain writer on fd. */
void csv_init(struct csv_writer *w, int fd);
/*
 * A writer that writes plain CSV to fd until more than gzip_over bytes came
 * in (0: from the first byte), then compresses what fd holds so far (read
 * back with pread from offset 0), empties fd (ftruncate) and goes on as one
 * gzip stream into gz_fd. fd must be a new, empty regular file opened for
 * reading and writing; gz_fd a new, empty file. The result is plain in fd
 * exactly when the whole CSV is at most gzip_over bytes; csv_finish ends
 * the stream and w->compressed tells which file holds the result.
 */
void csv_init_gzip(struct csv_writer *w, int fd, int gz_fd, int64_t gzip_over);
int csv_write_bom(struct csv_writer *w);    /* call first, before the header */
/* names[i] == NULL is an empty name. */
/* vals[i] == NULL is SQL NULL (empty field); lens[i] is its length
 * (lens == NULL: each value is NUL-terminated). */
int csv_write_header(struct csv_writer *w, size_t n, const char *const *names);
int csv_write_row(struct csv_writer *w, size_t n, const char *const *vals, const size_t *lens);
/* Write out what is buffered; on any failure so far, -1 with strerror's words.
 * A gzip stream stays open (its last bytes come with csv_finish). */
int csv_flush(struct csv_writer *w, char **cause);
/* The end: flush, end the gzip stream, free its state. w->out is then the
 * size of the file that holds the result. */
int csv_finish(struct csv_writer *w, char **cause);
/* Free the gzip state of a writer that did not finish (NULL ok). */
void csv_release(struct csv_writer *w);

#endif
