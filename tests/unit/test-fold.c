/* test-fold: full-width ASCII and the ideographic space folded to ASCII
 * (commands/fold.c), and did-you-mean on the folded word
 * (commands/suggest.c). */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "commands/fold.h"
#include "commands/suggest.h"
#include "commands/utf8.h"

/* The UTF-8 of code point cp (below U+10000) into buf. */
static void encode(unsigned int cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		buf[1] = '\0';
	} else if (cp < 0x800) {
		buf[0] = (char)(0xc0 | (cp >> 6));
		buf[1] = (char)(0x80 | (cp & 0x3f));
		buf[2] = '\0';
	} else {
		buf[0] = (char)(0xe0 | (cp >> 12));
		buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (cp & 0x3f));
		buf[3] = '\0';
	}
}

/* Rule: every character of U+FF01..U+FF5E folds to U+0021..U+007E. */
static void test_whole_block_folds(void **state)
{
	(void)state;
	for (unsigned int cp = 0xff01; cp <= 0xff5e; cp++) {
		char in[8], c = 0;
		encode(cp, in);
		assert_int_equal(fold_width_char(in, &c), 3);
		assert_int_equal((unsigned char)c, cp - 0xfee0);
		char *f = fold_width(in);
		assert_int_equal(strlen(f), 1);
		assert_int_equal((unsigned char)f[0], cp - 0xfee0);
		free(f);
	}
}

/* Rule: the ideographic space U+3000 folds to a space. */
static void test_ideographic_space(void **state)
{
	(void)state;
	char *f = fold_width("a\xe3\x80\x80" "b");
	assert_string_equal(f, "a b");
	free(f);
}

/* Rule: everything else is kept byte for byte: the neighbours of the block,
 * the half-width katakana after it, other full-width signs, Japanese text. */
static void test_others_kept(void **state)
{
	(void)state;
	static const unsigned int kept[] = { 0xff00, 0xff5f, 0xff61, 0xff71, 0xffe5, 0x3001,
					     0x3002, 0x30fc, 0x201c, 0x00a0, 0x2212 };
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++) {
		char in[8], c;
		encode(kept[i], in);
		assert_int_equal(fold_width_char(in, &c), 0);
		char *f = fold_width(in);
		assert_string_equal(f, in);
		free(f);
	}
	char *f = fold_width("大和 acme-1 顧客");
	assert_string_equal(f, "大和 acme-1 顧客");
	free(f);
}

/* Rule: what people type folds as a whole: names, signs, digits, dates. */
static void test_typed_text(void **state)
{
	(void)state;
	char *f = fold_width("ｍｏｎｔｈｌｙ ｃｕｓｔｏｍｅｒ＝大和 ２０２４－１１－０３ ｎ＝－５");
	assert_string_equal(f, "monthly customer=大和 2024-11-03 n=-5");
	free(f);
	char buf[] = "ＨＥＬＰ\xe3\x80\x80ｗａｕ";
	fold_width_inplace(buf);
	assert_string_equal(buf, "HELP wau");
}

/* Rule: folding never reads past the end of a cut sequence, never grows,
 * and valid UTF-8 stays valid. */
static void test_cut_and_validity(void **state)
{
	(void)state;
	char c;
	assert_int_equal(fold_width_char("\xef", &c), 0);
	assert_int_equal(fold_width_char("\xef\xbc", &c), 0);
	assert_int_equal(fold_width_char("\xe3\x80", &c), 0);
	assert_int_equal(fold_width_char("", &c), 0);
	char *f = fold_width("x\xef\xbc");
	assert_string_equal(f, "x\xef\xbc");
	free(f);
	const char *s = "ａ大ｂ\xe3\x80\x80ｃ。";
	f = fold_width(s);
	assert_true(strlen(f) <= strlen(s));
	assert_int_equal(utf8_invalid_at(f, strlen(f)), strlen(f));
	free(f);
}

/* Did-you-mean works on the folded word. */
static void test_suggest_folded(void **state)
{
	(void)state;
	const char *const names[] = { "customers", "monthly", "north-star", "wau" };
	assert_string_equal(suggest_closest("ｍｏｎｔｈｌｙ", names, 4), "monthly");
	assert_string_equal(suggest_closest("ｍｏｎｔｈｌｙｙ", names, 4), "monthly");
	assert_string_equal(suggest_closest("ｎｏｒｔｈ－ｓｔａｒ", names, 4), "north-star");
	assert_null(suggest_closest("大和", names, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_block_folds),
		cmocka_unit_test(test_ideographic_space),
		cmocka_unit_test(test_others_kept),
		cmocka_unit_test(test_typed_text),
		cmocka_unit_test(test_cut_and_validity),
		cmocka_unit_test(test_suggest_folded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
