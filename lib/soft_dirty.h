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

/*
 * on: cleared once, before the first round; later rounds see entries
 * written since, soft-dirty.  Not before every round: that would also
 * make the process's own stack and heap fault in the counted windows.
 */
enum pb_soft_dirty_mode { PB_SOFT_DIRTY_OFF, PB_SOFT_DIRTY_ON };

extern const char *const pb_soft_dirty_choices[];

#define PB_SOFT_DIRTY_OPT                                                                       \
	{ "soft_dirty", "on: write 4 to /proc/self/clear_refs before the first round "          \
			"(soft-dirty tracking: write-notify on shared mappings).  On a kernel "  \
			"whose pagemap does not show a write after it as soft-dirty the case "  \
			"fails",                                                                 \
	  PB_OPT_ENUM, .min = 0, .max = PB_SOFT_DIRTY_ON, .def = PB_SOFT_DIRTY_OFF,              \
	  .choices = pb_soft_dirty_choices }

/*
 * Before the first round, outside any window: with soft_dirty = on, clear
 * the soft-dirty bits, check that the kernel tracks them, and write the
 * process's own resident pages once (so their tracking faults are not
 * counted in a window).  0, or -1 with the case error.  On kernels without a clear_refs walker for PUD
 * leaves the clear zaps a device-dax PUD (it refaults on the next touch,
 * in a warm-up round when there is one).
 */
int pb_case_soft_dirty_start(struct pb_case *c);

#endif
