/* SPDX-License-Identifier: MIT */
/*
 * Kernel log watcher: remembers the end of /dev/kmsg when a case starts and
 * at the end reads what the kernel logged meanwhile, counting "bad pud"
 * reports, "Bad rss-counter" reports (also BUG lines) and WARNING/BUG lines.
 * It keeps the interesting lines, and after a WARNING/BUG the next "RIP: "
 * line: the function, when the first line names only a file.
 */
#ifndef PUDBENCH_KMSG_H
#define PUDBENCH_KMSG_H

#include <stdbool.h>
#include <stddef.h>

#define PB_KMSG_KEEP 8		/* lines kept verbatim for the results */
/*
 * At most this many "bad pud" and "Bad rss-counter" lines each: a flood of
 * them (a stock 7.3 logs one per mremap() of a devdax PUD) leaves room for
 * the first other WARNING/BUG and its RIP line.
 */
#define PB_KMSG_KEEP_REPEATED 3
#define PB_KMSG_LINE 256

struct pb_kmsg {
	int fd;
	bool measured;		/* the log could be watched: the counts are real */
	char unavailable[128];	/* why, when not measured */
	unsigned bad_pud, bad_rss, warnings, lines;
	unsigned nr_kept, kept_bad_pud, kept_bad_rss;
	bool rip_wanted;	/* a WARNING/BUG whose RIP line is not kept yet */
	char kept[PB_KMSG_KEEP][PB_KMSG_LINE];
};

/* Start watching; on failure !w->measured and w->unavailable says why. */
void pb_kmsg_start(struct pb_kmsg *w);
/* Read everything logged since start (or the previous collect). */
void pb_kmsg_collect(struct pb_kmsg *w);
void pb_kmsg_stop(struct pb_kmsg *w);

/* Classify one message text; exposed for the tests. */
void pb_kmsg_account(struct pb_kmsg *w, const char *text);
/* A WARNING or BUG line ("WARNING:", "BUG:", "kernel BUG"): what kernel_warnings counts. */
bool pb_kmsg_is_warning(const char *text);

#endif
