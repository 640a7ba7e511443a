/*
 * log.h: one line per event on stderr, "2024-11-01T09:00:00.123Z LEVEL msg".
 * Thread-safe (one write per line). Never pass a token or password.
 * Control characters in the message are escaped (\n, \r, \t, \xNN), so a
 * logged value never makes a second line.
 * REPORTBOT_LOG=debug enables log_debug.
 */
#ifndef LOG_H
#define LOG_H

#include "common.h"

void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Silence info/debug (used by `run` and `check`, whose stdout/stderr
 * belong to the user). */
void log_set_quiet(bool quiet);

#endif
