// SPDX-License-Identifier: MIT
/* pudbench list: what this machine offers, and why a backend is unavailable. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend.h"
#include "bench.h"
#include "commands.h"
#include "config.h"
#include "counters.h"
#include "devdax.h"
#include "env.h"
#include "exit.h"

static void print_dax(const struct pb_devdax_info *d, void *arg)
{
	(void)arg;
	printf("  %-14s size %llu  align %lu  node %d  %s\n", d->path, d->size, d->align, d->node,
	       d->system_ram ? "system-ram (kmem): never used" :
	       d->enabled ? "devdax" : "disabled");
}

static int list_main(int argc, char **argv)
{
	struct pb_config cfg;
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct pb_counters *ctrs;
	char why[512];
	int opt = pb_cli_next(&pb_command_list, argc, argv);

	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	pb_config_defaults(&cfg);
	printf("benchmarks:\n");
	for (int i = 0; pb_benches[i]; i++) {
		const struct pb_bench_opt *o = pb_benches[i]->opts;

		printf("  %-24s %s\n", pb_benches[i]->name, pb_benches[i]->summary);
		for (; o && o->name; o++) {	/* set in [bench:NAME] */
			if (o->kind == PB_OPT_INT) {
				printf("      option %s = %ld (%ld..%ld): %s\n", o->name, o->def,
				       o->min, o->max, o->help);
				continue;
			}
			printf("      option %s = %s (", o->name, o->choices[o->def]);
			for (int k = 0; o->choices[k]; k++)
				printf("%s%s", k ? "|" : "", o->choices[k]);
			printf("): %s\n", o->help);
		}
	}
	printf("backends:\n");
	for (int i = 0; pb_backends[i]; i++) {
		bool ok = pb_backends[i]->probe(&cfg, why, sizeof(why));

		printf("  %-12s %-9s %s%s%s\n", pb_backends[i]->name, ok ? "available" : "-",
		       pb_backends[i]->summary, ok ? "" : "\n               unavailable: ",
		       ok ? "" : why);
	}
	printf("device-dax devices (libdaxctl):\n");
	if (pb_devdax_list(print_dax, NULL) <= 0)
		printf("  none\n");
	printf("counters (this process, this machine):\n");
	ctrs = pb_counters_open(&self, 1);
	for (int id = 0; ctrs && id < PB_CTR__COUNT; id++) {
		const char *reason = NULL;
		bool ok = pb_counter_available(ctrs, id, &reason);

		printf("  %-32s %s%s\n", pb_counter_name(id), ok ? "available" : "unavailable: ",
		       ok ? "" : reason);
	}
	if (ctrs)
		pb_counters_close(ctrs);
	else
		printf("  cannot open counters: %s\n", strerror(errno));
	printf("virtualization: %s\n", pb_virtualization());
	return PB_EXIT_OK;
}

const struct pb_command pb_command_list = { .name = "list", .run = list_main,
	.summary = "benchmarks and their options, backends (with why one is unavailable here), "
		   "device-dax devices, counters" };
