/* SPDX-License-Identifier: MIT */
/*
 * Event counters for one case: perf events opened through libperf on every
 * thread of the process (the measuring thread and the remote participants),
 * plus system-wide counters from procfs.  A counter that cannot be opened is
 * *unavailable* with a reason; it is never reported as 0.
 */
#ifndef PUDBENCH_COUNTERS_H
#define PUDBENCH_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PB_MAX_THREADS 65	/* measuring thread + 64 participants */
#define PB_MAX_CPUS 256		/* columns of /proc/interrupts kept per CPU */

enum pb_counter_id {
	/* software perf events, per thread */
	PB_CTR_FAULTS,
	PB_CTR_MINOR_FAULTS,
	PB_CTR_MAJOR_FAULTS,
	/* tracepoint tlb:tlb_flush, per thread, one filtered event each */
	PB_CTR_TLB_TASK_SWITCH,
	PB_CTR_TLB_REMOTE_SHOOTDOWN,
	PB_CTR_TLB_LOCAL_SHOOTDOWN,
	PB_CTR_TLB_LOCAL_MM_SHOOTDOWN,
	PB_CTR_TLB_REMOTE_SEND_IPI,
	/* local flushes only (reasons local and local-mm shootdown) */
	PB_CTR_TLB_FULL_FLUSH,		/* pages == TLB_FLUSH_ALL */
	PB_CTR_TLB_RANGED_FLUSH,	/* pages != TLB_FLUSH_ALL */
	/* hardware perf events, per thread */
	PB_CTR_CYCLES,
	PB_CTR_DTLB_MISSES,
	/* system-wide, procfs */
	PB_CTR_TLB_IPIS_RECEIVED,	/* /proc/interrupts "TLB:", all CPUs */
	PB_CTR_CALL_IPIS_RECEIVED,	/* /proc/interrupts "CAL:" (smp_call_function), all CPUs */
	PB_CTR_THP_SPLIT_PUD,		/* /proc/vmstat */
	PB_CTR_NR_TLB_REMOTE_FLUSH,
	PB_CTR_NR_TLB_REMOTE_FLUSH_RECEIVED,
	PB_CTR_NR_TLB_LOCAL_FLUSH_ALL,
	PB_CTR_NR_TLB_LOCAL_FLUSH_ONE,
	/*
	 * tracepoint powerpc:tlbie, per thread: each tlbie/tlbiel the radix
	 * (or hash) MMU code issues.  A broadcast tlbie invalidates on every
	 * CPU without an IPI: POWER's "remote shootdown".
	 */
	PB_CTR_TLBIE_LOCAL,		/* local == 1: tlbiel, this CPU only */
	PB_CTR_TLBIE_GLOBAL,		/* local == 0: broadcast tlbie */
	PB_CTR__COUNT
};

/* The /proc/interrupts rows also kept per CPU: IPIs each CPU received. */
enum pb_cpu_ipi { PB_CPU_IPI_TLB, PB_CPU_IPI_CALL, PB_CPU_IPI__COUNT };

struct pb_counter_snapshot {
	/*
	 * perf: the sum over threads.  system-wide (procfs): read before the
	 * perf events; sys_late[] is read again after them.  Reading a
	 * participant's event IPIs its CPU (~1 CAL per event), so a window
	 * runs from before->sys_late to after->total and holds none of the
	 * snapshots' own IPIs, chained snapshots included.
	 */
	uint64_t total[PB_CTR__COUNT];
	uint64_t sys_late[PB_CTR__COUNT];
	uint64_t thread[PB_MAX_THREADS][PB_CTR__COUNT];	/* perf only */
	/*
	 * A read that failed: its value is meaningless.  In an accumulator
	 * it sticks, so the counter reports null instead of a difference
	 * against a 0 that wraps around.
	 */
	bool failed[PB_CTR__COUNT];
	int nr_threads;
	/*
	 * The "TLB:" and "CAL:" rows per CPU column, read with total[] and
	 * sys_late[] alike; valid where the row's total counter is (failed[]
	 * of pb_cpu_ipi_counter()).  nr_cpus columns, 0 when not read.
	 */
	uint64_t cpu_ipis[PB_CPU_IPI__COUNT][PB_MAX_CPUS];
	uint64_t cpu_ipis_late[PB_CPU_IPI__COUNT][PB_MAX_CPUS];
	int nr_cpus;
};

/* The system-wide counter whose per-CPU split @k is (PB_CTR_TLB_IPIS_RECEIVED, ...). */
enum pb_counter_id pb_cpu_ipi_counter(enum pb_cpu_ipi k);

struct pb_counters;

/* Open all counters for @tids (tids[0] = measuring thread). NULL + errno on hard failure only. */
struct pb_counters *pb_counters_open(const pid_t *tids, int nr_tids);
void pb_counters_close(struct pb_counters *c);

/* Stable JSON/CSV key, e.g. "tlb_remote_shootdown". */
const char *pb_counter_name(enum pb_counter_id id);
bool pb_counter_is_per_thread(enum pb_counter_id id);

/* false with *reason set ("no PMU", "perf_event_paranoid=2", "no tracefs", ...). */
bool pb_counter_available(const struct pb_counters *c, enum pb_counter_id id, const char **reason);

/*
 * How an available counter is limited, or NULL: e.g. user-mode only under
 * perf_event_paranoid=2.
 */
const char *pb_counter_note(const struct pb_counters *c, enum pb_counter_id id);

/*
 * Read every available counter; unavailable ones read as 0 and must be
 * masked by the caller.  A counter whose read fails is marked in
 * snap->failed (and the call returns -1).
 */
int pb_counters_read(struct pb_counters *c, struct pb_counter_snapshot *snap);

/* Take @n events of counter @id off @thread's value and the total (not below 0). */
void pb_counter_discount(struct pb_counter_snapshot *snap, enum pb_counter_id id, int thread,
			 uint64_t n);

/*
 * *@delta = after - before of counter @id on @thread: false (and no delta)
 * when a read failed or the counter went backwards, never a wrapped value.
 */
bool pb_counter_thread_delta(const struct pb_counter_snapshot *before,
			     const struct pb_counter_snapshot *after, enum pb_counter_id id,
			     int thread, uint64_t *delta);

/*
 * Does opening @id flip a kernel static key (perf software events and the
 * tracepoints do; the hardware events and procfs do not)?
 */
bool pb_counter_flips_static_key(enum pb_counter_id id);

/*
 * Is @id unavailable because this kernel has no such event (powerpc:tlbie
 * on x86) or, measured, never fires it (tlb:tlb_flush on powerpc)?  Such
 * an event has no key to hold.
 */
bool pb_counter_absent(const struct pb_counters *c, enum pb_counter_id id);

/* acc += after - before, for totals and threads; failed reads stick in acc->failed. */
void pb_counter_accumulate(struct pb_counter_snapshot *acc,
			   const struct pb_counter_snapshot *before,
			   const struct pb_counter_snapshot *after);

/*
 * The CPU numbers of the per-CPU columns (from /proc/interrupts' header,
 * read when the counters were opened): *@ids, and how many.
 */
int pb_counters_cpus(const struct pb_counters *c, const int **ids);
/* The column of CPU @cpu, or -1. */
int pb_counters_cpu_column(const struct pb_counters *c, int cpu);

/* tracefs mount point found ("/sys/kernel/tracing"), or NULL. */
const char *pb_tracefs_path(void);

#endif
