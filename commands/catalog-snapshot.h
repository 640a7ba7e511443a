/*
 * catalog-snapshot.h: a catalog shared by reference. A snapshot is a
 * struct catalog on the heap that never changes once it is shared: readers
 * take a reference (catalog_get), read, and drop it (catalog_put); the
 * last reference frees it. A job keeps the snapshot its command came from
 * until it is freed, so a run keeps the version it started with while a
 * newer snapshot serves everyone else (bot/app.h: app_catalog).
 *
 * A command whose file became broken keeps its last good version: the new
 * snapshot carries the old struct command over (catalog_carry_over); the
 * carried entry is a shallow copy whose memory stays with the snapshot it
 * was first loaded into, kept alive by a reference.
 *
 * Only catalog_get and catalog_put may be called from several threads on
 * one snapshot; everything else is for the one thread building it.
 */
#ifndef CATALOG_SNAPSHOT_H
#define CATALOG_SNAPSHOT_H

#include "common.h"
#include "commands/catalog.h"

/* An empty snapshot holding one reference (the caller's). Fill it with
 * catalog_load(cat, ...) before sharing it. */
struct catalog *catalog_snapshot_new(void);

/* One more reference to snapshot cat (NULL ok); returns cat. */
struct catalog *catalog_get(struct catalog *cat);
/* Drop one reference; the last one frees the snapshot and lets go of the
 * snapshots its carried commands live in. NULL ok. */
void catalog_put(struct catalog *cat);
/* The references held right now (for tests and logs). */
int catalog_snapshot_refs(const struct catalog *cat);

/*
 * Into CAT (a snapshot just loaded, not yet shared) put each command of
 * OLD (a snapshot; NULL: nothing) that CAT lacks and whose file a fault of
 * FAULTS names ("PATH:…", PATH being the command's path as loaded): its
 * file is there but broken, so its last good version keeps serving. A
 * command whose file is gone names no fault and is dropped. CAT stays
 * sorted by name. The names carried are pushed to carried (may be NULL);
 * returns how many.
 */
size_t catalog_carry_over(struct catalog *cat, struct catalog *old, const struct strlist *faults,
			  struct strlist *carried);

/* Is cmd (of snapshot cat) a carried-over last good version? */
bool catalog_is_carried(const struct catalog *cat, const struct command *cmd);

/* Does FAULT ("PATH:LINE: …" or "PATH: …") name the file PATH? */
bool catalog_fault_names(const char *fault, const char *path);

#endif
