/*
 * mysql-text.h: MySQL/MariaDB values as text, the same bytes the `mariadb`
 * client prints with --batch --raw (what the server's text protocol
 * sends). I/O-free, so unit tests reach it without a server; used by
 * source-mysql.c for values fetched in binary form. Each function writes
 * into OUT (size noted) and returns the length; mysql_text_double and
 * mysql_text_temporal also NUL-terminate.
 */
#ifndef MYSQL_TEXT_H
#define MYSQL_TEXT_H

#include "common.h"

#include <mysql.h>

size_t mysql_text_u64(char *out, uint64_t v);                 /* out >= 21 */
size_t mysql_text_i64(char *out, int64_t v);                  /* out >= 21 */
/* v zero-padded to at least width digits (ZEROFILL). */
size_t mysql_text_padded(char *out, uint64_t v, size_t width); /* out >= max(21, width + 1) */
size_t mysql_text_2digits(char *out, unsigned int v);         /* out >= 2, no NUL */
/* FLOAT (is_float) or DOUBLE: shortest text that reads back, fixed or
 * exponent form as MariaDB chooses; up to 35 bytes with the NUL
 * ("-0." then 14 zeros and 17 digits). */
size_t mysql_text_double(char *out, double v, bool is_float); /* out >= 40 */
/* DATE, DATETIME, TIMESTAMP or TIME with `decimals` fractional digits. */
size_t mysql_text_temporal(char *out, const MYSQL_TIME *t, enum enum_field_types type,
			   unsigned int decimals);              /* out >= 40 */

#endif
