/*
 * catalog-snapshot.c: catalogs shared by reference, and the last good
 * version of a broken file carried into the next one
 * (commands/catalog-snapshot.h).
 */
#include "common.h"
#include "commands/catalog-snapshot.h"

#include <stdatomic.h>
#include <stddef.h>

struct snapshot {
	struct catalog cat;        /* first: a struct catalog * is a struct snapshot * */
	atomic_int refs;
	/* owner[i]: the snapshot cmds[i]'s memory belongs to (a reference),
	 * NULL when it is this one's; NULL array while nothing is carried */
	struct snapshot **owner;
};

static struct snapshot *snap_of(const struct catalog *cat)
{
	return (struct snapshot *)((char *)cat - offsetof(struct snapshot, cat));
}

struct catalog *catalog_snapshot_new(void)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	atomic_init(&s->refs, 1);
	return &s->cat;
}

struct catalog *catalog_get(struct catalog *cat)
{
	if (cat)
		atomic_fetch_add_explicit(&snap_of(cat)->refs, 1, memory_order_relaxed);
	return cat;
}

void catalog_put(struct catalog *cat)
{
	if (!cat)
		return;
	struct snapshot *s = snap_of(cat);
	/* acq_rel: every reader's use happens before the free */
	if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < cat->n; i++) {
		if (s->owner && s->owner[i])
			catalog_put(&s->owner[i]->cat);   /* carried: its memory is the owner's */
		else
			command_release(&cat->cmds[i]);
	}
	free(cat->cmds);
	free(s->owner);
	free(s);
}

int catalog_snapshot_refs(const struct catalog *cat)
{
	return cat ? atomic_load(&snap_of(cat)->refs) : 0;
}

bool catalog_fault_names(const char *fault, const char *path)
{
	size_t n = strlen(path);
	return strncmp(fault, path, n) == 0 && fault[n] == ':';
}

static bool named_by_fault(const struct strlist *faults, const char *path)
{
	for (size_t i = 0; path && i < faults->n; i++)
		if (catalog_fault_names(faults->v[i], path))
			return true;
	return false;
}

bool catalog_is_carried(const struct catalog *cat, const struct command *cmd)
{
	const struct snapshot *s = snap_of(cat);
	if (!s->owner || cmd < cat->cmds || cmd >= cat->cmds + cat->n)
		return false;
	return s->owner[cmd - cat->cmds] != NULL;
}

size_t catalog_carry_over(struct catalog *cat, struct catalog *old, const struct strlist *faults,
			  struct strlist *carried)
{
	if (!old)
		return 0;
	struct snapshot *s = snap_of(cat), *o = snap_of(old);
	size_t keep = 0;
	for (size_t i = 0; i < old->n; i++)
		if (!catalog_find(cat, old->cmds[i].name) && named_by_fault(faults, old->cmds[i].path))
			keep++;
	if (!keep)
		return 0;

	/* Merge the two sorted lists: both are in catalog_find's order. */
	size_t n = cat->n + keep;
	struct command *cmds = xcalloc(n, sizeof(*cmds));
	struct snapshot **owner = xcalloc(n, sizeof(*owner));
	size_t a = 0, b = 0, k = 0;
	while (a < cat->n || b < old->n) {
		const struct command *oc = b < old->n ? &old->cmds[b] : NULL;
		if (oc && (catalog_find(cat, oc->name) || !named_by_fault(faults, oc->path))) {
			b++;   /* replaced by a new version, or gone: not carried */
			continue;
		}
		if (a < cat->n && (!oc || strcmp(cat->cmds[a].name, oc->name) < 0)) {
			cmds[k] = cat->cmds[a];
			owner[k++] = s->owner ? s->owner[a] : NULL;
			a++;
			continue;
		}
		/* the old version, shallow: its memory stays with its owner */
		struct snapshot *from = o->owner && o->owner[b] ? o->owner[b] : o;
		cmds[k] = *oc;
		owner[k++] = from;
		catalog_get(&from->cat);
		if (carried)
			strlist_push(carried, xstrdup(oc->name));
		b++;
	}
	free(cat->cmds);
	free(s->owner);
	cat->cmds = cmds;
	cat->n = k;
	s->owner = owner;
	return keep;
}
