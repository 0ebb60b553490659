// SPDX-License-Identifier: MIT
/* Backend table and the aligned-mapping helper shared by every backend. */
#include "backend.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

extern const struct pb_backend pb_backend_devdax;
extern const struct pb_backend pb_backend_hugetlb_1g;
extern const struct pb_backend pb_backend_hugetlb_2m;
extern const struct pb_backend pb_backend_thp_2m;
extern const struct pb_backend pb_backend_base_4k;

const struct pb_backend *const pb_backends[] = {
	&pb_backend_devdax,
	&pb_backend_hugetlb_1g,
	&pb_backend_hugetlb_2m,
	&pb_backend_thp_2m,
	&pb_backend_base_4k,
	NULL,
};

/* Without a usable devdax device, "auto" measures the next best ones. */
const char *const pb_backends_auto[] = {
	"devdax", "hugetlb-1G", "thp-2M", "base-4K", NULL,
};

const struct pb_backend *pb_backend_find(const char *name)
{
	for (int i = 0; pb_backends[i]; i++)
		if (!strcmp(pb_backends[i]->name, name))
			return pb_backends[i];
	return NULL;
}

size_t pb_backend_page_size(const struct pb_backend *be, const struct pb_config *cfg)
{
	size_t ps = be->page_size_of ? be->page_size_of(cfg) : 0;

	return ps ? ps : be->page_size;
}

int pb_mapping_create(const struct pb_backend *be, const struct pb_config *cfg,
		      size_t size, struct pb_mapping *m, char *err, size_t len)
{
	/*
	 * Align to 1 GiB whatever the page size, so a size of N GiB spans
	 * exactly N PUD entries and results compare across backends.
	 */
	size_t span = size + PB_SZ_1G;
	char *area = mmap(NULL, span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t aligned;

	if (area == MAP_FAILED) {
		snprintf(err, len, "reserving %zu bytes of address space: %s",
			 span, strerror(errno));
		return -1;
	}
	aligned = ((uintptr_t)area + PB_SZ_1G - 1) & ~(uintptr_t)(PB_SZ_1G - 1);
	/* Trim the slack; the backend maps over the rest with MAP_FIXED. */
	if (aligned > (uintptr_t)area)
		munmap(area, aligned - (uintptr_t)area);
	munmap((char *)aligned + size, (uintptr_t)area + span - aligned - size);

	m->addr = (char *)aligned;
	m->size = size;
	m->fd = -1;
	if (be->map(cfg, m, err, len)) {
		munmap(m->addr, size);
		m->addr = NULL;
		return -1;
	}
	return 0;
}

void pb_mapping_destroy(const struct pb_backend *be, struct pb_mapping *m)
{
	if (!m->addr)
		return;
	be->unmap(m);
	m->addr = NULL;
}

void pb_backends_release_all(void)
{
	for (int i = 0; pb_backends[i]; i++)
		if (pb_backends[i]->release)
			pb_backends[i]->release();
}
