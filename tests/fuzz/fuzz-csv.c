/*
 * fuzz-csv: rows built from the input go through the CSV writer, and an
 * RFC 4180 reader must get the same fields back (NULL reads as empty).
 *
 * Input: the first byte picks the column count (1..4); the rest splits at
 * NUL bytes into fields; a field that is exactly "\x01" stands for NULL.
 */
#include "common.h"
#include "store/csv.h"

#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FIELDS 512

static struct csv_writer writer;
static int memfd = -1;

/* Read one field at *pos; *end_of_row says whether CRLF (or EOF) ended it. */
static size_t read_field(const char *s, size_t n, size_t *pos, char *out, bool *end_of_row)
{
	size_t i = *pos, len = 0;
	if (i < n && s[i] == '"') {
		i++;
		for (;;) {
			if (i >= n)
				abort();        /* unterminated quote */
			if (s[i] == '"') {
				if (i + 1 < n && s[i + 1] == '"') {
					out[len++] = '"';
					i += 2;
					continue;
				}
				i++;
				break;
			}
			out[len++] = s[i++];
		}
	} else {
		while (i < n && s[i] != ',' && s[i] != '\r') {
			if (s[i] == '"' || s[i] == '\n')
				abort();        /* must have been quoted */
			out[len++] = s[i++];
		}
	}
	if (i < n && s[i] == ',') {
		*end_of_row = false;
		i++;
	} else {
		if (i + 1 >= n || s[i] != '\r' || s[i + 1] != '\n')
			abort();        /* a row ends with CRLF */
		*end_of_row = true;
		i += 2;
	}
	*pos = i;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (memfd < 0) {
		memfd = memfd_create("fuzz-csv", 0);
		if (memfd < 0)
			abort();
	}
	if (ftruncate(memfd, 0) < 0 || lseek(memfd, 0, SEEK_SET) < 0)
		abort();

	size_t ncols = 1 + data[0] % 4;
	const char *in = (const char *)data + 1;
	size_t inlen = size - 1;

	const char *vals[FUZZ_MAX_FIELDS];
	size_t lens[FUZZ_MAX_FIELDS];
	size_t nfields = 0;
	for (size_t start = 0; nfields < FUZZ_MAX_FIELDS;) {
		const char *nul = memchr(in + start, '\0', inlen - start);
		size_t end = nul ? (size_t)(nul - in) : inlen;
		vals[nfields] = in + start;
		lens[nfields] = end - start;
		if (lens[nfields] == 1 && in[start] == '\x01')
			vals[nfields] = NULL;
		nfields++;
		if (!nul)
			break;
		start = end + 1;
	}
	size_t nrows = nfields / ncols;
	if (nrows == 0)
		return 0;

	csv_init(&writer, memfd);
	for (size_t r = 0; r < nrows; r++)
		if (csv_write_row(&writer, ncols, vals + r * ncols, lens + r * ncols) < 0)
			abort();
	if (csv_flush(&writer, NULL) < 0 || writer.rows != nrows)
		abort();

	size_t outlen = (size_t)writer.bytes;
	char *out = xmalloc(outlen + 1);
	if (pread(memfd, out, outlen, 0) != (ssize_t)outlen)
		abort();
	char *field = xmalloc(outlen + 1);
	size_t pos = 0;
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			bool eor = false;
			size_t len = read_field(out, outlen, &pos, field, &eor);
			size_t k = r * ncols + c;
			size_t want = vals[k] ? lens[k] : 0;
			if (len != want || (len && memcmp(field, vals[k], len) != 0))
				abort();
			if (eor != (c == ncols - 1))
				abort();
		}
	}
	if (pos != outlen)
		abort();
	free(field);
	free(out);
	return 0;
}
