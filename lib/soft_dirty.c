// SPDX-License-Identifier: MIT
#include "soft_dirty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "procmaps.h"
#include "sysfs.h"

#define CLEAR_REFS "/proc/self/clear_refs"
#define PM_SOFT_DIRTY (1ULL << 55)	/* Documentation/admin-guide/mm/soft-dirty.rst */

const char *const pb_soft_dirty_choices[] = { "off", "on", NULL };

/* The soft-dirty bit of the page at @addr in /proc/self/pagemap: 0, 1, or -1. */
static int page_soft_dirty(const void *addr)
{
	uint64_t e;

	return pb_pagemap_entries(0, (uintptr_t)addr, 1, &e) ? -1 : !!(e & PM_SOFT_DIRTY);
}

/*
 * Clear the soft-dirty bits and see that the kernel tracks them: a written
 * page of our own reads clean after the clear and soft-dirty after a write.
 * 0, or -1 with why in @why.
 */
static int clear_and_verify(char *why, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int before, after, rc = -1;

	if (p == MAP_FAILED) {
		snprintf(why, len, "mmap of a page to check soft-dirty with: %s", strerror(errno));
		return -1;
	}
	p[0] = 1;
	if (pb_sysfs_write_long(CLEAR_REFS, 4)) {
		snprintf(why, len, "writing 4 to " CLEAR_REFS ": %s", strerror(errno));
		goto out;
	}
	before = page_soft_dirty((const void *)p);
	p[0] = 2;
	after = page_soft_dirty((const void *)p);
	if (before != 0 || after != 1)
		snprintf(why, len, "this kernel does not track soft-dirty (CONFIG_MEM_SOFT_DIRTY): "
			 "pagemap's soft-dirty bit read %d after clear_refs and %d after a write, "
			 "not 0 and 1", before, after);
	else
		rc = 0;
out:
	munmap((void *)p, (size_t)page);
	return rc;
}

/* mincore() a VMA in pieces this large: an ASan shadow VMA is terabytes */
#define RESIDENT_CHUNK_PAGES 65536

struct own_pages {
	uintptr_t skip_start, skip_end;		/* the mapping under test */
	size_t page;
	unsigned char *resident;		/* RESIDENT_CHUNK_PAGES entries */
};

/* One VMA of redirty_own_pages(): each resident page written once. */
static int redirty_vma(uintptr_t start, uintptr_t end, const char *perms, void *arg)
{
	const struct own_pages *o = arg;

	if (perms[1] != 'w' || perms[3] != 'p' || (start < o->skip_end && end > o->skip_start))
		return 0;
	for (uintptr_t at = start; at < end;) {
		size_t pages = (end - at) / o->page;

		if (pages > RESIDENT_CHUNK_PAGES)
			pages = RESIDENT_CHUNK_PAGES;
		/* resident only: writing the rest would populate memory the process never used */
		if (!mincore((void *)at, pages * o->page, o->resident))
			for (size_t i = 0; i < pages; i++)
				if (o->resident[i] & 1)
					__atomic_fetch_add((char *)(at + i * o->page), 0,
							   __ATOMIC_RELAXED);
		at += pages * o->page;
	}
	return 0;
}

/*
 * clear_refs write-protects every private page of the process, not only
 * the mapping's: the first write to each of our own pages afterwards
 * faults once, in whichever counted window it falls (seen: 0.17 faults per
 * call on a downgrade whose touch only reads, the series' first write in
 * the first measured round).  So write every resident page of our own
 * writable private mappings once, now: an atomic add of 0, as the
 * participants may be writing their stacks.  The mapping under test is
 * left as the kernel made it (and never read through pagemap: that would
 * zap a device-dax PUD on stock kernels).
 */
static int redirty_own_pages(const struct pb_case *c)
{
	struct own_pages o = {
		.skip_start = (uintptr_t)c->map.addr,
		.skip_end = (uintptr_t)c->map.addr + c->map.size,
		.page = (size_t)sysconf(_SC_PAGESIZE),
		.resident = malloc(RESIDENT_CHUNK_PAGES),
	};
	int rc;

	if (!o.resident)
		return -1;
	rc = pb_maps_each(redirty_vma, &o);
	free(o.resident);
	return rc;
}

int pb_case_soft_dirty_start(struct pb_case *c)
{
	char why[256];

	if (pb_case_opt(c, "soft_dirty") == PB_SOFT_DIRTY_OFF)
		return 0;
	if (clear_and_verify(why, sizeof(why))) {
		pb_case_error(c, "soft_dirty=on: %s", why);
		return -1;
	}
	if (redirty_own_pages(c)) {
		pb_case_error(c, "soft_dirty=on: writing the process's own pages after clear_refs: %m");
		return -1;
	}
	return 0;
}
