// SPDX-License-Identifier: MIT
/* The operations table (see operation.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "operation.h"

const struct pb_operation pb_operations[] = {
	{ "downgrade", "down", "one mprotect(PROT_READ) of read-write memory", 1 },
	{ "upgrade", "up", "one mprotect(PROT_READ | PROT_WRITE) of read-only memory", 1 },
	{ "none", "none", "one mprotect(PROT_NONE) of read-only memory", 1 },
	/*
	 * mprotect-split-refault: MADV_DONTNEED, mprotect(PROT_READ), a touch of
	 * every page; putting the range back to read-write is neither timed nor
	 * counted
	 */
	{ "cycle", "cycle", "MADV_DONTNEED + mprotect(PROT_READ) + a read of every page "
			    "(the refaults)", 1 },
	{ "fault", "fault", "the first touch of one page: a page fault, no mprotect()", 0 },
	/* mremap-pud: the move, then a read of every page where it moved to */
	{ "move", "move", "one mremap(MREMAP_MAYMOVE | MREMAP_FIXED) of the whole mapping "
			  "to another 1 GiB-aligned address, no mprotect()", 0 },
	{ "touch", "touch", "a read of every page at the address a move left the mapping at "
			    "(its faults: the entries the move did not carry)", 0 },
	/*
	 * observer-cost: one look at the mapping by another process (a read of
	 * a /proc/PID file, a clear_refs write) or by the process itself
	 * (madvise, mincore); then a touch of every page (the refaults)
	 */
	{ "observe", "observe", "one read of a /proc/PID file by another process (or the "
				"madvise/mincore named), then a touch of every page", 0 },
	{ 0 },
};

const struct pb_operation *pb_operation_find(const char *name)
{
	for (const struct pb_operation *op = pb_operations; name && op->name; op++)
		if (!strcmp(op->name, name))
			return op;
	return NULL;
}

void pb_operation_names(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct pb_operation *op = pb_operations; op->name && n < len; op++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", op->name);
}
