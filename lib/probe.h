/* SPDX-License-Identifier: MIT */
/*
 * Guarded accesses: does a write (or a read) to an address go through, or
 * does it fault?  Any thread may probe; the SIGSEGV handler jumps back to
 * the probing thread's own jump buffer, so the measuring thread and the
 * remote participants can probe at the same time.
 */
#ifndef PUDBENCH_PROBE_H
#define PUDBENCH_PROBE_H

#include <signal.h>

/* Install the handler (process-wide); keep @old to restore it. */
void pb_probe_install(struct sigaction *old);
void pb_probe_restore(const struct sigaction *old);

/*
 * 1 if a write of @v to @p went through, 0 if it faulted.  @v is what
 * pb_probe_dirty() read there, stored back unread: a stale write cannot
 * change the data, and no read fault can map the page again first.
 */
int pb_probe_write(volatile char *p, char v);

/* 1 if a read of @p went through, 0 if it faulted. */
int pb_probe_read(const volatile char *p);

/* Make the page writable in this CPU's TLB: the store the probes follow. */
static inline char pb_probe_dirty(volatile char *p)
{
	char v = *p;

	*p = v;
	return v;
}

#endif
