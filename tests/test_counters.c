// SPDX-License-Identifier: MIT
/* Tests of lib/counters.c against the running kernel (run as root). */
#define _GNU_SOURCE
#include "counters.h"
#include "tap.h"

#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE 4096UL
#define NR_PAGES 256

static char *map_4k(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		TAP_FAIL("mmap %zu: %s", len, strerror(errno));
	/* one fault per 4 KiB page, not one per 2 MiB */
	if (madvise(p, len, MADV_NOHUGEPAGE))
		TAP_FAIL("madvise: %s", strerror(errno));
	return p;
}

static __attribute__((noinline)) void touch_pages(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		((volatile char *)p)[off] = 1;
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		SKIP("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

/*
 * Snapshot pair with its pages, and the code of the read path, already
 * faulted in: faults of the measurement itself must not be counted.
 */
struct window {
	struct pb_counters *c;
	struct pb_counter_snapshot before, after, delta;
};

static void window_open(struct window *w, const pid_t *tids, int nr)
{
	char *warm = map_4k(PAGE);
	const char *why;

	memset(w, 0, sizeof(*w));
	w->c = pb_counters_open(tids, nr);
	if (!w->c)
		TAP_FAIL("pb_counters_open: %s", strerror(errno));
	/* unprivileged runs cannot count; as root, unavailable is a failure */
	if (geteuid() && !pb_counter_available(w->c, PB_CTR_FAULTS, &why))
		SKIP("%s", why);
	touch_pages(warm, PAGE);
	ASSERT_EQ(0, pb_counters_read(w->c, &w->after));
	ASSERT_EQ(0, pb_counters_read(w->c, &w->before));
}

static void window_close(struct window *w)
{
	ASSERT_EQ(0, pb_counters_read(w->c, &w->after));
	pb_counter_accumulate(&w->delta, &w->before, &w->after);
}

static uint64_t per_thread(const struct window *w, int t, enum pb_counter_id id)
{
	const char *why;

	if (!pb_counter_available(w->c, id, &why))
		TAP_FAIL("%s unavailable: %s", pb_counter_name(id), why);
	return w->delta.thread[t][id];
}

/* ------------------------------------------------- helper thread on CPU 1 */

enum { CMD_SPIN, CMD_TOUCH, CMD_STOP };

struct helper {
	pthread_t thread;
	_Atomic pid_t tid;
	_Atomic int cmd, done;
	char *mem;
	size_t len;
};

static void *helper_main(void *arg)
{
	struct helper *h = arg;

	pin_to(1);
	h->tid = gettid();
	for (;;) {
		int cmd = atomic_load(&h->cmd);

		if (cmd == CMD_STOP)
			return NULL;
		if (cmd == CMD_TOUCH && !h->done) {
			touch_pages(h->mem, h->len);
			h->done = 1;
		}
		__builtin_ia32_pause();	/* busy: keep this mm live on CPU 1 */
	}
}

static void helper_start(struct helper *h, char *mem, size_t len)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP("needs 2 CPUs");
	pin_to(0);
	memset(h, 0, sizeof(*h));
	h->mem = mem;
	h->len = len;
	if (pthread_create(&h->thread, NULL, helper_main, h))
		TAP_FAIL("pthread_create");
	while (!h->tid)
		__builtin_ia32_pause();
}

static void helper_stop(struct helper *h)
{
	h->cmd = CMD_STOP;
	pthread_join(h->thread, NULL);
}

/* ------------------------------------------------------------------ tests */

/* Count this thread while it first-touches NR_PAGES fresh 4 KiB pages. */
static void touch_fresh_pages_counted(struct window *w)
{
	pid_t self = gettid();
	char *p = map_4k(NR_PAGES * PAGE);

	window_open(w, &self, 1);
	touch_pages(p, NR_PAGES * PAGE);
	window_close(w);
}

TEST(faults_exact_for_fresh_4k_pages)
{
	struct window w;

	touch_fresh_pages_counted(&w);
	ASSERT_EQ(NR_PAGES, per_thread(&w, 0, PB_CTR_FAULTS));
	ASSERT_EQ(NR_PAGES, per_thread(&w, 0, PB_CTR_MINOR_FAULTS));
	ASSERT_EQ(0, per_thread(&w, 0, PB_CTR_MAJOR_FAULTS));
	ASSERT_EQ(NR_PAGES, w.delta.total[PB_CTR_FAULTS]);
	pb_counters_close(w.c);
}

static void skip_without_tracefs(void)
{
	pid_t self = gettid();
	struct pb_counters *c;
	const char *why;

	if (pb_tracefs_path())
		return;
	c = pb_counters_open(&self, 1);
	ASSERT_TRUE(c);
	ASSERT_FALSE(pb_counter_available(c, PB_CTR_TLB_REMOTE_SHOOTDOWN, &why));
	SKIP("%s", why);
}

/* Every local flush of a thread is either full or ranged. */
static void assert_tlb_partition(const struct window *w, int t)
{
	uint64_t local = per_thread(w, t, PB_CTR_TLB_LOCAL_SHOOTDOWN) +
			 per_thread(w, t, PB_CTR_TLB_LOCAL_MM_SHOOTDOWN);

	ASSERT_EQ(local, per_thread(w, t, PB_CTR_TLB_FULL_FLUSH) +
			 per_thread(w, t, PB_CTR_TLB_RANGED_FLUSH));
}

/*
 * The reason filters come from the tracepoint's print fmt; a wrong mapping
 * would put a single-threaded mprotect() under another reason.
 */
TEST(tlb_reasons_parsed_and_filtered)
{
	static const enum pb_counter_id need[] = {
		PB_CTR_TLB_REMOTE_SHOOTDOWN, PB_CTR_TLB_LOCAL_MM_SHOOTDOWN,
		PB_CTR_TLB_REMOTE_SEND_IPI, PB_CTR_TLB_FULL_FLUSH, PB_CTR_TLB_RANGED_FLUSH,
	};
	size_t len = 1 << 20;	/* 256 pages: above the 33-page ranged-flush ceiling */
	pid_t self = gettid();
	char *p = map_4k(len);
	struct window w;
	const char *why;

	skip_without_tracefs();
	pin_to(0);
	touch_pages(p, len);
	window_open(&w, &self, 1);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!pb_counter_available(w.c, need[i], &why))
			TAP_FAIL("%s unavailable: %s", pb_counter_name(need[i]), why);

	ASSERT_EQ(0, mprotect(p, len, PROT_READ));		/* whole mm */
	ASSERT_EQ(0, mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE));	/* 2 pages */
	window_close(&w);
	for (int id = PB_CTR_TLB_TASK_SWITCH; id <= PB_CTR_TLB_RANGED_FLUSH; id++)
		TH_INFO("%-24s %" PRIu64, pb_counter_name(id), w.delta.thread[0][id]);
	/*
	 * One local flush per call.  "remote IPI send" may come too: a CPU this
	 * process ran on earlier can stay in mm_cpumask, and is then skipped.
	 */
	ASSERT_EQ(2, per_thread(&w, 0, PB_CTR_TLB_LOCAL_MM_SHOOTDOWN));
	ASSERT_LE(per_thread(&w, 0, PB_CTR_TLB_REMOTE_SEND_IPI), 2);
	/* no other thread of this mm: nothing to receive, nothing mm-less */
	ASSERT_EQ(0, per_thread(&w, 0, PB_CTR_TLB_REMOTE_SHOOTDOWN));
	ASSERT_EQ(0, per_thread(&w, 0, PB_CTR_TLB_LOCAL_SHOOTDOWN));
	ASSERT_GE(per_thread(&w, 0, PB_CTR_TLB_FULL_FLUSH), 1);
	ASSERT_GE(per_thread(&w, 0, PB_CTR_TLB_RANGED_FLUSH), 1);
	assert_tlb_partition(&w, 0);
	pb_counters_close(w.c);
}

/* Available iff perf_event_open() itself accepts the event, and then counting. */
TEST(hw_counters_unavailable_or_counting)
{
	static const struct {
		enum pb_counter_id id;
		uint32_t type;
		uint64_t config;
	} hw[] = {
		{ PB_CTR_CYCLES, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
		{ PB_CTR_DTLB_MISSES, PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_DTLB |
			(PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16) },
	};
	struct window w;

	touch_fresh_pages_counted(&w);
	for (size_t i = 0; i < sizeof(hw) / sizeof(hw[0]); i++) {
		struct perf_event_attr attr = { .size = sizeof(attr), .type = hw[i].type,
						.config = hw[i].config };
		int fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
		int err = errno;
		const char *why;
		bool avail = pb_counter_available(w.c, hw[i].id, &why);

		TH_INFO("%s: perf_event_open %s; counters: %s", pb_counter_name(hw[i].id),
			fd < 0 ? strerrorname_np(err) : "ok", avail ? "available" : why);
		if (fd < 0) {
			ASSERT_FALSE(avail);
			ASSERT_TRUE(why && why[0]);
			if (err == ENOENT)
				ASSERT_SUBSTR(why, "ENOENT");
		} else {
			close(fd);
			ASSERT_TRUE(avail);
			ASSERT_GT(w.delta.thread[0][hw[i].id], 0);
		}
	}
	pb_counters_close(w.c);
}

TEST(second_thread_counted_separately)
{
	char *p = map_4k(NR_PAGES * PAGE);
	struct helper h;
	struct window w;

	helper_start(&h, p, NR_PAGES * PAGE);
	window_open(&w, (pid_t[]){ gettid(), h.tid }, 2);
	h.cmd = CMD_TOUCH;
	while (!h.done)
		__builtin_ia32_pause();
	window_close(&w);
	helper_stop(&h);
	TH_INFO("faults: thread[0] %" PRIu64 ", thread[1] %" PRIu64,
		w.delta.thread[0][PB_CTR_FAULTS], w.delta.thread[1][PB_CTR_FAULTS]);
	ASSERT_EQ(2, w.delta.nr_threads);
	ASSERT_EQ(NR_PAGES, per_thread(&w, 1, PB_CTR_FAULTS));
	ASSERT_EQ(NR_PAGES, per_thread(&w, 1, PB_CTR_MINOR_FAULTS));
	ASSERT_EQ(0, per_thread(&w, 0, PB_CTR_FAULTS));
	ASSERT_EQ(NR_PAGES, w.delta.total[PB_CTR_FAULTS]);
	pb_counters_close(w.c);
}

/*
 * The per-CPU TLB: and CAL: rows of window @w add up to its totals (the
 * same window: a snapshot's perf read IPIs the helper's CPU, and counting
 * from before's first read instead of its late one would add that CAL),
 * and CPU @helper_cpu took at least the shootdowns its thread traced.
 */
static void assert_cpu_rows(const struct window *w, int helper_cpu)
{
	const int *ids;
	int n = pb_counters_cpus(w->c, &ids), col = pb_counters_cpu_column(w->c, helper_cpu);

	ASSERT_EQ(sysconf(_SC_NPROCESSORS_ONLN), n);
	ASSERT_EQ(n, w->delta.nr_cpus);
	ASSERT_GE(col, 0);
	for (int k = 0; k < PB_CPU_IPI__COUNT; k++) {
		enum pb_counter_id id = pb_cpu_ipi_counter(k);
		uint64_t sum = 0;

		if (!pb_counter_available(w->c, id, NULL))
			continue;
		for (int i = 0; i < n; i++)
			sum += w->delta.cpu_ipis[k][i];
		TH_INFO("%s: per-CPU sum %" PRIu64 ", total %" PRIu64 ", CPU %d %" PRIu64,
			pb_counter_name(id), sum, w->delta.total[id], helper_cpu,
			w->delta.cpu_ipis[k][col]);
		ASSERT_EQ(w->delta.total[id], sum);
	}
	if (pb_counter_available(w->c, PB_CTR_TLB_IPIS_RECEIVED, NULL) &&
	    pb_counter_available(w->c, PB_CTR_TLB_REMOTE_SHOOTDOWN, NULL))
		ASSERT_GE(w->delta.cpu_ipis[PB_CPU_IPI_TLB][col],
			  w->delta.thread[1][PB_CTR_TLB_REMOTE_SHOOTDOWN]);
}

/*
 * The window of the per-CPU rows, without a kernel: CPU 1 takes one CAL
 * from the opening snapshot's own perf read (between its two procfs reads)
 * and one in the window; CPU 0 one in the window.  Only the window's count.
 */
TEST(cpu_rows_window_starts_at_late_read)
{
	static struct pb_counter_snapshot before, after, acc;
	const enum pb_counter_id cal = pb_cpu_ipi_counter(PB_CPU_IPI_CALL);

	before.nr_cpus = after.nr_cpus = 2;
	before.total[cal] = 10;
	before.sys_late[cal] = 11;
	after.total[cal] = 13;
	memcpy(before.cpu_ipis[PB_CPU_IPI_CALL], (uint64_t[]){ 5, 5 }, 2 * sizeof(uint64_t));
	memcpy(before.cpu_ipis_late[PB_CPU_IPI_CALL], (uint64_t[]){ 5, 6 }, 2 * sizeof(uint64_t));
	memcpy(after.cpu_ipis[PB_CPU_IPI_CALL], (uint64_t[]){ 6, 7 }, 2 * sizeof(uint64_t));
	pb_counter_accumulate(&acc, &before, &after);
	ASSERT_EQ(2, acc.nr_cpus);
	ASSERT_EQ(2, acc.total[cal]);
	ASSERT_EQ(1, acc.cpu_ipis[PB_CPU_IPI_CALL][0]);
	ASSERT_EQ(1, acc.cpu_ipis[PB_CPU_IPI_CALL][1]);
	/* a column that went backwards (a CPU replaced) is no delta */
	after.cpu_ipis[PB_CPU_IPI_CALL][0] = 4;
	pb_counter_accumulate(&acc, &before, &after);
	ASSERT_TRUE(acc.failed[cal]);
}

/* What mprotect() of a 64 MiB populated mapping costs with a 2nd thread live on CPU 1. */
TEST(remote_shootdown_smoke)
{
	size_t len = 64UL << 20;
	char *p = map_4k(len);
	struct helper h;
	struct window w;
	const char *why;

	skip_without_tracefs();
	helper_start(&h, NULL, 0);
	touch_pages(p, len);
	window_open(&w, (pid_t[]){ gettid(), h.tid }, 2);
	ASSERT_EQ(0, mprotect(p, len, PROT_READ));
	window_close(&w);
	helper_stop(&h);

	TH_INFO("%-30s %10s %10s", "counter", "thread[0]", "thread[1]");
	for (int id = PB_CTR_TLB_TASK_SWITCH; id <= PB_CTR_TLB_RANGED_FLUSH; id++) {
		if (pb_counter_available(w.c, id, &why))
			TH_INFO("%-30s %10" PRIu64 " %10" PRIu64, pb_counter_name(id),
				w.delta.thread[0][id], w.delta.thread[1][id]);
		else
			TH_INFO("%-30s unavailable: %s", pb_counter_name(id), why);
	}
	for (int id = PB_CTR_TLB_IPIS_RECEIVED; id < PB_CTR__COUNT; id++) {
		if (pb_counter_available(w.c, id, &why))
			TH_INFO("%-30s %10" PRIu64 " (system)", pb_counter_name(id), w.delta.total[id]);
		else
			TH_INFO("%-30s unavailable: %s", pb_counter_name(id), why);
	}
	/*
	 * 64 MiB is far above the ranged-flush ceiling: one full flush here;
	 * the IPI sent and the shootdown received are not local flushes and
	 * are not counted as full ones again.
	 */
	ASSERT_EQ(1, per_thread(&w, 0, PB_CTR_TLB_LOCAL_MM_SHOOTDOWN));
	ASSERT_GE(per_thread(&w, 0, PB_CTR_TLB_REMOTE_SEND_IPI), 1);
	ASSERT_EQ(1, per_thread(&w, 0, PB_CTR_TLB_FULL_FLUSH));
	assert_tlb_partition(&w, 0);
	assert_tlb_partition(&w, 1);
	/*
	 * The receiving side runs flush_tlb_func(), which counts the TLB IPI
	 * and traces "remote shootdown" in the context of the spinning thread.
	 * Paravirt remote flushes (a hypercall, as under PVM) do neither.
	 */
	if (pb_counter_available(w.c, PB_CTR_TLB_IPIS_RECEIVED, NULL)) {
		uint64_t ipis = w.delta.total[PB_CTR_TLB_IPIS_RECEIVED];

		ASSERT_LE(per_thread(&w, 0, PB_CTR_TLB_REMOTE_SHOOTDOWN) +
			  per_thread(&w, 1, PB_CTR_TLB_REMOTE_SHOOTDOWN), ipis);
		if (ipis)
			ASSERT_GE(per_thread(&w, 1, PB_CTR_TLB_REMOTE_SHOOTDOWN), 1);
		else
			TH_INFO("no TLB IPI: the remote flush did not run flush_tlb_func() "
				"(paravirt remote flush?)");
	}
	assert_cpu_rows(&w, 1);
	pb_counters_close(w.c);
}

int main(int argc, char **argv)
{
	return tap_main();
}
