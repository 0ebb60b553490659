/* SPDX-License-Identifier: MIT */
/* Timestamps for per-call latency, and what taking one costs. */
#ifndef PUDBENCH_TIMING_H
#define PUDBENCH_TIMING_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC through the vDSO: no syscall, so no TLB side effects. */
static inline uint64_t pb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Median cost of one timestamp pair (back-to-back pb_now_ns()), measured
 * here: every latency carries this overhead, so results show it beside the
 * measured call.
 */
double pb_timer_overhead_ns(void);

#endif
