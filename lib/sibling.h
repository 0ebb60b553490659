/* SPDX-License-Identifier: MIT */
/*
 * A sibling process of a case: forked from the measuring process, it shares
 * nothing with the case's mm but what it maps itself, and talks to the case
 * over a pipe pair (commands in, replies out).  hugetlb-pmd-unshare's
 * table-sharing process and observer-cost's observer are siblings.
 */
#ifndef PUDBENCH_SIBLING_H
#define PUDBENCH_SIBLING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct pb_sibling {
	pid_t pid;
	int cmd, reply;		/* the case's ends of the pipes */
};

#define PB_SIBLING_INIT { .pid = -1, .cmd = -1, .reply = -1 }

/* The sibling's side: serve commands from @cmd, answer on @reply, return to _exit(). */
typedef int (*pb_sibling_main_fn)(void *arg, int cmd, int reply);

/* Fork @s running @main(@arg, ...); 0, or -1 with errno (nothing left running). */
int pb_sibling_start(struct pb_sibling *s, pb_sibling_main_fn main, void *arg);

/*
 * Send @quit (@len bytes) and reap it; a sibling that does not take it is
 * killed.  Safe on a sibling that never started.
 */
void pb_sibling_stop(struct pb_sibling *s, const void *quit, size_t len);

/* Read (or write, @wr) all @len bytes of @fd: 0, or -1 on EOF or error. */
int pb_full_io(int fd, void *buf, size_t len, bool wr);

#endif
