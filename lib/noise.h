/* SPDX-License-Identifier: MIT */
/*
 * The noise record: how quiet the machine was at the start and at the end
 * of a run (load average, runnable tasks, CPU frequency governor and clock,
 * THP and NUMA-balancing settings) and how much of the benchmark CPUs other
 * tasks used in between.
 *
 * Other tasks' share: /proc/stat busy time (user, nice, system, irq,
 * softirq) of the benchmark CPUs between start and end, minus what
 * pudbench itself used (getrusage() of itself and of its reaped case
 * processes, all of which run pinned to those CPUs), over wall time times
 * the number of those CPUs.  Hypervisor steal time is reported apart.
 */
#ifndef PUDBENCH_NOISE_H
#define PUDBENCH_NOISE_H

/* cpu_set_t: include with _GNU_SOURCE defined */
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include <json-c/json.h>

/* A run is "not quiet" beyond these. */
#define PB_NOISE_MAX_LOAD 1.0		/* 1-minute load average at the start */
#define PB_NOISE_MAX_OTHERS_PCT 5.0	/* others' share of the benchmark CPUs */
#define PB_NOISE_MAX_STEAL_PCT 5.0	/* hypervisor steal on the benchmark CPUs */

struct pb_noise {
	cpu_set_t cpus;			/* the benchmark CPUs */
	struct timespec t0;
	double own0;			/* pudbench's CPU seconds at the start */
	unsigned long long *busy0, *steal0;	/* per CPU, jiffies */
	int nr;
	json_object *start, *start_warnings;
};

/* Snapshot the start for the benchmark CPUs @cpus; print its warnings to @f now. */
void pb_noise_start(struct pb_noise *n, const cpu_set_t *cpus, FILE *f);

/*
 * Snapshot the end, add env.noise {start, end, benchmark_cpus, quiet,
 * warnings} to @env and print to @f the warnings about the run itself (the
 * start's were printed by pb_noise_start()).  Returns the number of warnings.
 * Frees what pb_noise_start() took.
 */
int pb_noise_finish(struct pb_noise *n, json_object *env, FILE *f);

#endif
