/*
 * source-sqlite.h: the settings of the sqlite driver (store/source-sqlite.c),
 * for code that builds a source by hand (tests); the config fills them
 * through the driver's key specs.
 */
#ifndef SOURCE_SQLITE_H
#define SOURCE_SQLITE_H

#include "store/source.h"

struct sqlite_settings {
	char *path;                 /* the database file, relative to the cwd */
};

extern const struct source_driver source_driver_sqlite;

#endif
