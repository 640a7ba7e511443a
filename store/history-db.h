/*
 * history-db.h: the history store's connection, for other store/ modules
 * (a schedule store) that keep their tables in the same database.
 *
 * The schema of every table lives in store/history.c (PRAGMA user_version);
 * version 1 already holds schedule_slots, schedules and last_posted.
 * Use the connection only between history_lock and history_unlock: it is
 * one connection shared by every thread. Do not close it.
 */
#ifndef HISTORY_DB_H
#define HISTORY_DB_H

#include "common.h"
#include "store/history.h"

#include <sqlite3.h>

/* Schema version history_open migrates to. */
#define HISTORY_SCHEMA_VERSION 1

/* Borrowed; valid until history_close. */
sqlite3 *history_db(struct history *h);
/* The one mutex guarding the connection; not recursive. */
void history_lock(struct history *h);
void history_unlock(struct history *h);

#endif
