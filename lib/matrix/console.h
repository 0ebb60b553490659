/* SPDX-License-Identifier: MIT */
/* What a guest's console log says about how it died. */
#ifndef PUDBENCH_CONSOLE_H
#define PUDBENCH_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The first oops-like line of @console ("Oops: ", "BUG: ", "general
 * protection fault", "Kernel panic"), without its timestamp, and the
 * kernel RIP after it: "Oops: int3: 0000 [#1] PREEMPT SMP NOPTI at
 * __schedule+0x407/0xbf0".  A CI log that keeps only a kernel's reason
 * still says which failure it was.  false (and "") when there is none.
 */
bool pb_console_first_oops(const char *console, char *out, size_t len);

#endif
