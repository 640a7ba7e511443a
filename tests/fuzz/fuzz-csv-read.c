/* fuzz-csv-read: the streaming CSV reader of a script's stdout on
 * arbitrary bytes must never crash, and must read the same rows (or fail
 * at the same place) whether the bytes come at once or split at a point
 * the input chooses. Every row it hands out has the header's field count
 * and fields that are valid UTF-8 without NUL. */
#include "common.h"
#include "common/strbuf.h"
#include "store/csv-read.h"
#include "commands/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rows as "len:bytes" records, then "E:" and the error, into out. */
static void read_split(const char *in, size_t len, size_t split, struct strbuf *out)
{
	struct csv_reader r;
	csv_reader_init(&r);
	size_t i = 0, want = 0;
	for (;;) {
		size_t end = i < split ? split : len, used = 0;
		enum csv_read_result res = i < len ? csv_read_push(&r, in + i, end - i, &used) :
			csv_read_finish(&r);
		i += used;
		if (res == CSV_READ_ERROR) {
			strbuf_addf(out, "E:%s", r.error);
			break;
		}
		if (res == CSV_READ_DONE)
			break;
		if (res != CSV_READ_ROW)
			continue;
		if (!want)
			want = r.nfields;
		if (r.nfields != want || r.nfields == 0)
			abort();
		for (size_t f = 0; f < r.nfields; f++) {
			if (memchr(r.vals[f], '\0', r.lens[f]) || r.vals[f][r.lens[f]] != '\0' ||
			    utf8_invalid_at(r.vals[f], r.lens[f]) != r.lens[f])
				abort();
			strbuf_addf(out, "%zu:", r.lens[f]);
			strbuf_add(out, r.vals[f], r.lens[f]);
		}
		strbuf_addc(out, '\n');
	}
	csv_reader_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t split = data[0] % size;
	const char *in = (const char *)data + 1;
	size_t len = size - 1;
	struct strbuf whole, parts;
	strbuf_init(&whole);
	strbuf_init(&parts);
	read_split(in, len, len, &whole);
	read_split(in, len, split < len ? split : len, &parts);
	if (whole.len != parts.len || memcmp(whole.buf ? whole.buf : "", parts.buf ? parts.buf : "", whole.len) != 0)
		abort();
	strbuf_release(&whole);
	strbuf_release(&parts);
	return 0;
}
