/* SPDX-License-Identifier: MIT */
/*
 * Soft-dirty tracking of the measuring process, the option `soft_dirty` of
 * the benchmarks that declare PB_SOFT_DIRTY_OPT in their opts table.
 * Writing 4 to /proc/self/clear_refs clears VM_SOFTDIRTY on every VMA, so a
 * shared writable one (device-dax) wants write-notify: its vm_page_prot
 * loses the write bit, and mprotect(PROT_READ | PROT_WRITE) makes an entry
 * writable only where the kernel can tell a write is already tracked
 * (can_change_pmd_writable(): soft-dirty and dirty); elsewhere the next
 * write faults.
 */
#ifndef PUDBENCH_SOFT_DIRTY_H
#define PUDBENCH_SOFT_DIRTY_H

#include <stdbool.h>

struct pb_case;

enum pb_soft_dirty_mode {
	PB_SOFT_DIRTY_OFF,
	/* cleared once before the first round: later rounds see written, soft-dirty entries */
	PB_SOFT_DIRTY_ONCE,
	/* cleared before every round: each round's first write must fault (be tracked) */
	PB_SOFT_DIRTY_EVERY_ROUND,
};

extern const char *const pb_soft_dirty_choices[];

#define PB_SOFT_DIRTY_OPT                                                                       \
	{ "soft_dirty", "write 4 to /proc/self/clear_refs (soft-dirty tracking, write-notify "  \
			"on shared mappings) once before the first round, or before every "      \
			"round; outside the counted windows.  On a kernel whose pagemap does "   \
			"not show a write after it as soft-dirty the case fails",               \
	  PB_OPT_ENUM, .min = 0, .max = PB_SOFT_DIRTY_EVERY_ROUND, .def = PB_SOFT_DIRTY_OFF,     \
	  .choices = pb_soft_dirty_choices }

/*
 * Before step @i of the rounds (0 first; outside any window): clear the soft-dirty bits if the
 * case's option says so.  On the first round it checks first that the
 * kernel tracks soft-dirty.  0, or -1 with the case error.  On kernels
 * without a clear_refs walker for PUD leaves the clear zaps a device-dax
 * PUD (it refaults on the next touch).
 */
int pb_case_soft_dirty_round(struct pb_case *c, unsigned i);

#endif
