/* SPDX-License-Identifier: MIT */
/*
 * This process's mappings as the kernel reports them (/proc/self/maps and
 * smaps): how many VMAs a range spans, and which page size backs it.
 */
#ifndef PUDBENCH_PROCMAPS_H
#define PUDBENCH_PROCMAPS_H

#include <stddef.h>

#include <json-c/json.h>

/* VMAs that overlap [@addr, @addr + @size); -1 if maps is unreadable. */
int pb_maps_count_vmas(const void *addr, size_t size);

/*
 * The page-size fields of the smaps entry of the VMA holding @addr (kB:
 * Size, Rss, KernelPageSize, MMUPageSize, AnonHugePages, ...); NULL if none.
 * It walks the page tables, and on kernels without a PUD-leaf handler in
 * the smaps walker that zaps a device-dax PUD: read it after the last
 * measurement of a mapping, never during or between.
 */
json_object *pb_smaps_of(const void *addr);

#endif
