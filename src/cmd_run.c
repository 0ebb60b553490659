// SPDX-License-Identifier: MIT
/* pudbench run: the cases of a configuration, into DIR/results.{json,csv}. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "config.h"
#include "devdax.h"
#include "harness.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pudbench-bin run [--config FILE] [--out DIR] [--device /dev/daxX.Y]\n"
		"                        [--destructive] [--backends a,b] [--benches a,b]\n"
		"                        [--repeat N]\n"
		"Runs every case of the config (default: built-in defaults) and writes\n"
		"DIR/results.json and results.csv (DIR: results/<timestamp>).\n"
		"A device-dax device is only written with --device and --destructive.\n");
}

/* Options override the config file; a named device is checked before anything is written. */
int pb_cmd_run(int argc, char **argv)
{
	/* options that set a [run] key */
	struct {
		const char *key, *value;
	} overrides[] = { { "backends" }, { "benches" }, { "repeat" } };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "device", required_argument, NULL, 'd' },
		{ "destructive", no_argument, NULL, 'D' },
		{ "backends", required_argument, NULL, 'b' },
		{ "benches", required_argument, NULL, 'B' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *config = NULL, *device = NULL;
	char out[256], err[1024];
	struct pb_config cfg;
	bool destructive = false;
	int opt;

	out[0] = '\0';
	while ((opt = getopt_long(argc, argv, "c:o:d:Db:B:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'o': snprintf(out, sizeof(out), "%s", optarg); break;
		case 'd': device = optarg; break;
		case 'D': destructive = true; break;
		case 'b': overrides[0].value = optarg; break;
		case 'B': overrides[1].value = optarg; break;
		case 'r': overrides[2].value = optarg; break;
		case 'h': usage(stdout); return PB_EXIT_OK;
		default: usage(stderr); return PB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pudbench: unexpected argument '%s'\n", argv[optind]);
		return PB_EXIT_USAGE;
	}
	pb_config_defaults(&cfg);
	if (config && pb_config_load(&cfg, config, err, sizeof(err))) {
		fprintf(stderr, "pudbench: %s\n", err);
		return PB_EXIT_USAGE;
	}
	if (device)
		snprintf(cfg.device, sizeof(cfg.device), "%s", device);
	if (destructive)
		cfg.destructive = true;
	/* they override the config's keys, checked as the file's are */
	for (size_t i = 0; i < sizeof(overrides) / sizeof(*overrides); i++) {
		if (!overrides[i].value)
			continue;
		if (pb_config_set(&cfg, overrides[i].key, overrides[i].value, err, sizeof(err))) {
			fprintf(stderr, "pudbench: --%s: %s\n", overrides[i].key, err);
			return PB_EXIT_USAGE;
		}
	}
	/* A named device is checked before anything is written anywhere. */
	if (cfg.device[0]) {
		struct pb_devdax_info info;

		if (pb_devdax_check(cfg.device, &info, err, sizeof(err))) {
			fprintf(stderr, "pudbench: refusing --device: %s\n", err);
			return PB_EXIT_USAGE;
		}
	}
	if (!out[0]) {
		time_t now = time(NULL);

		strftime(out, sizeof(out), "results/%Y%m%d-%H%M%S", localtime(&now));
	}
	return pb_harness_run(&cfg, out);
}
