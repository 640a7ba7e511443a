/*
 * toml-decoder: TOML on stdin, the toml-test tagged JSON on stdout.
 * Invalid input: the error on stderr, exit status 1.
 *
 *   ./tests/toml-decoder < config.toml
 */
#include "common.h"

#include "common/toml.h"
#include "common/strbuf.h"

int main(void)
{
	struct strbuf in, out;
	char chunk[65536];
	size_t n;
	char *cause = NULL;

	strbuf_init(&in);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		strbuf_add(&in, chunk, n);
	if (ferror(stdin)) {
		fprintf(stderr, "toml-decoder: cannot read stdin: %s\n", strerror(errno));
		strbuf_release(&in);
		return 2;
	}
	struct toml_value *root = toml_parse(in.buf, in.len, "<stdin>", &cause);
	strbuf_release(&in);
	if (!root) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return 1;
	}
	strbuf_init(&out);
	toml_to_json(root, &out);
	strbuf_addc(&out, '\n');
	toml_free(root);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	return fflush(stdout) == 0 ? 0 : 2;
}
