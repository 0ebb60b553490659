// SPDX-License-Identifier: MIT
/* pudbench run: the cases of a configuration, into DIR/results.{json,csv}. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "devdax.h"
#include "harness.h"

/* --backends, --benches and --repeat set the [run] key of their name. */
enum { OPT_CONFIG, OPT_OUT, OPT_DEVICE, OPT_DESTRUCTIVE, OPT_BACKENDS, OPT_BENCHES, OPT_REPEAT,
       NR_OPTS };

static const struct pb_cli_arg run_args[] = {
	[OPT_CONFIG] = { "config", "FILE", "the run's config (default: built-in defaults)" },
	[OPT_OUT] = { "out", "DIR", "where results.json and .csv go (default: results/<timestamp>)" },
	[OPT_DEVICE] = { "device", "/dev/daxX.Y", "a device-dax device to measure on" },
	[OPT_DESTRUCTIVE] = { "destructive", NULL, "allow writing to --device (never written "
						   "without)" },
	[OPT_BACKENDS] = { "backends", "a,b", "[run] backends, over the config's" },
	[OPT_BENCHES] = { "benches", "a,b", "[run] benches, over the config's" },
	[OPT_REPEAT] = { "repeat", "N", "[run] repeat, over the config's" },
	{ 0 },
};

/* Options override the config file; a named device is checked before anything is written. */
static int run_main(int argc, char **argv)
{
	const char *given[NR_OPTS] = { 0 };	/* each option's value, "" for a flag */
	char out[256], err[1024];
	struct pb_config cfg;
	int opt;

	while ((opt = pb_cli_next(&pb_command_run, argc, argv)) >= 0)
		given[opt] = optarg ? optarg : "";
	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	pb_config_defaults(&cfg);
	if (given[OPT_CONFIG] && pb_config_load(&cfg, given[OPT_CONFIG], err, sizeof(err))) {
		fprintf(stderr, "pudbench: %s\n", err);
		return PB_EXIT_USAGE;
	}
	if (given[OPT_DEVICE])
		snprintf(cfg.device, sizeof(cfg.device), "%s", given[OPT_DEVICE]);
	if (given[OPT_DESTRUCTIVE])
		cfg.destructive = true;
	for (int i = OPT_BACKENDS; i < NR_OPTS; i++)
		if (given[i] && pb_config_set(&cfg, run_args[i].name, given[i], err, sizeof(err))) {
			fprintf(stderr, "pudbench: --%s: %s\n", run_args[i].name, err);
			return PB_EXIT_USAGE;
		}
	/* A named device is checked before anything is written anywhere. */
	if (cfg.device[0]) {
		struct pb_devdax_info info;

		if (pb_devdax_check(cfg.device, &info, err, sizeof(err))) {
			fprintf(stderr, "pudbench: refusing --device: %s\n", err);
			return PB_EXIT_USAGE;
		}
	}
	if (given[OPT_OUT]) {
		snprintf(out, sizeof(out), "%s", given[OPT_OUT]);
	} else {
		time_t now = time(NULL);

		strftime(out, sizeof(out), "results/%Y%m%d-%H%M%S", localtime(&now));
	}
	return pb_harness_run(&cfg, out);
}

const struct pb_command pb_command_run = { .name = "run", .run = run_main, .args = run_args,
	.summary = "run every case of a configuration, write DIR/results.json and .csv" };
