/*
 * csv-read.h: a streaming RFC 4180 reader (issue 15: a script report's
 * stdout). I/O-free: the caller pushes bytes as they arrive and gets one
 * record at a time, checked as it streams:
 *
 * - records end in CRLF or LF (a CR not followed by LF is a fault);
 * - a field is quoted or not; inside quotes "" is a quote and CR, LF and
 *   commas are data; a quote inside an unquoted field, or text after a
 *   closing quote, is a fault;
 * - every field is valid UTF-8 without NUL bytes;
 * - every record has as many fields as the first (the header row);
 *   an empty line is a record of one empty field;
 * - a UTF-8 BOM at the very start is skipped;
 * - a record is at most CSV_READ_RECORD_MAX bytes and
 *   CSV_READ_FIELDS_MAX fields (memory stays bounded);
 * - the input ends after a complete record or inside the last one (no
 *   final line end needed), never inside quotes; an empty input has no
 *   header, which is a fault.
 *
 * A fault is sticky: r->error says "line N: what was wrong" (N counts
 * LFs from 1, the line the fault is on). Memory: one record.
 */
#ifndef CSV_READ_H
#define CSV_READ_H

#include "common.h"

#define CSV_READ_RECORD_MAX (16 * 1024 * 1024)
#define CSV_READ_FIELDS_MAX 10000

enum csv_read_result {
	CSV_READ_MORE = 0,    /* all the bytes were taken; push more */
	CSV_READ_ROW = 1,     /* a record is complete: r->nfields, r->vals, r->lens */
	CSV_READ_DONE = 2,    /* csv_read_finish: nothing more */
	CSV_READ_ERROR = -1,  /* r->error says what and where */
};

struct csv_reader {
	/* the record just completed (CSV_READ_ROW), borrowed from the reader
	 * until the next push or finish; vals[i] is NUL-terminated too */
	size_t nfields;
	const char **vals;
	size_t *lens;
	uint64_t records;     /* records completed so far, the header included */
	uint64_t row_line;    /* the line the last completed record began on */
	char *error;          /* owned; set with CSV_READ_ERROR */

	/* private */
	char *buf;            /* the fields of the record being read, each NUL-ended */
	size_t len, cap;
	size_t *starts;       /* where each field begins in buf */
	size_t nstarts, starts_cap;
	size_t want;          /* fields of the header; 0 before it */
	uint64_t line;        /* the line being read, from 1 */
	uint64_t rec_line;    /* the line the record being read began on */
	int state;
	int bom;              /* bytes of a leading BOM matched; -1: past it */
	bool fresh;           /* the last call returned a record: start a new one */
	bool started;         /* some byte of the current record was read */
};

void csv_reader_init(struct csv_reader *r);
void csv_reader_release(struct csv_reader *r);

/* Take bytes from buf[0..len); *used says how many (all of them with
 * CSV_READ_MORE, up to the end of the record with CSV_READ_ROW; push the
 * rest again). */
enum csv_read_result csv_read_push(struct csv_reader *r, const char *buf, size_t len, size_t *used);

/* The input has ended: CSV_READ_ROW for a last record without a line end
 * (then call again), CSV_READ_DONE, or CSV_READ_ERROR (inside quotes, no
 * header at all). */
enum csv_read_result csv_read_finish(struct csv_reader *r);

#endif
