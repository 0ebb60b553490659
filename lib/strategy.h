/* SPDX-License-Identifier: MIT */
/*
 * PUD protection strategies.  A kernel with the bench-only knob of
 * patches/0002 selects at run time how change_pud_range() treats a leaf
 * PUD: "inplace" (upstream), "inplace_ad" (patches/0001), "split"; the
 * test kernel adds the negative control "broken_noflush".  Any other kernel
 * has one strategy, its own path, recorded as "kernel" ("unknown" when
 * debugfs cannot be read, as for a normal user).
 */
#ifndef PUDBENCH_STRATEGY_H
#define PUDBENCH_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>

#define PB_STRATEGY_KNOB "/sys/kernel/debug/pudbench/pud_prot_strategy"
#define PB_STRATEGY_MAX 8
#define PB_STRATEGY_NAME 32

struct pb_strategies {
	bool knob;			/* false: the kernel's own path only */
	int nr;
	char names[PB_STRATEGY_MAX][PB_STRATEGY_NAME];
	char initial[PB_STRATEGY_NAME];	/* the knob's value before the run */
};

/* Read the knob (if any) into @s. 0, or -1 with why. */
int pb_strategies_detect(struct pb_strategies *s, char *why, size_t len);

/* Select @name through the knob; a no-op without one. */
int pb_strategy_select(const struct pb_strategies *s, const char *name);

/* Put the knob back to what it was before the run. */
void pb_strategies_restore(const struct pb_strategies *s);

#endif
