// SPDX-License-Identifier: MIT
/*
 * A run from start to end: its checks, the results it opens, the noise and
 * counters it holds for its whole length, its cases (expand.c), then its
 * status and summary.
 */
#define _GNU_SOURCE
#include "harness.h"
#include "harness_private.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "env.h"
#include "noise.h"
#include "repeat.h"

volatile sig_atomic_t harness_interrupted;

static void on_interrupt(int sig)
{
	harness_interrupted = sig;
}

/* The CPUs cases run on: the main one and the most participants the config asks for. */
static void bench_cpus(const struct run_ctx *rx, cpu_set_t *set)
{
	int cpus[PB_MAX_REMOTE], most = 0;
	char err[256];

	CPU_ZERO(set);
	CPU_SET(rx->main_cpu, set);
	for (unsigned i = 0; i < rx->cfg->nr_remote_cpus; i++)
		if ((int)rx->cfg->remote_cpus[i] > most)
			most = (int)rx->cfg->remote_cpus[i];
	/* too many for this machine: the cases with that many are skipped anyway */
	while (most > 0 && pb_pick_remote_cpus(rx->main_cpu, most, cpus, err, sizeof(err)))
		most--;
	for (int i = 0; i < most; i++)
		CPU_SET(cpus[i], set);
}

/* Before the results open: the config's names, the main CPU, the strategies. */
static int prepare_run(struct run_ctx *rx, struct pb_strategies *knob,
		       json_object **strategies_desc)
{
	const struct pb_config *cfg = rx->cfg;
	char err[512];

	if (pb_harness_validate(cfg))
		return PB_EXIT_USAGE;
	rx->main_cpu = pb_pick_main_cpu(cfg->cpu, err, sizeof(err));
	if (rx->main_cpu < 0) {
		fprintf(stderr, "%s: key 'cpu' in [run]: %s\n", cfg->path, err);
		return PB_EXIT_USAGE;
	}
	if (pb_strategies_detect(knob, err, sizeof(err))) {
		fprintf(stderr, "pudbench: %s\n", err);
		return PB_EXIT_USAGE;
	}
	rx->nr_strategies = harness_select_strategies(cfg, knob, rx->strategies, strategies_desc);
	return rx->nr_strategies < 0 ? PB_EXIT_USAGE : PB_EXIT_OK;
}

/* The results with the environment and the strategies; -1 when they cannot be opened. */
static int open_results(struct run_ctx *rx, const char *out_dir, json_object *strategies_desc)
{
	struct pb_results *res = rx->res;

	if (pb_results_open(res, out_dir, pb_env_json(rx->cfg))) {
		json_object_put(strategies_desc);
		return -1;
	}
	json_object_object_add(res->doc, "strategies", strategies_desc);
	printf("pudbench: kernel %s, %s, results in %s\n",
	       json_object_get_string(json_object_object_get(
		       json_object_object_get(res->doc, "env"), "kernel_release")),
	       pb_virtualization(), res->json_path);
	return 0;
}

/* The run's status into the results, its summary line; the exit status. */
static int finish_run(struct run_ctx *rx)
{
	struct pb_results *res = rx->res;
	int status;

	if (harness_interrupted) {
		pb_results_set_status(res, "interrupted");
		status = PB_EXIT_INTERRUPTED;
	} else {
		pb_results_set_status(res, rx->failed ? "failed" : "complete");
		status = rx->failed ? PB_EXIT_FAILED : PB_EXIT_OK;
	}
	pb_results_flush(res);
	printf("pudbench: %s; %zu records, %d failed cases; timestamp cost %.0f ns (in every "
	       "latency); results: %s\n",
	       harness_interrupted ? "interrupted" : "done",
	       json_object_array_length(json_object_object_get(res->doc, "results")), rx->failed,
	       json_object_get_double(json_object_object_get(
		       json_object_object_get(res->doc, "env"), "timer_overhead_ns")),
	       res->json_path);
	pb_results_close(res);
	return status;
}

int pb_harness_run(const struct pb_config *cfg, const char *out_dir)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct pb_strategies knob;
	json_object *strategies_desc;
	struct pb_results res;
	struct pb_noise noise;
	struct pb_counters *keys_on;
	cpu_set_t cpus;
	struct run_ctx rx = { .cfg = cfg, .res = &res, .knob = &knob };
	int status = prepare_run(&rx, &knob, &strategies_desc);

	if (status != PB_EXIT_OK)
		return status;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (open_results(&rx, out_dir, strategies_desc))
		return PB_EXIT_USAGE;
	harness_open_backends(&rx);
	pb_results_flush(&res);
	bench_cpus(&rx, &cpus);
	pb_noise_start(&noise, &cpus, stdout);
	/*
	 * The same events, held open on this process for the whole run: the
	 * kernel's static keys behind them (perf_sched_events, the tracepoints)
	 * then stay on, so a case opening and closing its counters does not
	 * patch kernel text each time: a patch is IPIs to every CPU during a
	 * measurement.  (In a QEMU guest, init holds them from before the
	 * second CPU comes up, which also keeps TCG's patching race away:
	 * guest/init.sh.)
	 */
	keys_on = pb_counters_open((pid_t[]){ (pid_t)syscall(SYS_gettid) }, 1);
	pb_results_print_header(stdout);

	harness_run_cases(&rx);

	pb_backends_release_all();
	pb_counters_close(keys_on);
	if (cfg->repeat > 1)
		pb_results_print_reps(stdout, &res, cfg->repeat);
	pb_noise_finish(&noise, json_object_object_get(res.doc, "env"), stdout);
	return finish_run(&rx);
}
