// SPDX-License-Identifier: MIT
/*
 * Anonymous private memory: thp-2M asks for transparent huge pages with
 * MADV_HUGEPAGE, base-4K forbids them with MADV_NOHUGEPAGE.  MADV_DONTNEED
 * frees the memory, so a refault gets fresh zeroed pages.
 */
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "sysfs.h"

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

static int anon_map(char *addr, size_t size, int advice, char *err, size_t len)
{
	void *p = mmap(addr, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED) {
		snprintf(err, len, "mmap anonymous: %s", strerror(errno));
		return -1;
	}
	if (madvise(addr, size, advice)) {
		snprintf(err, len, "madvise(%s): %s",
			 advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void anon_unmap(struct pb_mapping *m)
{
	munmap(m->addr, m->size);
}

static bool thp_probe(const struct pb_config *cfg, char *reason, size_t len)
{
	char mode[128];

	(void)cfg;
	if (pb_sysfs_read_str(THP_ENABLED, mode, sizeof(mode))) {
		snprintf(reason, len, "no THP support (%s unreadable)", THP_ENABLED);
		return false;
	}
	if (strstr(mode, "[never]")) {
		snprintf(reason, len, "THP disabled (%s is [never])", THP_ENABLED);
		return false;
	}
	return true;
}

static int thp_map(const struct pb_config *cfg, struct pb_mapping *m, char *err, size_t len)
{
	(void)cfg;
	return anon_map(m->addr, m->size, MADV_HUGEPAGE, err, len);
}

static bool base_probe(const struct pb_config *cfg, char *reason, size_t len)
{
	(void)cfg;
	(void)reason;
	(void)len;
	return true;
}

static int base_map(const struct pb_config *cfg, struct pb_mapping *m, char *err, size_t len)
{
	(void)cfg;
	return anon_map(m->addr, m->size, MADV_NOHUGEPAGE, err, len);
}

/* The two differ only in the advice they map with and what they need first. */
#define ANON_BACKEND(NAME, SUMMARY, PAGE_SIZE, PROBE, MAP)                                   \
	{                                                                                   \
		.name = NAME, .summary = SUMMARY, .page_size = PAGE_SIZE,                   \
		.zap_keeps_data = false,	/* a zap frees anonymous memory */          \
		.probe = PROBE, .map = MAP, .unmap = anon_unmap,                            \
	}

const struct pb_backend pb_backend_thp_2m =
	ANON_BACKEND("thp-2M", "anonymous memory with MADV_HUGEPAGE (PMD mappings)", PB_SZ_2M,
		     thp_probe, thp_map);
const struct pb_backend pb_backend_base_4k =
	ANON_BACKEND("base-4K", "anonymous memory with MADV_NOHUGEPAGE (PTE mappings)", PB_SZ_4K,
		     base_probe, base_map);
