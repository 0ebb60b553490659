// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "placement.h"

#include <errno.h>
#include <numa.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* a spin-wait hint to the CPU (SMT), where the architecture has one */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__powerpc64__)
	__asm__ __volatile__("or 1,1,1; or 2,2,2" ::: "memory");	/* low, then medium priority */
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static bool have_numa(void)
{
	static int avail = -2;

	if (avail == -2)
		avail = numa_available();
	return avail >= 0;
}

int pb_numa_node_of_cpu(int cpu)
{
	return have_numa() ? numa_node_of_cpu(cpu) : 0;
}

int pb_numa_nodes(void)
{
	return have_numa() ? numa_num_configured_nodes() : 1;
}

static int allowed_cpus(cpu_set_t *set)
{
	CPU_ZERO(set);
	return sched_getaffinity(0, sizeof(*set), set);
}

int pb_pick_main_cpu(int wanted, char *err, size_t len)
{
	cpu_set_t set;

	if (allowed_cpus(&set)) {
		snprintf(err, len, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	if (wanted >= 0) {
		if (wanted >= CPU_SETSIZE || !CPU_ISSET(wanted, &set)) {
			snprintf(err, len, "cpu %d is not online or not allowed for this process",
				 wanted);
			return -1;
		}
		return wanted;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			return cpu;
	snprintf(err, len, "no allowed CPU");
	return -1;
}

struct cpu_rank {
	int cpu, distance;
};

static int by_distance(const void *a, const void *b)
{
	const struct cpu_rank *x = a, *y = b;

	return x->distance != y->distance ? x->distance - y->distance : x->cpu - y->cpu;
}

int pb_pick_remote_cpus(int main_cpu, int nr, int *cpus, char *err, size_t len)
{
	struct cpu_rank ranks[CPU_SETSIZE];
	int main_node = pb_numa_node_of_cpu(main_cpu), n = 0;
	cpu_set_t set;

	if (nr == 0)
		return 0;
	if (allowed_cpus(&set)) {
		snprintf(err, len, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	/* Nearest node first: a shootdown to a far node is a separate case. */
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set) || cpu == main_cpu)
			continue;
		ranks[n].cpu = cpu;
		ranks[n].distance = have_numa() ?
			numa_distance(main_node, numa_node_of_cpu(cpu)) : 0;
		n++;
	}
	if (n < nr) {
		snprintf(err, len, "%d remote participants need %d CPUs besides CPU %d; %d allowed",
			 nr, nr, main_cpu, n);
		return -1;
	}
	qsort(ranks, n, sizeof(ranks[0]), by_distance);
	for (int i = 0; i < nr; i++)
		cpus[i] = ranks[i].cpu;
	return 0;
}

int pb_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

struct participant_arg {
	struct pb_participants *p;
	int idx;
};

static struct participant_arg participant_args[PB_MAX_REMOTE];

static void run_step(struct pb_participants *p, int i)
{
	struct pb_remote_probes *pr = &p->probes;

	if (pr->step == PB_STEP_ENTER) {
		(void)p->map_addr[0];
		(void)p->map_addr[p->map_size - 1];
	}
	for (int k = 0; k < pr->nr && pr->step != PB_STEP_ENTER; k++) {
		if (pr->step == PB_STEP_DIRTY) {
			pr->vals[i][k] = pb_probe_dirty(pr->addr[k]);
		} else {
			pr->writes[i] += pb_probe_write(pr->addr[k], pr->vals[i][k]);
			pr->tries[i]++;
		}
	}
	atomic_fetch_add_explicit(&pr->done, 1, memory_order_release);
}

static void *participant_main(void *varg)
{
	struct participant_arg *arg = varg;
	struct pb_participants *p = arg->p;
	int i = arg->idx;

	unsigned seen = 0;

	p->tids[i] = (pid_t)syscall(SYS_gettid);
	if (pb_pin_self(p->cpus[i]))
		p->tids[i] = -errno;
	atomic_fetch_add(&p->running, 1);

	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		if (p->mode == PB_REMOTE_LAZY) {
			/* asleep: this CPU idles with the mm loaded lazily */
			syscall(SYS_futex, &p->probes.seq, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
			if (atomic_load(&p->stop))
				break;
		} else if (p->mode == PB_REMOTE_SPIN) {
			/* Stay in user space in this mm: never lazy, never idle. */
			cpu_relax();
		} else {
			/* a pass in slices, so a probe step is not kept waiting */
			for (size_t n = 0; n < 64; n++) {
				(void)p->map_addr[p->read_off[i]];
				p->read_off[i] += 4096;
				if (p->read_off[i] >= p->map_size) {
					p->read_off[i] = 0;
					p->passes[i]++;
				}
			}
		}
		if (atomic_load_explicit(&p->probes.seq, memory_order_acquire) != seen) {
			seen = atomic_load(&p->probes.seq);
			run_step(p, i);
		}
	}
	return NULL;
}

static void wake_all(struct pb_participants *p)
{
	syscall(SYS_futex, &p->probes.seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* The state letter of thread @tid in /proc/self/task/TID/stat, or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	paren = strrchr(buf, ')');	/* the name may hold spaces and parentheses */
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/*
 * Until every lazy participant sleeps in its futex ('S'), then 2 ms more:
 * the state is set before schedule() has switched the CPU to its idle
 * task, and a TCG vCPU can be descheduled on the host in between.
 */
static void wait_asleep(struct pb_participants *p)
{
	const struct timespec settle = { .tv_nsec = 2 * 1000 * 1000 };

	for (int i = 0; i < p->nr_started; i++)
		while (thread_state(p->tids[i]) != 'S')
			sched_yield();
	nanosleep(&settle, NULL);
}

void pb_participants_set_probes(struct pb_participants *p, volatile char *const *addr, int nr)
{
	p->probes.nr = nr < PB_MAX_PROBES ? nr : PB_MAX_PROBES;
	for (int k = 0; k < p->probes.nr; k++)
		p->probes.addr[k] = addr[k];
}

void pb_participants_step(struct pb_participants *p, enum pb_remote_step step)
{
	if (!p->nr_started)
		return;
	p->probes.step = step;
	atomic_store(&p->probes.done, 0);
	atomic_fetch_add_explicit(&p->probes.seq, 1, memory_order_release);
	if (p->mode == PB_REMOTE_LAZY)
		wake_all(p);
	while (atomic_load_explicit(&p->probes.done, memory_order_acquire) < p->nr_started)
		cpu_relax();
	if (p->mode == PB_REMOTE_LAZY)
		wait_asleep(p);
}

void pb_participants_make_lazy(struct pb_participants *p)
{
	if (p->mode == PB_REMOTE_LAZY)
		pb_participants_step(p, PB_STEP_ENTER);
}

int pb_participants_start(struct pb_participants *p, const int *cpus, int nr,
			  enum pb_remote_mode mode, const char *map_addr, size_t map_size,
			  char *err, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->map_addr = map_addr;
	p->map_size = map_size;
	atomic_init(&p->running, 0);
	atomic_init(&p->stop, false);
	atomic_init(&p->probes.seq, 0);
	atomic_init(&p->probes.done, 0);
	if (nr > PB_MAX_REMOTE) {
		snprintf(err, len, "at most %d remote participants", PB_MAX_REMOTE);
		return -1;
	}
	for (int i = 0; i < nr; i++) {
		int rc;

		p->cpus[i] = cpus[i];
		participant_args[i] = (struct participant_arg){ p, i };
		rc = pthread_create(&p->threads[i], NULL, participant_main, &participant_args[i]);
		if (rc) {
			snprintf(err, len, "pthread_create: %s", strerror(rc));
			pb_participants_stop(p);
			return -1;
		}
		p->nr = p->nr_started = i + 1;
	}
	while (atomic_load(&p->running) < nr)
		sched_yield();
	for (int i = 0; i < nr; i++) {
		if (p->tids[i] < 0) {
			snprintf(err, len, "pinning participant to CPU %d: %s", cpus[i],
				 strerror(-p->tids[i]));
			pb_participants_stop(p);
			return -1;
		}
	}
	return 0;
}

void pb_participants_stop(struct pb_participants *p)
{
	atomic_store(&p->stop, true);
	if (p->mode == PB_REMOTE_LAZY) {
		atomic_fetch_add(&p->probes.seq, 1);
		wake_all(p);
	}
	for (int i = 0; i < p->nr_started; i++)
		pthread_join(p->threads[i], NULL);
	p->nr_started = 0;
}
