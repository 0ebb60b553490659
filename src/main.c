// SPDX-License-Identifier: MIT
/*
 * pudbench-bin: the measuring program.  The ./pudbench script in the
 * repository root installs dependencies and builds it, then calls it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "commands.h"
#include "bench.h"
#include "config.h"
#include "counters.h"
#include "devdax.h"
#include "env.h"
#include "harness.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pudbench-bin run [--config FILE] [--out DIR] [--device /dev/daxX.Y]\n"
		"                        [--destructive] [--backends a,b] [--benches a,b]\n"
		"                        [--repeat N]\n"
		"       pudbench-bin list\n"
		"       pudbench-bin compare [--json] [--alpha A] [--gate FILE] BASE NEW...\n"
		"       pudbench-bin plot DIR [--out PLOTDIR]\n"
		"       pudbench-bin cover-letter [--report] DIR\n"
		"\n"
		"run   run the cases of a configuration, write DIR/results.json and .csv\n"
		"list  benchmarks, backends (with why one is unavailable here),\n"
		"      device-dax devices and counters\n"
		"compare  BASE vs NEW results: tables, significance, --gate for CI\n"
		"plot     gnuplot PNG and SVG plots of a results or matrix directory\n"
		"cover-letter  the patch cover letter's data table from a kernel matrix\n");
}

/* Replace a config name list from a comma-separated option. */
static int set_list(char (*list)[PB_CFG_NAME_MAX], unsigned *nr, const char *opt,
		    const char *arg)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	*nr = 0;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (*nr == PB_CFG_MAX_LIST || strlen(tok) >= PB_CFG_NAME_MAX) {
			fprintf(stderr, "pudbench: --%s: too many or too long names\n", opt);
			return -1;
		}
		snprintf(list[(*nr)++], PB_CFG_NAME_MAX, "%s", tok);
	}
	if (!*nr) {
		fprintf(stderr, "pudbench: --%s: empty list\n", opt);
		return -1;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
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
	const char *config = NULL, *device = NULL, *backends = NULL, *benches = NULL;
	const char *repeat = NULL;
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
		case 'b': backends = optarg; break;
		case 'B': benches = optarg; break;
		case 'r': repeat = optarg; break;
		case 'h': usage(stdout); return 0;
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
	if (backends) {
		cfg.backends_auto = !strcmp(backends, "auto");
		if (!cfg.backends_auto && set_list(cfg.backends, &cfg.nr_backends, "backends", backends))
			return PB_EXIT_USAGE;
	}
	if (benches && set_list(cfg.benches, &cfg.nr_benches, "benches", benches))
		return PB_EXIT_USAGE;
	/* overrides repeat = in [run], checked the same way */
	if (repeat && pb_config_parse_repeat(repeat, &cfg.repeat, err, sizeof(err))) {
		fprintf(stderr, "pudbench: --repeat: %s\n", err);
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
	if (!out[0]) {
		time_t now = time(NULL);

		strftime(out, sizeof(out), "results/%Y%m%d-%H%M%S", localtime(&now));
	}
	return pb_harness_run(&cfg, out);
}

static void print_dax(const struct pb_devdax_info *d, void *arg)
{
	(void)arg;
	printf("  %-14s size %llu  align %lu  node %d  %s\n", d->path, d->size, d->align, d->node,
	       d->system_ram ? "system-ram (kmem): never used" :
	       d->enabled ? "devdax" : "disabled");
}

static int cmd_list(void)
{
	struct pb_config cfg;
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct pb_counters *ctrs;
	char why[512];

	pb_config_defaults(&cfg);
	printf("benchmarks:\n");
	for (int i = 0; pb_benches[i]; i++)
		printf("  %-24s %s\n", pb_benches[i]->name, pb_benches[i]->summary);
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
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return cmd_list();
	if (!strcmp(argv[1], "kernels"))
		return pb_cmd_kernels(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return pb_cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plot"))
		return pb_cmd_plot(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cover-letter"))
		return pb_cmd_cover_letter(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "pudbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return PB_EXIT_USAGE;
}
