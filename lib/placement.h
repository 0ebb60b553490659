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

#define PB_MAX_PROBES 4

/*
 * What the measuring thread asks every participant to do, between two of
 * its own steps: dirty the probe bytes (so the participant's CPU holds
 * writable TLB entries for them), or try to write them (after the
 * mprotect(PROT_READ) that must have flushed those entries), or just read
 * the mapping (PB_STEP_ENTER: a lazy participant's CPU runs in the mm
 * once more before it idles).
 */
enum pb_remote_step { PB_STEP_DIRTY, PB_STEP_TRY_WRITE, PB_STEP_ENTER };

struct pb_remote_probes {
	volatile char *addr[PB_MAX_PROBES];
	int nr;
	enum pb_remote_step step;
	atomic_uint seq;		/* bumped for each step */
	atomic_int done;		/* participants through the current step */
	char vals[PB_MAX_REMOTE][PB_MAX_PROBES];	/* DIRTY: what each read */
	long writes[PB_MAX_REMOTE];	/* TRY_WRITE: writes that went through */
	long tries[PB_MAX_REMOTE];
};

struct pb_participants {
	int nr;
	enum pb_remote_mode mode;
	int cpus[PB_MAX_REMOTE];
	pid_t tids[PB_MAX_REMOTE];
	unsigned long passes[PB_MAX_REMOTE];	/* read mode: passes over the mapping */
	size_t read_off[PB_MAX_REMOTE];		/* read mode: where the pass is */
	/* private */
	pthread_t threads[PB_MAX_REMOTE];
	int nr_started;
	const volatile char *map_addr;
	size_t map_size;
	atomic_int running;
	atomic_bool stop;
	struct pb_remote_probes probes;
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

/*
 * Have every participant run @step on the probe addresses set with
 * pb_participants_set_probes(), and wait until all have.  The pb_probe
 * SIGSEGV handler must be installed for PB_STEP_TRY_WRITE.  Lazy
 * participants are woken for the step and it returns once every one
 * sleeps again, its CPU idle with the mm loaded lazily.
 */
void pb_participants_set_probes(struct pb_participants *p, volatile char *const *addr, int nr);
void pb_participants_step(struct pb_participants *p, enum pb_remote_step step);

/*
 * Lazy mode: every participant runs in the mm on its CPU, reads the
 * mapping and sleeps again (PB_STEP_ENTER), so that CPU is idle in lazy
 * TLB mode for the next call.  A no-op in the other modes.
 */
void pb_participants_make_lazy(struct pb_participants *p);

#endif
