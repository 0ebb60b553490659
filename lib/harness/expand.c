// SPDX-License-Identifier: MIT
/*
 * A run's cases: repetitions x benchmarks x backends x sizes x remote
 * counts x remote modes.  A case that cannot run here (backend, size,
 * reservation, CPUs) is skipped with the reason; the others run each in
 * its own child (fork.c).
 */
#include "harness_private.h"

#include <stdio.h>
#include <string.h>

/* A case that cannot run here, with why: the same every repetition, so said once. */
static void skip_case(struct run_ctx *rx, const struct pb_case *c, const char *why)
{
	if (rx->rep > 0)
		return;
	printf("%-22s %-10s skipped: %s\n", c->bench->name, c->backend->name, why);
	pb_results_add_skip(rx->res, harness_case_id(c), why);
}

/* A case larger than its backend's reservation: false with why. */
static bool fits_reservation(const struct run_backend *rb, const struct pb_case *c, char *why,
			     size_t len)
{
	if (c->size <= rb->room)
		return true;
	snprintf(why, len, "needs %zu MiB of %s pages, the run could reserve only %zu MiB: %s",
		 c->size >> 20, rb->be->name, rb->room >> 20, rb->short_of);
	return false;
}

static void run_one(struct run_ctx *rx, const struct pb_bench *bench,
		    const struct pb_bench_config *bcfg, const struct run_backend *rb,
		    unsigned size_gib, unsigned nr_remote, enum pb_remote_mode mode)
{
	const struct pb_backend *be = rb->be;
	struct pb_case c = {
		.bench = bench,
		.backend = be,
		.cfg = rx->cfg,
		.bcfg = bcfg,
		.page_size = pb_backend_page_size(be, rx->cfg),
		.size = (size_t)size_gib * PB_SZ_1G,
		.cpu = rx->main_cpu,
		.nr_remote = (int)nr_remote,
		.remote_mode = mode,
		.knob = rx->knob,
		.nr_strategies = pb_bench_has(bench, PB_BENCH_STRATEGIES) ? rx->nr_strategies : 1,
	};
	char err[512];

	memcpy(c.strategies, rx->strategies, sizeof(c.strategies));
	if ((bench->supports && !bench->supports(be, err, sizeof(err))) ||
	    !fits_reservation(rb, &c, err, sizeof(err)) ||
	    pb_pick_remote_cpus(rx->main_cpu, c.nr_remote, c.remote_cpus, err, sizeof(err))) {
		skip_case(rx, &c, err);
	} else if (harness_run_case(&c, rx->res, rx->rep)) {
		rx->failed++;
	}
	/* a crashed case must not leave the next one on its strategy */
	pb_strategies_restore(rx->knob);
	pb_results_flush(rx->res);
}

static void skip_size(struct run_ctx *rx, const struct pb_bench *bench,
		      const struct pb_backend *be, unsigned size_gib)
{
	struct pb_case c = { .bench = bench, .backend = be, .size = (size_t)size_gib * PB_SZ_1G };
	char why[128];

	snprintf(why, sizeof(why), "needs at least %u GiB (sizes_gib = %u)", bench->min_size_gib,
		 size_gib);
	skip_case(rx, &c, why);
}

/* Every size x remote count x remote mode of one benchmark on one backend. */
static void run_bench(struct run_ctx *rx, const struct pb_bench *bench,
		      const struct run_backend *rb)
{
	const struct pb_backend *be = rb->be;
	const struct pb_config *cfg = rx->cfg;
	const struct pb_bench_config *bcfg = pb_config_bench(cfg, bench->name);
	/* without participants the remote axes collapse to one case */
	unsigned nr_counts = pb_bench_has(bench, PB_BENCH_REMOTE) ? cfg->nr_remote_cpus : 1;

	for (unsigned s = 0; s < bcfg->nr_sizes && !harness_interrupted; s++) {
		if (bcfg->sizes_gib[s] < bench->min_size_gib) {
			skip_size(rx, bench, be, bcfg->sizes_gib[s]);
			continue;
		}
		for (unsigned r = 0; r < nr_counts && !harness_interrupted; r++) {
			unsigned nr_remote = pb_bench_has(bench, PB_BENCH_REMOTE) ? cfg->remote_cpus[r] : 0;
			unsigned nr_modes = nr_remote ? cfg->nr_remote_modes : 1;

			for (unsigned m = 0; m < nr_modes && !harness_interrupted; m++) {
				/* read-mode participants would fault on its PROT_NONE */
				if (pb_bench_has(bench, PB_BENCH_REMOTE_SPIN_ONLY) && nr_remote &&
				    cfg->remote_modes[m] != PB_REMOTE_SPIN)
					continue;
				/* lazy CPUs must be made lazy again before each call */
				if (!pb_bench_has(bench, PB_BENCH_REMOTE_LAZY) && nr_remote &&
				    cfg->remote_modes[m] == PB_REMOTE_LAZY)
					continue;
				run_one(rx, bench, bcfg, rb, bcfg->sizes_gib[s], nr_remote,
					cfg->remote_modes[m]);
			}
		}
	}
}

/* repetitions interleaved: A B C, A B C, ... so drift hits every case alike */
void harness_run_cases(struct run_ctx *rx)
{
	const struct pb_config *cfg = rx->cfg;

	for (unsigned r = 0; r < cfg->repeat && !harness_interrupted; r++) {
		rx->rep = cfg->repeat > 1 ? (int)r : -1;
		if (cfg->repeat > 1)
			printf("-- repetition %u/%u\n", r + 1, cfg->repeat);
		for (unsigned bi = 0; bi < cfg->nr_benches && !harness_interrupted; bi++)
			for (int b = 0; b < rx->nr_backends && !harness_interrupted; b++)
				run_bench(rx, pb_bench_find(cfg->benches[bi]), &rx->backends[b]);
	}
}
