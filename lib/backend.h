/* SPDX-License-Identifier: MIT */
/*
 * Mapping backends, filled in like fio's engines: one ops table per way of
 * getting a huge mapping (device-dax, hugetlb, THP, base pages).
 *
 * Life cycle:  probe -> reserve (parent, once per run)
 *              -> map/unmap (forked case child, once per case)
 *              -> release (parent, on every exit path)
 * Reservations live in the parent so that a crashing case cannot leak them.
 */
#ifndef PUDBENCH_BACKEND_H
#define PUDBENCH_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#define PB_SZ_4K (4096UL)
#define PB_SZ_2M (2UL << 20)
#define PB_SZ_1G (1UL << 30)

/*
 * Held by a root run from the moment it grows a hugetlb pool until it has
 * shrunk it back (flock, exclusive): whoever holds it sees no run's pages.
 */
#define PB_HUGETLB_POOL_LOCK "/run/lock/pudbench-hugetlb.lock"

struct pb_config;

struct pb_mapping {
	char *addr;		/* 1 GiB aligned, so size/1G = number of PUDs */
	size_t size;
	int fd;			/* -1 for anonymous mappings */
};

struct pb_backend {
	const char *name;
	const char *summary;
	size_t page_size;	/* what it asks for; the harness verifies it */
	/* Optional: the page size depends on the configuration (devdax align). */
	size_t (*page_size_of)(const struct pb_config *cfg);
	bool zap_keeps_data;	/* MADV_DONTNEED unmaps but keeps the memory */
	/* the kernel never splits its pages: a VMA split off a page boundary fails */
	bool fixed_page_size;
	/* false + reason when unusable here (or not allowed by the config). */
	bool (*probe)(const struct pb_config *cfg, char *reason, size_t len);
	/*
	 * Parent: make up to @max_size available (e.g. reserve hugetlb
	 * pages); *@got is how much is (cases larger than that are skipped).
	 * When *@got < @max_size, @err says why.  -1 with @err: nothing can
	 * be reserved at all (a bad setting, the pool unreadable).
	 */
	int (*reserve)(const struct pb_config *cfg, size_t max_size, size_t *got, char *err,
		       size_t len);
	void (*release)(void);
	/* Case child: map @m->size bytes at the aligned @m->addr (MAP_FIXED). */
	int (*map)(const struct pb_config *cfg, struct pb_mapping *m, char *err, size_t len);
	void (*unmap)(struct pb_mapping *m);
};

extern const struct pb_backend *const pb_backends[];	/* NULL-terminated */

const struct pb_backend *pb_backend_find(const char *name);
size_t pb_backend_page_size(const struct pb_backend *be, const struct pb_config *cfg);

/* Backends the "auto" setting picks, in order of preference. */
extern const char *const pb_backends_auto[];

/*
 * Map a backend at a 1 GiB aligned address (reserves address space first).
 * Returns 0 or -1 with @err filled.
 */
int pb_mapping_create(const struct pb_backend *be, const struct pb_config *cfg,
		      size_t size, struct pb_mapping *m, char *err, size_t len);
void pb_mapping_destroy(const struct pb_backend *be, struct pb_mapping *m);

/* Release every backend that reserved something (safe to call twice). */
void pb_backends_release_all(void);

#endif
