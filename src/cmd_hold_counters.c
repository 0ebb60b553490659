// SPDX-License-Identifier: MIT
/*
 * pudbench hold-counters: open the counters' perf events on this process
 * and keep them open until SIGTERM/SIGINT.
 *
 * Opening the first such event flips kernel static keys (perf_sched_events,
 * the software-event and tlb:tlb_flush tracepoint keys), which live-patches
 * kernel text with int3 and IPIs.  QEMU's multi-threaded TCG has a race in
 * that: the other vCPU can run an int3 that has already been patched away,
 * and the guest dies with "Oops: int3" (seen in __schedule() and in
 * do_user_addr_fault()).  The guest's init therefore runs this command while
 * only CPU 0 is online and brings the other CPUs back after; every later
 * open by the harness only takes a reference.  --cycles N opens and closes
 * N times instead (each close flips the tracepoint keys off again): the
 * reproducer of that race.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "commands.h"
#include "counters.h"
#include "exit.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum { OPT_READY, OPT_CYCLES };

static const struct pb_cli_arg hold_args[] = {
	[OPT_READY] = { "ready", "FILE", "create FILE once they are open, only if every event that "
					 "flips a static key (software, tracepoints) opened" },
	[OPT_CYCLES] = { "cycles", "N", "open and close N times, then exit (flips the keys N times)" },
	{ 0 },
};

/* The same events a case opens, on this thread; NULL after saying why. */
static struct pb_counters *open_counters(pid_t self)
{
	struct pb_counters *c = pb_counters_open(&self, 1);

	if (!c)
		fprintf(stderr, "pudbench: hold-counters: cannot open counters: %s\n", strerror(errno));
	return c;
}

/*
 * Say which events opened and which did not (the guest keeps this log);
 * true when every event whose open flips a static key is open.
 */
static bool report_keys_held(const struct pb_counters *c)
{
	bool all = true;

	for (int id = 0; id < PB_CTR__COUNT; id++) {
		const char *why;
		bool open = pb_counter_available(c, id, &why);

		if (!pb_counter_flips_static_key(id))
			continue;
		if (pb_counter_absent(c, id)) {
			printf("hold-counters: %-24s absent: %s\n", pb_counter_name(id), why);
			continue;
		}
		printf("hold-counters: %-24s %s%s\n", pb_counter_name(id), open ? "open" : "FAILED: ",
		       open ? "" : why);
		all &= open;
	}
	fflush(stdout);
	return all;
}

/* -1 to go on with the options in @ready and @cycles, else the exit status (--help: 0). */
static int parse_args(int argc, char **argv, const char **ready, long *cycles)
{
	int opt;
	char *end;

	while ((opt = pb_cli_next(&pb_command_hold_counters, argc, argv)) >= 0) {
		if (opt == OPT_READY) {
			*ready = optarg;
			continue;
		}
		errno = 0;
		*cycles = strtol(optarg, &end, 10);
		if (errno || *end || *cycles < 1) {
			fprintf(stderr, "pudbench: hold-counters: --cycles wants a positive integer, "
					"not '%s'\n", optarg);
			return PB_EXIT_USAGE;
		}
	}
	return opt == PB_CLI_DONE ? -1 : pb_cli_status(opt);
}

static int hold_counters_main(int argc, char **argv)
{
	const char *ready = NULL;
	long cycles = 0;
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct sigaction sa = { .sa_handler = on_signal };
	struct pb_counters *c;
	int status = parse_args(argc, argv, &ready, &cycles);

	if (status >= 0)
		return status;
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	for (long n = 0; n < cycles && !stop; n++) {
		if (!(c = open_counters(self)))
			return PB_EXIT_FAILED;
		pb_counters_close(c);
	}
	if (cycles) {
		printf("hold-counters: %ld open/close cycles\n", cycles);
		return PB_EXIT_OK;
	}

	if (!(c = open_counters(self)))
		return PB_EXIT_FAILED;
	/* not ready: what did open stays held (its keys stay on), but nobody may count on it */
	if (ready && !report_keys_held(c)) {
		fprintf(stderr, "pudbench: hold-counters: not every key-flipping event opened; "
				"not creating %s\n", ready);
		ready = NULL;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (!f) {
			fprintf(stderr, "pudbench: hold-counters: cannot create %s: %s\n", ready,
				strerror(errno));
			pb_counters_close(c);
			return PB_EXIT_FAILED;
		}
		fclose(f);
	}
	/* blocked while testing stop, so a signal cannot slip in before the wait */
	sigprocmask(SIG_BLOCK, &block, &old);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	pb_counters_close(c);
	return PB_EXIT_OK;
}

const struct pb_command pb_command_hold_counters = { .name = "hold-counters",
	.run = hold_counters_main, .args = hold_args,
	.summary = "hold the counters' perf events open until SIGTERM, so the static keys behind "
		   "them stay on (the guest's init, before its CPUs come up)" };
