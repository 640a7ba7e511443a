/*
 * common.h: included first by every .c file (like git's git-compat-util.h).
 *
 * Error convention: a function that can fail returns 0 on success and -1 on
 * failure, and fills `char **cause` with an allocated message the caller
 * frees (cause may be NULL when the caller does not want the message).
 * Messages are lower case, name the thing and the value, no full stop.
 */
#ifndef COMMON_H
#define COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that never returns NULL: out of memory aborts (git's xmalloc). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

/* Set *cause (when cause != NULL) to a new formatted message; returns -1. */
int fail(char **cause, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* A growable list of owned strings, e.g. every fault `check` finds. */
struct strlist {
	char **v;
	size_t n, alloc;
};
void strlist_init(struct strlist *l);
void strlist_push(struct strlist *l, char *s);  /* takes ownership of s */
void strlist_pushf(struct strlist *l, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strlist_release(struct strlist *l);       /* frees every string */

/* Name tables indexed by an enum (status names and the like): the name of
 * v, or "unknown"; and the index of name, or -1. */
const char *enum_name(const char *const *names, size_t n, int v);
int enum_from_name(const char *const *names, size_t n, const char *name);

/* t in the process time zone (bot.timezone) with strftime's FMT, or "-"
 * when t <= 0 (never happened) or cannot be converted. */
void local_time_text(time_t t, const char *fmt, char *buf, size_t size)
	__attribute__((format(strftime, 2, 0)));

/* Monotonic and wall-clock time in milliseconds. */
int64_t now_ms_monotonic(void);
int64_t now_ms_wall(void);

#endif
