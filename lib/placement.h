/* SPDX-License-Identifier: MIT */
/*
 * CPU placement (topology from libnuma) and remote participants: threads of
 * the benchmark's own process pinned to other CPUs.  Only a CPU that is
 * running in the mm receives a TLB shootdown, so without them no remote
 * flush is ever measured.
 */
#ifndef PUDBENCH_PLACEMENT_H
#define PUDBENCH_PLACEMENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"

#define PB_MAX_REMOTE 64

struct pb_participants {
	int nr;
	enum pb_remote_mode mode;
	int cpus[PB_MAX_REMOTE];
	pid_t tids[PB_MAX_REMOTE];
	unsigned long passes[PB_MAX_REMOTE];	/* read mode: passes over the mapping */
	/* private */
	pthread_t threads[PB_MAX_REMOTE];
	int nr_started;
	const volatile char *map_addr;
	size_t map_size;
	atomic_int running;
	atomic_bool stop;
};

/* The measuring thread's CPU: @wanted, or the first allowed CPU if -1. */
int pb_pick_main_cpu(int wanted, char *err, size_t len);

/*
 * Choose @nr CPUs other than @main_cpu, nearest NUMA node first.
 * Returns 0, or -1 with why (e.g. not enough CPUs).
 */
int pb_pick_remote_cpus(int main_cpu, int nr, int *cpus, char *err, size_t len);

int pb_pin_self(int cpu);
int pb_numa_node_of_cpu(int cpu);
int pb_numa_nodes(void);

/*
 * Start participants; they run until pb_participants_stop().  Read mode
 * reads @map_addr..+@map_size at a 4 KiB stride, round and round.
 * Returns once every participant is running on its CPU.
 */
int pb_participants_start(struct pb_participants *p, const int *cpus, int nr,
			  enum pb_remote_mode mode, const char *map_addr, size_t map_size,
			  char *err, size_t len);
void pb_participants_stop(struct pb_participants *p);

#endif
