// SPDX-License-Identifier: MIT
/*
 * Counters for one case (see counters.h): per-thread perf events through
 * libperf, system-wide values from procfs.  Every counter is described by one
 * row of defs[]; how it is opened and read depends only on its source.
 */
#define _GNU_SOURCE
#include "counters.h"
#include "bench.h"
#include "record.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <perf/evsel.h>
#include <perf/threadmap.h>

/*
 * Sets PERF_EVENT_IOC_SET_FILTER on every fd of the evsel.  libperf keeps it
 * out of its public headers (internal/evsel.h needs the kernel's
 * tools/include) and out of the .so's exports, but libperf.a defines it, and
 * build-libperf.sh installs only libperf.a.
 */
int perf_evsel__apply_filter(struct perf_evsel *evsel, const char *filter);

enum source {
	SRC_SW,		/* software perf event, .config */
	SRC_HW,		/* PERF_TYPE_HARDWARE, .config */
	SRC_HW_CACHE,	/* PERF_TYPE_HW_CACHE, .config */
	SRC_TLB_REASON,	/* tlb:tlb_flush filtered on the reason named .key */
	SRC_TLB_PAGES,	/* tlb:tlb_flush filtered on pages, .key is the operator */
	SRC_TRACEPOINT,	/* tracepoint .key ("powerpc/tlbie") with the filter .filter */
	SRC_INTERRUPTS,	/* /proc/interrupts line .key, summed over CPUs */
	SRC_VMSTAT,	/* /proc/vmstat field .key */
};

struct ctr_def {
	const char *name;
	enum source src;
	uint64_t config;
	const char *key;
	const char *filter;	/* SRC_TRACEPOINT */
};

#define HW_CACHE(cache, op, result) \
	((cache) | (PERF_COUNT_HW_CACHE_OP_##op << 8) | (PERF_COUNT_HW_CACHE_RESULT_##result << 16))

static const struct ctr_def defs[PB_CTR__COUNT] = {
	[PB_CTR_FAULTS]			= { "faults", SRC_SW, PERF_COUNT_SW_PAGE_FAULTS, NULL },
	[PB_CTR_MINOR_FAULTS]		= { "minor_faults", SRC_SW, PERF_COUNT_SW_PAGE_FAULTS_MIN, NULL },
	[PB_CTR_MAJOR_FAULTS]		= { "major_faults", SRC_SW, PERF_COUNT_SW_PAGE_FAULTS_MAJ, NULL },
	/* .key: the names of __print_symbolic in the tracepoint's print fmt */
	[PB_CTR_TLB_TASK_SWITCH]	= { "tlb_task_switch", SRC_TLB_REASON, 0, "flush on task switch" },
	[PB_CTR_TLB_REMOTE_SHOOTDOWN]	= { "tlb_remote_shootdown", SRC_TLB_REASON, 0, "remote shootdown" },
	[PB_CTR_TLB_LOCAL_SHOOTDOWN]	= { "tlb_local_shootdown", SRC_TLB_REASON, 0, "local shootdown" },
	[PB_CTR_TLB_LOCAL_MM_SHOOTDOWN]	= { "tlb_local_mm_shootdown", SRC_TLB_REASON, 0, "local MM shootdown" },
	[PB_CTR_TLB_REMOTE_SEND_IPI]	= { "tlb_remote_send_ipi", SRC_TLB_REASON, 0, "remote IPI send" },
	[PB_CTR_TLB_FULL_FLUSH]		= { "tlb_full_flush", SRC_TLB_PAGES, 0, "==" },
	[PB_CTR_TLB_RANGED_FLUSH]	= { "tlb_ranged_flush", SRC_TLB_PAGES, 0, "!=" },
	[PB_CTR_CYCLES]			= { "cycles", SRC_HW, PERF_COUNT_HW_CPU_CYCLES, NULL },
	[PB_CTR_DTLB_MISSES]		= { "dtlb_load_misses", SRC_HW_CACHE,
					    HW_CACHE(PERF_COUNT_HW_CACHE_DTLB, READ, MISS), NULL },
	[PB_CTR_TLB_IPIS_RECEIVED]	= { "tlb_ipis_received", SRC_INTERRUPTS, 0, "TLB:" },
	[PB_CTR_CALL_IPIS_RECEIVED]	= { "call_ipis_received", SRC_INTERRUPTS, 0, "CAL:" },
	[PB_CTR_THP_SPLIT_PUD]		= { "thp_split_pud", SRC_VMSTAT, 0, "thp_split_pud" },
	[PB_CTR_NR_TLB_REMOTE_FLUSH]	= { "nr_tlb_remote_flush", SRC_VMSTAT, 0, "nr_tlb_remote_flush" },
	[PB_CTR_NR_TLB_REMOTE_FLUSH_RECEIVED] = { "nr_tlb_remote_flush_received", SRC_VMSTAT, 0,
						  "nr_tlb_remote_flush_received" },
	[PB_CTR_NR_TLB_LOCAL_FLUSH_ALL]	= { "nr_tlb_local_flush_all", SRC_VMSTAT, 0, "nr_tlb_local_flush_all" },
	[PB_CTR_NR_TLB_LOCAL_FLUSH_ONE]	= { "nr_tlb_local_flush_one", SRC_VMSTAT, 0, "nr_tlb_local_flush_one" },
	[PB_CTR_TLBIE_LOCAL]		= { "tlbie_local", SRC_TRACEPOINT, 0, "powerpc/tlbie", "local == 1" },
	[PB_CTR_TLBIE_GLOBAL]		= { "tlbie_global", SRC_TRACEPOINT, 0, "powerpc/tlbie", "local == 0" },
};

struct pb_counters {
	int nr_threads;
	struct perf_thread_map *threads;
	struct perf_evsel *evsel[PB_CTR__COUNT];	/* NULL unless an open perf event */
	bool available[PB_CTR__COUNT];
	char why[PB_CTR__COUNT][128];			/* reason when unavailable */
	bool absent[PB_CTR__COUNT];			/* its event is not in this kernel, or never fires */
	char note[PB_CTR__COUNT][96];			/* limits of an available one */
	bool inject_read_fails[PB_CTR__COUNT];		/* a test's negative control */
	int cpu_ids[PB_MAX_CPUS];			/* /proc/interrupts' columns */
	int nr_cpus;
};

static bool is_perf(enum source src)
{
	return src < SRC_INTERRUPTS;
}

const char *pb_counter_name(enum pb_counter_id id)
{
	return (unsigned)id < PB_CTR__COUNT ? defs[id].name : "unknown";
}

bool pb_counter_is_per_thread(enum pb_counter_id id)
{
	return (unsigned)id < PB_CTR__COUNT && is_perf(defs[id].src);
}

bool pb_counter_available(const struct pb_counters *c, enum pb_counter_id id, const char **reason)
{
	if ((unsigned)id >= PB_CTR__COUNT) {
		if (reason)
			*reason = "unknown counter";
		return false;
	}
	if (reason)
		*reason = c->available[id] ? NULL : c->why[id];
	return c->available[id];
}

const char *pb_counter_note(const struct pb_counters *c, enum pb_counter_id id)
{
	return (unsigned)id < PB_CTR__COUNT && c->available[id] && c->note[id][0] ?
	       c->note[id] : NULL;
}

__attribute__((format(printf, 3, 4)))
static void unavailable(struct pb_counters *c, int id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why[id], sizeof(c->why[id]), fmt, ap);
	va_end(ap);
	c->available[id] = false;
}

/* ------------------------------------------------------------------ tracefs */

static const char *tracefs_error = "no tracefs";

static const char *tracefs_probe(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[64];
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return dirs[i];
		if (errno == EACCES)	/* mounted, but tracefs is root-only by default */
			tracefs_error = "tracefs not readable";
	}
	return NULL;
}

const char *pb_tracefs_path(void)
{
	static const char *path;
	static bool probed;

	if (!probed) {
		probed = true;
		path = tracefs_probe();
		if (!path && geteuid() == 0 &&
		    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
			path = tracefs_probe();
	}
	return path;
}

/*
 * Value of @name in the __print_symbolic() of tlb_flush's print fmt, e.g.
 * { 1, "remote shootdown" }: the enum differs between kernels.  -1 if absent.
 */
static int tlb_reason_value(const char *format, const char *name)
{
	const char *p = strstr(format, "__print_symbolic(");
	char sym[64];
	int val, end;

	while (p && (p = strchr(p, '{'))) {
		end = 0;
		if (sscanf(p, "{ %d , \"%63[^\"]\" }%n", &val, sym, &end) == 2 && end &&
		    !strcasecmp(sym, name))	/* 6.1: "local mm shootdown" */
			return val;
		p++;
	}
	return -1;
}

/* ------------------------------------------------------------------- perf */

static int perf_paranoid(void)
{
	char *s = pb_slurp("/proc/sys/kernel/perf_event_paranoid", NULL);
	int v = s ? atoi(s) : 99;

	free(s);
	return v;
}

static void perf_error(struct pb_counters *c, int id, int err)
{
	bool hw = defs[id].src == SRC_HW || defs[id].src == SRC_HW_CACHE;

	if (err == EACCES || err == EPERM)
		unavailable(c, id, "perf_event_paranoid=%d (need root or CAP_PERFMON)", perf_paranoid());
	else if (hw && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV))
		/* x86 also says ENOENT for a cache event its PMU lacks */
		unavailable(c, id, "%s (%s)", access("/sys/bus/event_source/devices/cpu", F_OK) ?
			    "no hardware PMU" : "not supported by the PMU", strerrorname_np(err));
	else
		unavailable(c, id, "perf_event_open: %s", strerror(err));
}

/* A tracepoint as this kernel defines it, loaded once per pb_counters_open(). */
struct tracepoint {
	long id;
	char *format;		/* NULL: unavailable, see error */
	bool absent;		/* tracefs is there, the event is not */
	char error[160];
};

/* @event: "tlb/tlb_flush", "powerpc/tlbie" */
static void tracepoint_load(struct tracepoint *tp, const char *event)
{
	const char *tracefs = pb_tracefs_path();
	char path[128], *id;

	tp->id = -1;
	if (!tracefs) {
		snprintf(tp->error, sizeof(tp->error), "%s", tracefs_error);
		return;
	}
	snprintf(path, sizeof(path), "%s/events/%s/id", tracefs, event);
	id = pb_slurp(path, NULL);
	if (id) {
		tp->id = atol(id);
		free(id);
		snprintf(path, sizeof(path), "%s/events/%s/format", tracefs, event);
		tp->format = pb_slurp(path, NULL);
	}
	if (!tp->format) {
		tp->absent = errno == ENOENT;
		snprintf(tp->error, sizeof(tp->error), "%s: %s", path, strerror(errno));
	}
}

/*
 * Does tlb:tlb_flush fire at all?  An architecture may define it and never
 * call it (powerpc: only x86 traces its flushes), and a count of 0 would
 * then be a lie.  Measured once a process: an mprotect(PROT_READ) of a
 * written page must flush its TLB entry on any architecture.  NULL if it
 * fired (or the event cannot be opened: the counters' own open says why),
 * else why the tlb_flush counters are unavailable.
 */
static const char *tlb_flush_silent(const struct tracepoint *tp)
{
	static const char *verdict;
	static bool measured;
	struct perf_event_attr attr = { .size = sizeof(attr), .type = PERF_TYPE_TRACEPOINT,
					.config = tp->id };
	struct perf_thread_map *self;
	struct perf_counts_values v = { .val = 0 };
	struct perf_evsel *ev;
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	if (measured)
		return verdict;
	measured = true;
	self = perf_thread_map__new_dummy();
	ev = perf_evsel__new(&attr);
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!self || !ev || p == MAP_FAILED) {
		verdict = "cannot measure whether tlb:tlb_flush fires (out of memory)";
	} else {
		perf_thread_map__set_pid(self, 0, 0);
		/* not opened: the counters' own open fails and says why (paranoid, ...) */
		if (!perf_evsel__open(ev, NULL, self)) {
			/* the negative control: no flush to see */
			for (int i = 0; i < (pb_injected("silent", "counters", "tlb_flush") ? 0 : 4); i++) {
				p[0] = (char)i;
				mprotect(p, page, PROT_READ);
				mprotect(p, page, PROT_READ | PROT_WRITE);
			}
			if (perf_evsel__read(ev, 0, 0, &v))
				verdict = "cannot measure whether tlb:tlb_flush fires (read failed)";
			else if (!v.val)
				verdict = "tlb:tlb_flush never fired on 4 mprotect(PROT_READ) of a written "
					  "page: this architecture does not trace its flushes";
			perf_evsel__close(ev);
		}
	}
	if (p != MAP_FAILED)
		munmap(p, page);
	perf_evsel__delete(ev);
	perf_thread_map__put(self);
	return verdict;
}

/*
 * attr and filter of a tlb:tlb_flush counter; false (counter unavailable)
 * if this kernel cannot provide it.
 */
static bool tlb_setup(struct pb_counters *c, int id, const struct tracepoint *tp,
		      struct perf_event_attr *attr, char *filter, size_t size)
{
	const char *silent;

	if (!tp->format) {
		if (tp->absent)
			unavailable(c, id, "no tracepoint tlb/tlb_flush in this kernel");
		else
			unavailable(c, id, "%s", tp->error);
		c->absent[id] = tp->absent;
		return false;
	}
	if ((silent = tlb_flush_silent(tp))) {
		unavailable(c, id, "%s", silent);
		c->absent[id] = true;
		return false;
	}
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = tp->id;

	if (defs[id].src == SRC_TLB_PAGES) {
		/*
		 * Local flushes only: a received shootdown and the sender's
		 * IPI event have counters of their own.  TLB_FLUSH_ALL is
		 * -1UL.  The kernel rejects "pages == -1" for this unsigned
		 * field; the hex spelling is accepted and matches.
		 */
		int local = tlb_reason_value(tp->format, "local shootdown");
		int local_mm = tlb_reason_value(tp->format, "local mm shootdown");

		if (local < 0 || local_mm < 0) {
			unavailable(c, id, "tlb_flush has no local shootdown reasons in this kernel");
			return false;
		}
		snprintf(filter, size, "pages %s %#lx && (reason == %d || reason == %d)",
			 defs[id].key, ULONG_MAX, local, local_mm);
	} else {
		int reason = tlb_reason_value(tp->format, defs[id].key);

		if (reason < 0) {
			unavailable(c, id, "tlb_flush has no reason \"%s\" in this kernel", defs[id].key);
			return false;
		}
		snprintf(filter, size, "reason == %d", reason);
	}
	return true;
}

/* A SRC_TRACEPOINT counter: @tp with its filter. */
static bool tracepoint_setup(struct pb_counters *c, int id, const struct tracepoint *tp,
			     struct perf_event_attr *attr, char *filter, size_t size)
{
	if (!tp->format) {
		if (tp->absent)
			unavailable(c, id, "no tracepoint %s in this kernel", defs[id].key);
		else
			unavailable(c, id, "%s", tp->error);
		c->absent[id] = tp->absent;
		return false;
	}
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = tp->id;
	snprintf(filter, size, "%s", defs[id].filter);
	return true;
}

/* @tps: tlb:tlb_flush, then powerpc:tlbie */
static void perf_setup(struct pb_counters *c, int id, const struct tracepoint *tps)
{
	const struct ctr_def *d = &defs[id];
	/* disabled until the filter is set, so no event is ever counted unfiltered */
	struct perf_event_attr attr = { .size = sizeof(attr), .disabled = 1, .config = d->config };
	char filter[128] = "";
	struct perf_evsel *ev;
	int err;

	switch (d->src) {
	case SRC_SW:
		attr.type = PERF_TYPE_SOFTWARE;
		break;
	case SRC_HW:
		attr.type = PERF_TYPE_HARDWARE;
		break;
	case SRC_HW_CACHE:
		attr.type = PERF_TYPE_HW_CACHE;
		break;
	case SRC_TRACEPOINT:
		if (!tracepoint_setup(c, id, &tps[1], &attr, filter, sizeof(filter)))
			return;
		break;
	default:
		if (!tlb_setup(c, id, &tps[0], &attr, filter, sizeof(filter)))
			return;
	}

	ev = perf_evsel__new(&attr);
	if (!ev) {
		unavailable(c, id, "out of memory");
		return;
	}
	err = perf_evsel__open(ev, NULL, c->threads);	/* any CPU, each thread */
	if ((err == -EACCES || err == -EPERM) && d->src != SRC_TLB_REASON && d->src != SRC_TLB_PAGES &&
	    d->src != SRC_TRACEPOINT) {
		/*
		 * perf_event_paranoid=2 allows user-mode counting only.  The
		 * faults measured here are all taken from user mode, so they
		 * are still counted in full.
		 */
		perf_evsel__delete(ev);
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		ev = perf_evsel__new(&attr);
		if (!ev) {
			unavailable(c, id, "out of memory");
			return;
		}
		err = perf_evsel__open(ev, NULL, c->threads);
		if (!err)
			snprintf(c->note[id], sizeof(c->note[id]),
				 "user-mode only (perf_event_paranoid=%d): faults taken in the kernel are not counted",
				 perf_paranoid());
	}
	if (err) {
		perf_error(c, id, -err);
	} else if (filter[0] && perf_evsel__apply_filter(ev, filter)) {
		/* a rejected filter leaves the event counting every flush */
		unavailable(c, id, "filter rejected: %s (%s)", filter, strerror(errno));
	} else if (perf_evsel__enable(ev)) {
		unavailable(c, id, "enable: %s", strerror(errno));
	} else {
		c->evsel[id] = ev;
		return;
	}
	perf_evsel__close(ev);
	perf_evsel__delete(ev);
}

/* ----------------------------------------------------------------- procfs */

/*
 * The CPU numbers of /proc/interrupts' header ("CPU0 CPU1 ..."), one per
 * column, into @ids; how many (-1 if there is no header).
 */
static int interrupts_cpus(const char *text, int *ids, int max)
{
	int n = 0;

	for (const char *p = text; *p && *p != '\n';) {
		char *end;
		long cpu;

		p += strspn(p, " ");
		if (strncmp(p, "CPU", 3))
			break;
		cpu = strtol(p + 3, &end, 10);
		if (end == p + 3 || n >= max)
			return -1;
		ids[n++] = (int)cpu;
		p = end;
	}
	return n ? n : -1;
}

/*
 * The per-CPU numbers after @key ("TLB:") in /proc/interrupts: their sum
 * into *@sum and, with @percpu, each column into it.  false when the row
 * is missing or has other than @nr_cpus columns (@nr_cpus < 0: any).
 */
static bool interrupts_row(const char *text, const char *key, int nr_cpus, uint64_t *sum,
			   uint64_t *percpu)
{
	size_t klen = strlen(key);

	for (const char *line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line + strspn(line, " ");
		char *end;
		int col = 0;

		if (strncmp(p, key, klen))
			continue;
		*sum = 0;
		for (p += klen;; p = end, col++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)	/* the description text ends the numbers */
				return nr_cpus < 0 || col == nr_cpus;
			if (percpu && col < PB_MAX_CPUS)
				percpu[col] = v;
			*sum += v;
		}
	}
	return false;
}

/* Value of "@key N" in /proc/vmstat. */
static bool vmstat_value(const char *text, const char *key, uint64_t *val)
{
	size_t klen = strlen(key);

	for (const char *line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*val = strtoull(line + klen + 1, NULL, 10);
			return true;
		}
	return false;
}

/* The per-CPU row of counter @id in @percpu, or NULL. */
static uint64_t *cpu_row(uint64_t (*percpu)[PB_MAX_CPUS], int id)
{
	for (int k = 0; percpu && k < PB_CPU_IPI__COUNT; k++)
		if (pb_cpu_ipi_counter(k) == (enum pb_counter_id)id)
			return percpu[k];
	return NULL;
}

/*
 * Read every procfs (system-wide) counter into @vals and the per-CPU rows
 * into @percpu, a failed one into @failed (all may be NULL).  With @mark,
 * record which ones exist and the CPU columns; without, skip the
 * unavailable ones.
 */
static int procfs_read(struct pb_counters *c, uint64_t *vals, uint64_t (*percpu)[PB_MAX_CPUS],
		       bool *failed, bool mark)
{
	static const char *const files[] = { [SRC_INTERRUPTS] = "/proc/interrupts",
					     [SRC_VMSTAT] = "/proc/vmstat" };
	char *text[SRC_VMSTAT + 1] = { NULL };
	int ret = 0;

	for (int id = 0; id < PB_CTR__COUNT; id++) {
		enum source src = defs[id].src;
		uint64_t v = 0;
		bool found;

		if (is_perf(src) || (!mark && !c->available[id]))
			continue;
		if (!text[src] && !(text[src] = pb_slurp(files[src], NULL))) {
			if (mark)
				unavailable(c, id, "%s: %s", files[src], strerror(errno));
			if (failed)
				failed[id] = true;
			ret = -1;
			continue;
		}
		if (mark && src == SRC_INTERRUPTS && !c->nr_cpus)
			c->nr_cpus = interrupts_cpus(text[src], c->cpu_ids, PB_MAX_CPUS);
		/* a CPU brought on- or offline changes the columns: no per-CPU delta then */
		found = src == SRC_VMSTAT ? vmstat_value(text[src], defs[id].key, &v)
					  : interrupts_row(text[src], defs[id].key, c->nr_cpus, &v,
							   cpu_row(percpu, id));
		if (failed && !found)
			failed[id] = true;
		if (mark && !found)
			unavailable(c, id, src == SRC_VMSTAT ?
				    "not in /proc/vmstat (needs CONFIG_DEBUG_TLBFLUSH)" :
				    c->nr_cpus < 0 ? "no CPU header in /proc/interrupts" :
				    "no %s line of one column per CPU in /proc/interrupts", defs[id].key);
		if (vals)
			vals[id] = v;
	}
	free(text[SRC_INTERRUPTS]);
	free(text[SRC_VMSTAT]);
	return ret;
}

enum pb_counter_id pb_cpu_ipi_counter(enum pb_cpu_ipi k)
{
	return k == PB_CPU_IPI_TLB ? PB_CTR_TLB_IPIS_RECEIVED : PB_CTR_CALL_IPIS_RECEIVED;
}

int pb_counters_cpus(const struct pb_counters *c, const int **ids)
{
	*ids = c->cpu_ids;
	return c->nr_cpus > 0 ? c->nr_cpus : 0;
}

int pb_counters_cpu_column(const struct pb_counters *c, int cpu)
{
	for (int i = 0; i < c->nr_cpus; i++)
		if (c->cpu_ids[i] == cpu)
			return i;
	return -1;
}

/* ------------------------------------------------------------------- API */

struct pb_counters *pb_counters_open(const pid_t *tids, int nr_tids)
{
	struct tracepoint tps[2] = { { .id = -1 }, { .id = -1 } };
	struct pb_counters *c;

	if (!tids || nr_tids < 1 || nr_tids > PB_MAX_THREADS) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->nr_threads = nr_tids;
	c->threads = perf_thread_map__new_array(nr_tids, (pid_t *)tids);
	if (!c->threads) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	tracepoint_load(&tps[0], "tlb/tlb_flush");
	tracepoint_load(&tps[1], "powerpc/tlbie");
	for (int id = 0; id < PB_CTR__COUNT; id++) {
		c->available[id] = true;
		/* negative controls (PUDBENCH_INJECT): an open refused, every read failing */
		c->inject_read_fails[id] = pb_injected("read", "counters", defs[id].name);
		if (pb_injected("open", "counters", defs[id].name))
			unavailable(c, id, "refused by PUDBENCH_INJECT (a test's negative control)");
		else if (is_perf(defs[id].src))
			perf_setup(c, id, tps);
	}
	free(tps[0].format);
	free(tps[1].format);
	procfs_read(c, NULL, NULL, NULL, true);
	return c;
}

void pb_counters_close(struct pb_counters *c)
{
	if (!c)
		return;
	for (int id = 0; id < PB_CTR__COUNT; id++) {
		if (c->evsel[id]) {
			perf_evsel__close(c->evsel[id]);
			perf_evsel__delete(c->evsel[id]);
		}
	}
	perf_thread_map__put(c->threads);
	free(c);
}

int pb_counters_read(struct pb_counters *c, struct pb_counter_snapshot *snap)
{
	int ret = 0;

	memset(snap, 0, sizeof(*snap));
	snap->nr_threads = c->nr_threads;
	snap->nr_cpus = c->nr_cpus > 0 ? c->nr_cpus : 0;
	if (procfs_read(c, snap->total, snap->cpu_ipis, snap->failed, false))
		ret = -1;
	for (int id = 0; id < PB_CTR__COUNT; id++) {
		for (int t = 0; c->evsel[id] && t < c->nr_threads; t++) {
			struct perf_counts_values v;
			int err = c->inject_read_fails[id] ? -EIO :
				  perf_evsel__read(c->evsel[id], 0, t, &v);

			if (err) {
				errno = -err;
				snap->failed[id] = true;
				ret = -1;
				continue;
			}
			snap->thread[t][id] = v.val;
			snap->total[id] += v.val;
		}
	}
	if (procfs_read(c, snap->sys_late, snap->cpu_ipis_late, snap->failed, false))
		ret = -1;
	return ret;
}

void pb_counter_discount(struct pb_counter_snapshot *snap, enum pb_counter_id id, int thread,
			 uint64_t n)
{
	if ((unsigned)id >= PB_CTR__COUNT || thread < 0 || thread >= snap->nr_threads || snap->failed[id])
		return;
	n = n < snap->thread[thread][id] ? n : snap->thread[thread][id];
	snap->thread[thread][id] -= n;
	snap->total[id] -= n;
}

bool pb_counter_thread_delta(const struct pb_counter_snapshot *before,
			     const struct pb_counter_snapshot *after, enum pb_counter_id id,
			     int thread, uint64_t *delta)
{
	if ((unsigned)id >= PB_CTR__COUNT || thread < 0 || thread >= before->nr_threads ||
	    thread >= after->nr_threads || before->failed[id] || after->failed[id] ||
	    after->thread[thread][id] < before->thread[thread][id])
		return false;
	*delta = after->thread[thread][id] - before->thread[thread][id];
	return true;
}

bool pb_counter_flips_static_key(enum pb_counter_id id)
{
	if ((unsigned)id >= PB_CTR__COUNT)
		return false;
	return defs[id].src == SRC_SW || defs[id].src == SRC_TLB_REASON ||
	       defs[id].src == SRC_TLB_PAGES || defs[id].src == SRC_TRACEPOINT;
}

bool pb_counter_absent(const struct pb_counters *c, enum pb_counter_id id)
{
	return (unsigned)id < PB_CTR__COUNT && c->absent[id];
}

/* The per-CPU rows, window as the totals: from before's late read to after's first. */
static void accumulate_cpus(struct pb_counter_snapshot *acc, const struct pb_counter_snapshot *before,
			    const struct pb_counter_snapshot *after)
{
	int n = after->nr_cpus < before->nr_cpus ? after->nr_cpus : before->nr_cpus;

	for (int k = 0; k < PB_CPU_IPI__COUNT; k++) {
		enum pb_counter_id id = pb_cpu_ipi_counter(k);

		for (int i = 0; i < n && !acc->failed[id]; i++) {
			if (after->cpu_ipis[k][i] < before->cpu_ipis_late[k][i])
				acc->failed[id] = true;
			else
				acc->cpu_ipis[k][i] += after->cpu_ipis[k][i] - before->cpu_ipis_late[k][i];
		}
	}
	if (acc->nr_cpus < n)
		acc->nr_cpus = n;
}

void pb_counter_accumulate(struct pb_counter_snapshot *acc,
			   const struct pb_counter_snapshot *before,
			   const struct pb_counter_snapshot *after)
{
	int nr = after->nr_threads < before->nr_threads ? after->nr_threads : before->nr_threads;

	for (int id = 0; id < PB_CTR__COUNT; id++) {
		uint64_t from = pb_counter_is_per_thread(id) ? before->total[id] : before->sys_late[id];

		/* a failed read, or a counter that went backwards, has no delta */
		if (before->failed[id] || after->failed[id] || after->total[id] < from) {
			acc->failed[id] = true;
			continue;
		}
		acc->total[id] += after->total[id] - from;
		for (int t = 0; t < nr; t++)
			acc->thread[t][id] += after->thread[t][id] - before->thread[t][id];
	}
	if (acc->nr_threads < nr)
		acc->nr_threads = nr;
	accumulate_cpus(acc, before, after);
}
