/* SPDX-License-Identifier: MIT */
/* Device-dax discovery through libdaxctl (read-only: never reconfigures). */
#ifndef PUDBENCH_DEVDAX_H
#define PUDBENCH_DEVDAX_H

#include <limits.h>
#include <stdbool.h>

struct pb_devdax_info {
	char path[PATH_MAX];		/* /dev/daxX.Y */
	unsigned long long size;
	unsigned long align;
	int node;			/* target NUMA node, -1 unknown */
	bool system_ram;		/* bound to kmem: never touch */
	bool enabled;
};

typedef void (*pb_devdax_cb)(const struct pb_devdax_info *info, void *arg);

/* Calls @cb for every dax device; returns how many, or -1. */
int pb_devdax_list(pb_devdax_cb cb, void *arg);

/* 0 if @path is an enabled devdax-mode device; else -1 and why. */
int pb_devdax_check(const char *path, struct pb_devdax_info *info, char *why, size_t len);

#endif
