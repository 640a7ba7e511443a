/*
 * fuzz-toml: any bytes into toml_parse. A parse must either fail with a
 * "NAME:LINE:COLUMN: ..." message or give a tree that converts to JSON;
 * neither may crash, leak, hang or read out of bounds (the input buffer
 * is exactly SIZE bytes, not NUL-terminated).
 */
#include "common.h"

#include "common/toml.h"
#include "common/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *cause = NULL;
	struct toml_value *root = toml_parse((const char *)data, size, "fuzz.toml", &cause);
	if (!root) {
		if (!cause || strncmp(cause, "fuzz.toml:", 10) != 0)
			abort();
		free(cause);
		return 0;
	}
	struct strbuf sb;
	strbuf_init(&sb);
	toml_to_json(root, &sb);
	if (sb.len < 2 || sb.buf[0] != '{')
		abort();
	strbuf_release(&sb);
	toml_free(root);
	return 0;
}
