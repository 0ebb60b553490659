/* SPDX-License-Identifier: MIT */
/* Running helper scripts (the tools/vm scripts) with a deadline. */
#ifndef PUDBENCH_SUBPROC_H
#define PUDBENCH_SUBPROC_H

#include <signal.h>
#include <stddef.h>

/*
 * Set from a SIGINT/SIGTERM handler: a running child gets SIGTERM (its
 * trap stops QEMU and removes its temp files), SIGKILL 10 s later, and the
 * call returns 130.
 */
extern volatile sig_atomic_t pb_spawn_stop;

/*
 * Run @argv (argv[0] a path) with stdin from /dev/null and stderr inherited.
 * stdout goes into @out (NUL-terminated, truncated to @len) when @out is
 * given, else to our stdout.  After @timeout_s seconds (0: none) the child
 * gets SIGTERM, then SIGKILL 10 s later.  Returns the exit status,
 * 128+signal, 124 on timeout, -1 if it could not be started.
 */
int pb_spawn_wait(char *const argv[], char *out, size_t len, unsigned timeout_s);

/* The same, with the child's stderr written to the file @errlog (truncated). */
int pb_spawn_wait_log(char *const argv[], char *out, size_t len, unsigned timeout_s,
		      const char *errlog);

#endif
