// SPDX-License-Identifier: MIT
#include "timing.h"

#include "stats.h"

#define OVERHEAD_SAMPLES 10001

double pb_timer_overhead_ns(void)
{
	static double samples[OVERHEAD_SAMPLES];
	struct pb_stats st;

	for (int i = 0; i < OVERHEAD_SAMPLES; i++) {
		uint64_t t0 = pb_now_ns();
		uint64_t t1 = pb_now_ns();

		samples[i] = (double)(t1 - t0);
	}
	if (pb_stats_compute(samples, OVERHEAD_SAMPLES, &st))
		return -1;
	return st.median;
}
