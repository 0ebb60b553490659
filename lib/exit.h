/* SPDX-License-Identifier: MIT */
/*
 * Exit statuses of every pudbench command, one meaning each (the README's
 * "Exit status" table), so a CI job can tell a regression from a typo.
 */
#ifndef PUDBENCH_EXIT_H
#define PUDBENCH_EXIT_H

enum pb_exit {
	PB_EXIT_OK = 0,
	/*
	 * It ran and wrote its output, but something in it failed: a case
	 * (run), a kernel (kernels), a plot (plot), a gate rule (compare --gate).
	 */
	PB_EXIT_FAILED = 1,
	/* bad arguments, config or input files: nothing was run or written */
	PB_EXIT_USAGE = 2,
	/* SIGINT/SIGTERM: what finished before is kept (run, kernels) */
	PB_EXIT_INTERRUPTED = 3,
};

#endif
