/*
 * test-trino-value.c: Trino result values as the Trino CLI prints them with
 * --output-format CSV (store/trino-text.h). The expected text follows the
 * CLI's source: CsvPrinter.formatValue and FormatUtils (formatList,
 * formatMap, formatRow, formatHexDump) over the Java objects
 * FixJsonDataUtils makes of the JSON, and Java's Double.toString /
 * Float.toString (JDK 19+: the shortest digits that read back).
 */
#include "common.h"
#include "store/trino-text.h"

#include <math.h>
#include <setjmp.h>
#include <cmocka.h>

static void check_double(double d, bool is_float, const char *want)
{
	struct strbuf sb;
	strbuf_init(&sb);
	trino_format_double(&sb, d, is_float);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_doubles(void **state)
{
	(void)state;
	check_double(0.1, false, "0.1");
	check_double(1.0, false, "1.0");
	check_double(100.0, false, "100.0");
	check_double(-1.5, false, "-1.5");
	check_double(0.0, false, "0.0");
	check_double(-0.0, false, "-0.0");
	check_double(9999999.0, false, "9999999.0");
	check_double(1e7, false, "1.0E7");
	check_double(12345678.9, false, "1.23456789E7");
	check_double(0.001, false, "0.001");
	check_double(0.00123, false, "0.00123");
	check_double(1e-4, false, "1.0E-4");
	check_double(1.0 / 3, false, "0.3333333333333333");
	check_double(2.0 / 3, false, "0.6666666666666666");
	check_double(0.1 + 0.2, false, "0.30000000000000004");
	check_double(5e-324, false, "4.9E-324");
	check_double(1.7976931348623157e308, false, "1.7976931348623157E308");
	check_double(1e23, false, "1.0E23");
	check_double(NAN, false, "NaN");
	check_double(INFINITY, false, "Infinity");
	check_double(-INFINITY, false, "-Infinity");
}

static void test_reals(void **state)
{
	(void)state;
	check_double((double)0.1f, true, "0.1");
	check_double((double)1.1f, true, "1.1");
	check_double((double)3.4028235e38f, true, "3.4028235E38");
	check_double((double)1e10f, true, "1.0E10");
	check_double((double)16777216.0f, true, "1.6777216E7");
	check_double((double)(1.0f / 3), true, "0.33333334");
}

/* Format JSON value V of the type with JSON signature SIG. */
static void check(const char *v, const char *sig, const char *want)
{
	json_error_t e;
	json_t *jv = json_loads(v, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	json_t *js = json_loads(sig, 0, &e);
	assert_non_null(jv);
	assert_non_null(js);
	struct strbuf sb;
	strbuf_init(&sb);
	trino_format_value(&sb, jv, js);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
	json_decref(jv);
	json_decref(js);
}

#define T(raw) "{\"rawType\":\"" raw "\",\"arguments\":[]}"
#define ARRAY(elem) "{\"rawType\":\"array\",\"arguments\":[{\"kind\":\"TYPE\",\"value\":" elem "}]}"
#define MAP(k, v) "{\"rawType\":\"map\",\"arguments\":[{\"kind\":\"TYPE\",\"value\":" k "}," \
	"{\"kind\":\"TYPE\",\"value\":" v "}]}"
#define FIELD(name, t) "{\"kind\":\"NAMED_TYPE\",\"value\":{\"fieldName\":{\"name\":\"" name "\"}," \
	"\"typeSignature\":" t "}}"
#define UNNAMED(t) "{\"kind\":\"NAMED_TYPE\",\"value\":{\"typeSignature\":" t "}}"

static void test_scalars(void **state)
{
	(void)state;
	check("true", T("boolean"), "true");
	check("false", T("boolean"), "false");
	check("42", T("bigint"), "42");
	check("-9223372036854775808", T("bigint"), "-9223372036854775808");
	check("7", T("tinyint"), "7");
	check("1.5", T("double"), "1.5");
	check("1e7", T("double"), "1.0E7");
	check("3", T("double"), "3.0");              /* a whole double sent without a point */
	check("\"NaN\"", T("double"), "NaN");
	check("\"-Infinity\"", T("double"), "-Infinity");
	check("0.1", T("real"), "0.1");
	check("\"12.30\"", T("decimal"), "12.30");   /* decimals keep the server's scale */
	check("\"héllo, \\\"x\\\"\"", T("varchar"), "héllo, \"x\"");
	check("\"2024-11-01\"", T("date"), "2024-11-01");
	check("\"2024-11-01 12:34:56.789\"", T("timestamp"), "2024-11-01 12:34:56.789");
	check("\"2024-11-01 12:34:56.789 Europe/Paris\"", T("timestamp with time zone"),
	      "2024-11-01 12:34:56.789 Europe/Paris");
	check("\"1 02:03:04.000\"", T("interval day to second"), "1 02:03:04.000");
	check("\"{\\\"a\\\":1}\"", T("json"), "{\"a\":1}");
	check("\"YWJj\"", T("varbinary"), "61 62 63");
	check("\"AP8=\"", T("varbinary"), "00 ff");
	check("\"\"", T("varbinary"), "");
}

static void test_structured(void **state)
{
	(void)state;
	check("[1, null, 3]", ARRAY(T("integer")), "[1, NULL, 3]");
	check("[]", ARRAY(T("integer")), "[]");
	check("[\"a\", \"b, c\"]", ARRAY(T("varchar")), "[a, b, c]");
	check("[1.0, 2.5]", ARRAY(T("double")), "[1.0, 2.5]");
	check("[[1], [2, 3]]", ARRAY(ARRAY(T("bigint"))), "[[1], [2, 3]]");
	check("{\"a\": 1, \"b\": null}", MAP(T("varchar"), T("bigint")), "{a=1, b=NULL}");
	check("{\"1\": \"x\"}", MAP(T("bigint"), T("varchar")), "{1=x}");
	check("{\"1.5\": true}", MAP(T("double"), T("boolean")), "{1.5=true}");
	check("[1, \"a\"]", "{\"rawType\":\"row\",\"arguments\":[" FIELD("x", T("integer")) ","
	      FIELD("y", T("varchar")) "]}", "{x=1, y=a}");
	check("[1, null]", "{\"rawType\":\"row\",\"arguments\":[" UNNAMED(T("integer")) ","
	      UNNAMED(T("varchar")) "]}", "{1, NULL}");
	check("[[1, 2], {\"k\": \"AQ==\"}]", "{\"rawType\":\"row\",\"arguments\":["
	      FIELD("xs", ARRAY(T("integer"))) "," FIELD("m", MAP(T("varchar"), T("varbinary"))) "]}",
	      "{xs=[1, 2], m={k=01}}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_structured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
