// SPDX-License-Identifier: MIT
/*
 * correctness: after mprotect(PROT_READ) a write must fault.  Each round
 * first writes to probe pages so the TLB holds writable entries, then
 * downgrades and tries to write the same bytes again; a write that does not
 * raise SIGSEGV went through a stale TLB entry.  The writes store back the
 * value that is there, so a stale write cannot corrupt the data check the
 * harness does afterwards.  The kernel log check comes from the harness.
 */
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

static int correctness_run(struct pb_case *c)
{
	struct pb_series down[PB_STRATEGY_MAX] = { 0 };
	struct sigaction old;
	int ns = c->nr_strategies, rc = -1;

	for (int k = 0; k < ns; k++)
		if (pb_series_init(&down[k], "downgrade", c->strategies[k], c->bcfg->iterations)) {
			pb_case_error(c, "out of memory");
			goto out;
		}
	pb_write_probe_begin(&old);
	for (unsigned i = 0; i < pb_case_rounds(c); i++) {
		for (int k = 0; k < ns; k++) {
			if (pb_case_select_strategy(c, k) || pb_case_probed_downgrade(c, &down[k], i) ||
			    pb_case_protect(c, PROT_READ | PROT_WRITE))
				goto out;
		}
	}
	rc = 0;
	for (int k = 0; k < ns && !rc; k++)
		rc = pb_case_emit(c, &down[k]);
out:
	pb_write_probe_end(&old);
	for (int k = 0; k < ns; k++)
		pb_series_free(&down[k]);
	return rc;
}

const struct pb_bench pb_bench_correctness = {
	.name = "correctness",
	.summary = "write after PROT_READ must fault; data intact; kernel log clean",
	.uses_remote = true,
	.uses_strategies = true,
	.populate = true,
	.preserves_data = true,
	.run = correctness_run,
};
