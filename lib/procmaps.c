// SPDX-License-Identifier: MIT
/* /proc/self/maps, smaps and pagemap (see procmaps.h). */
#define _GNU_SOURCE
#include "procmaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A VMA's first line, "start-end perms ..."; other smaps lines are fields. */
static bool vma_line(const char *line, uintptr_t *start, uintptr_t *end)
{
	unsigned long lo, hi;

	if (sscanf(line, "%lx-%lx ", &lo, &hi) != 2)
		return false;
	*start = lo;
	*end = hi;
	return true;
}

struct overlap {
	uintptr_t lo, hi;
	int n;
};

static int count_overlap(uintptr_t start, uintptr_t end, const char *perms, void *arg)
{
	struct overlap *o = arg;

	(void)perms;
	o->n += start < o->hi && end > o->lo;
	return 0;
}

struct vma_range {
	uintptr_t start, end;
	char perms[5];
};

int pb_maps_each(int (*fn)(uintptr_t start, uintptr_t end, const char *perms, void *arg), void *arg)
{
	FILE *f = fopen("/proc/self/maps", "re");
	struct vma_range *v = NULL, *grown;
	size_t n = 0, cap = 0, line_cap = 0;
	char *line = NULL;
	int rc = 0;

	if (!f)
		return -1;
	while (getline(&line, &line_cap, f) > 0) {
		unsigned long lo, hi;
		char perms[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				rc = -1;
				goto out;
			}
			v = grown;
		}
		v[n].start = lo;
		v[n].end = hi;
		memcpy(v[n++].perms, perms, sizeof(perms));
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = fn(v[i].start, v[i].end, v[i].perms, arg);
out:
	free(line);
	free(v);
	fclose(f);
	return rc;
}

int pb_maps_count_vmas(const void *addr, size_t size)
{
	struct overlap o = { (uintptr_t)addr, (uintptr_t)addr + size, 0 };

	return pb_maps_each(count_overlap, &o) ? -1 : o.n;
}

static const char *const smaps_fields[] = {
	"Size", "Rss", "KernelPageSize", "MMUPageSize", "AnonHugePages",
	"ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb",
};

json_object *pb_smaps_of(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	uintptr_t at = (uintptr_t)addr, start, end;
	json_object *o = NULL;
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char key[64];
		long kb;

		if (vma_line(line, &start, &end)) {
			if (o)
				break;	/* past our VMA */
			if (at >= start && at < end)
				o = json_object_new_object();
			continue;
		}
		if (!o || sscanf(line, "%63[^:]: %ld kB", key, &kb) != 2)
			continue;
		for (size_t i = 0; i < sizeof(smaps_fields) / sizeof(*smaps_fields); i++)
			if (!strcmp(key, smaps_fields[i]))
				json_object_object_add(o, key, json_object_new_int64(kb));
	}
	free(line);
	fclose(f);
	return o;
}

int pb_pagemap_entries(pid_t pid, uint64_t addr, size_t n, uint64_t *e)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), want = n * sizeof(*e);
	char path[64];
	ssize_t got;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	got = pread(fd, e, want, (off_t)(addr / ps * sizeof(*e)));
	close(fd);
	if (got != (ssize_t)want) {
		errno = got < 0 ? errno : EIO;
		return -1;
	}
	return 0;
}
