/* SPDX-License-Identifier: MIT */
/* What a guest's console and kernel log say about how it died or what it warned. */
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

/*
 * The function a kernel log line names: "pudp_invalidate" of "WARNING:
 * arch/x86/mm/pgtable.c:527 at pudp_invalidate+0x2c/0x102, CPU#0: ..." or
 * of "RIP: 0010:pudp_invalidate+0x2c/0x102" (the first symbol+0xOFF/0xSIZE).
 * false (and "") when it names none: a kernel without KALLSYMS prints
 * addresses only.
 */
bool pb_console_function(const char *line, char *fn, size_t len);

/* The WARNING and BUG lines (lib/kmsg.c's pb_kmsg_is_warning()) of a kernel log. */
struct pb_console_warnings {
	unsigned count;
	char first[200];	/* the first, without its timestamp */
	char function[96];	/* its function, from its line or its RIP line; "" if none */
};

/*
 * Those of kernel log @log (dmesg, one message a line) before the first
 * line that starts with @until (NULL: the whole log).  false when @until
 * is not in the log: then the log does not say what was logged before it.
 */
bool pb_console_warnings(const char *log, const char *until, struct pb_console_warnings *w);

/* Is function @got @fn, or a compiler clone of it ("fn.isra.0", "fn.constprop.0")? */
bool pb_console_same_function(const char *got, const char *fn);

/*
 * Whether @log has a WARNING/BUG in function @fn (or a compiler clone of
 * it, "fn.isra.0"); the first such line into @line.
 */
bool pb_console_warned_in(const char *log, const char *fn, char *line, size_t len);

#endif
