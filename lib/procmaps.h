/* SPDX-License-Identifier: MIT */
/*
 * This process's mappings as the kernel reports them (/proc/self/maps,
 * smaps and pagemap): how many VMAs a range spans, which page size backs
 * it, and a range's pagemap entries.
 */
#ifndef PUDBENCH_PROCMAPS_H
#define PUDBENCH_PROCMAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

/* VMAs that overlap [@addr, @addr + @size); -1 if maps is unreadable. */
int pb_maps_count_vmas(const void *addr, size_t size);

/*
 * Calls @fn(start, end, perms, @arg) for each of this process's VMAs, perms
 * as maps prints them ("rw-p"), from a copy of maps read first (so @fn may
 * allocate); stops at @fn's first non-zero return and returns it.  -1 with
 * errno if maps is unreadable.
 */
int pb_maps_each(int (*fn)(uintptr_t start, uintptr_t end, const char *perms, void *arg), void *arg);

/*
 * The page-size fields of the smaps entry of the VMA holding @addr (kB:
 * Size, Rss, KernelPageSize, MMUPageSize, AnonHugePages, ...); NULL if none.
 * It walks the page tables, and on kernels without a PUD-leaf handler in
 * the smaps walker that zaps a device-dax PUD: read it after the last
 * measurement of a mapping, never during or between.
 */
json_object *pb_smaps_of(const void *addr);

/*
 * The @n pagemap entries of @pid (0: this process) from @addr on, into @e
 * (Documentation/admin-guide/mm/pagemap.rst: bit 63 present, 55 soft-dirty);
 * 0, or -1 with errno.
 */
int pb_pagemap_entries(pid_t pid, uint64_t addr, size_t n, uint64_t *e);

#endif
