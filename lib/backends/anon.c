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

const struct pb_backend pb_backend_thp_2m = {
	.name = "thp-2M",
	.summary = "anonymous memory with MADV_HUGEPAGE (PMD mappings)",
	.page_size = PB_SZ_2M,
	.zap_keeps_data = false,
	.probe = thp_probe,
	.map = thp_map,
	.unmap = anon_unmap,
};

const struct pb_backend pb_backend_base_4k = {
	.name = "base-4K",
	.summary = "anonymous memory with MADV_NOHUGEPAGE (PTE mappings)",
	.page_size = PB_SZ_4K,
	.zap_keeps_data = false,
	.probe = base_probe,
	.map = base_map,
	.unmap = anon_unmap,
};
