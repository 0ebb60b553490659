// SPDX-License-Identifier: MIT
/*
 * observer-cost: what looking at a process costs the process.  An observer
 * (a sibling process, as a monitoring agent or CRIU would be) reads
 * /proc/PID/<file> of the measuring process, or writes its clear_refs; the
 * madvise and mincore looks are calls of the process on itself.  After
 * each look the process touches every page of its mapping: a look that
 * zapped a huge mapping shows as refaults there.  One series per look
 * (the series' label names it), interleaved round by round; `rate_hz`
 * paces the looks, and between them the process keeps touching its
 * mapping (outside the counted windows).
 *
 * Per sample: the look and the touch after it, counted on the measuring
 * thread, which spins (never sleeps) while the observer reads, so a
 * shootdown the read sends it is received by it and counted.  The look's
 * time is the sample's latency.  What the file said is resident is held
 * against what is mapped (metric reported_fraction): smaps (Rss and
 * Hugetlb of the mapping's VMA), smaps_rollup (the whole process: a little
 * above 1), numa_maps (the VMA's N<node>= pages), pagemap (present
 * entries), mincore (resident pages).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "procmaps.h"
#include "record.h"
#include "sibling.h"
#include "timing.h"

/* How a look reports what is resident. */
enum obs_report {
	REP_NONE,		/* maps, clear_refs, madvise: it does not */
	REP_SMAPS_VMA,		/* the VMA's Rss + Private/Shared_Hugetlb */
	REP_SMAPS_ALL,		/* the same summed over the file (smaps_rollup) */
	REP_NUMA,		/* the VMA's N<node>= pages */
	REP_PAGEMAP,		/* present entries of the mapping */
	REP_MINCORE,		/* resident pages of the mapping */
};

struct obs_look {
	const char *name;
	bool self;		/* a call of the process itself, not the observer's */
	enum obs_report report;
	int advice;		/* madvise() looks */
	/* NULL, or why the look does not apply to @be (its series is not made) */
	const char *(*not_on)(const struct pb_backend *be);
};

static const char *not_hugetlb(const struct pb_backend *be)
{
	/* madvise() refuses hugetlb VMAs for cold/pageout (EINVAL) */
	return !strncmp(be->name, "hugetlb", 7) ? "madvise refuses hugetlb VMAs" : NULL;
}

static const char *devdax_only(const struct pb_backend *be)
{
	/* on anonymous memory with swap, each look would write the mapping out */
	return strcmp(be->name, "devdax") ? "pages out only device memory here" : NULL;
}

static const struct obs_look looks[] = {
	{ "smaps_rollup", false, REP_SMAPS_ALL },
	{ "smaps", false, REP_SMAPS_VMA },
	{ "numa_maps", false, REP_NUMA },
	{ "pagemap", false, REP_PAGEMAP },
	{ "maps", false, REP_NONE },
	{ "clear_refs", false, REP_NONE },
	{ "madv_cold", true, REP_NONE, MADV_COLD, not_hugetlb },
	{ "madv_pageout", true, REP_NONE, MADV_PAGEOUT, devdax_only },
	{ "mincore", true, REP_MINCORE },
};

#define NR_LOOKS (sizeof(looks) / sizeof(*looks))

/* option `file`: every look, or one (the choices are "all" then looks[]) */
static const char *const file_choices[] = {
	"all", "smaps_rollup", "smaps", "numa_maps", "pagemap", "maps", "clear_refs",
	"madv_cold", "madv_pageout", "mincore", NULL,
};

/* case -> observer */
struct obs_cmd {
	int look;		/* index of looks[], -1: quit */
	uint64_t addr, size;
};

/* observer -> case */
struct obs_reply {
	int err;		/* errno of the look, 0 */
	double reported;	/* bytes it reported resident, NAN if it does not */
};

/*
 * What the reads reported, per look.  The harness runs each case in a child
 * of its own and emits the records there, after run(): the metric reads it
 * from here, so nothing outlives the case.
 */
static struct {
	double fraction_sum;
	long reads;
} seen[NR_LOOKS];

/* Does @line start the entry of @addr ("7f00...-7f40... rw-s ..." or "7f00... default ...")? */
static bool entry_of(const char *line, uint64_t addr)
{
	char *end;

	return strtoull(line, &end, 16) == addr && (*end == '-' || *end == ' ');
}

/* Rss and hugetlb pages (bytes) of @addr's smaps entry, or of every entry (@all); eats @buf. */
static double smaps_bytes(char *buf, uint64_t addr, bool all)
{
	static const char *const fields[] = { "Rss:", "Private_Hugetlb:", "Shared_Hugetlb:" };
	char *save, *end;
	bool in = all;
	double kb = 0;

	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		strtoull(l, &end, 16);
		if (end != l && *end == '-')	/* an entry's first line */
			in = all || entry_of(l, addr);
		for (size_t f = 0; in && f < sizeof(fields) / sizeof(*fields); f++)
			if (!strncmp(l, fields[f], strlen(fields[f])))
				kb += strtod(l + strlen(fields[f]), NULL);
	}
	return kb * 1024;
}

/*
 * The N<node>= pages of @addr's numa_maps line, in bytes (eats @buf):
 * hugetlb counts its pages (kernelpagesize_kB each), all else base pages.
 */
static double numa_bytes(char *buf, uint64_t addr)
{
	double pages = 0, kps = 0;
	bool huge = false;
	char *save, *l = strtok_r(buf, "\n", &save);

	while (l && !entry_of(l, addr))
		l = strtok_r(NULL, "\n", &save);
	if (!l)
		return 0;	/* no line: nothing resident it saw */
	for (char *t = strtok_r(l, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (t[0] == 'N' && strchr(t, '='))
			pages += strtod(strchr(t, '=') + 1, NULL);
		else if (!strcmp(t, "huge"))
			huge = true;
		else if (!strncmp(t, "kernelpagesize_kB=", 18))
			kps = strtod(t + 18, NULL);
	}
	return huge ? pages * kps * 1024 : pages * (double)sysconf(_SC_PAGESIZE);
}

/* Present entries of [@addr, +@size) in @pid's pagemap, in bytes; -1 with errno. */
static double pagemap_bytes(pid_t pid, uint64_t addr, uint64_t size)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), n = size / ps, present = 0;
	uint64_t *e = malloc(n * sizeof(*e));
	int rc = e ? pb_pagemap_entries(pid, addr, n, e) : -1;

	for (size_t i = 0; !rc && i < n; i++)
		present += e[i] >> 63;
	free(e);
	return rc ? -1 : (double)(present * ps);
}

/* One look by the observer at @pid; the reply says what it reported. */
static struct obs_reply observer_look(pid_t pid, const struct obs_cmd *m)
{
	const struct obs_look *lk = &looks[m->look];
	struct obs_reply r = { .reported = NAN };
	char path[64];
	char *buf;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, lk->name);
	if (lk->report == REP_PAGEMAP) {
		r.reported = pagemap_bytes(pid, m->addr, m->size);
		r.err = r.reported < 0 ? errno : 0;
		return r;
	}
	if (!strcmp(lk->name, "clear_refs")) {
		/* 1: clear the referenced and young bits (soft-dirty would need 4) */
		fd = open(path, O_WRONLY | O_CLOEXEC);
		r.err = fd < 0 || write(fd, "1", 1) != 1 ? errno : 0;
		if (fd >= 0)
			close(fd);
		return r;
	}
	buf = pb_slurp(path, NULL);
	if (!buf) {
		r.err = errno;
		return r;
	}
	if (lk->report == REP_SMAPS_VMA || lk->report == REP_SMAPS_ALL)
		r.reported = smaps_bytes(buf, m->addr, lk->report == REP_SMAPS_ALL);
	else if (lk->report == REP_NUMA)
		r.reported = numa_bytes(buf, m->addr);
	free(buf);
	return r;
}

/* The observer: on a CPU other than the case's, one look per command. */
static int observer_main(void *arg, int cmd, int reply)
{
	const struct pb_case *c = arg;
	pid_t pid = getppid();
	struct obs_cmd m;
	cpu_set_t set;

	/* unmap our copy: it is not the mapping looked at, and would hold it */
	munmap(c->map.addr, c->map.size);
	CPU_ZERO(&set);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (cpu != c->cpu)
			CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* one CPU: share it */
	while (!pb_full_io(cmd, &m, sizeof(m), false) && m.look >= 0 &&
	       m.look < (int)NR_LOOKS) {
		struct obs_reply r = observer_look(pid, &m);

		if (pb_full_io(reply, &r, sizeof(r), true))
			return 1;
	}
	return 0;
}

/* Wait for the observer's reply spinning, so this CPU keeps running our mm. */
static int spin_for_reply(int fd, struct obs_reply *r)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, 0) == 0)
		;
	return pb_full_io(fd, r, sizeof(*r), false);
}

/*
 * A look of the process at itself (madvise, mincore) into @r; @vec holds a
 * byte per base page, faulted in before, so its faults are not counted.
 */
static void self_look(struct pb_case *c, const struct obs_look *lk, unsigned char *vec,
		      struct obs_reply *r)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), n = c->map.size / ps, in = 0;

	r->reported = NAN;
	if (lk->report != REP_MINCORE) {
		r->err = madvise(c->map.addr, c->map.size, lk->advice) ? errno : 0;
		return;
	}
	r->err = mincore(c->map.addr, c->map.size, vec) ? errno : 0;
	for (size_t i = 0; !r->err && i < n; i++)
		in += vec[i] & 1;
	if (!r->err)
		r->reported = (double)(in * ps);
}

/* One look at the mapping and the touch after it, into @s if round @i is measured. */
static int look_once(struct pb_case *c, struct pb_sibling *obs, unsigned char *vec, int k,
		     struct pb_series *s, unsigned i)
{
	const struct obs_look *lk = &looks[k];
	struct obs_cmd m = { .look = k, .addr = (uintptr_t)c->map.addr, .size = c->map.size };
	struct pb_counter_snapshot s0, s1;
	struct obs_reply r;
	uint64_t t0, t1;

	pb_case_snapshot(c, &s0);
	t0 = pb_now_ns();
	if (lk->self) {
		self_look(c, lk, vec, &r);
	} else if (pb_full_io(obs->cmd, &m, sizeof(m), true) || spin_for_reply(obs->reply, &r)) {
		pb_case_error(c, "the observer process stopped answering");
		return -1;
	}
	t1 = pb_now_ns();
	pb_touch(c->map.addr, c->map.size, c->page_size, false);	/* the refaults */
	pb_case_snapshot(c, &s1);
	if (r.err) {
		pb_case_error(c, "%s (%s): %s", lk->name, lk->self ? "the process itself" :
			      "the observer", strerror(r.err));
		return -1;
	}
	if (pb_case_measured(c, i)) {
		pb_series_add(s, t1 - t0, &s0, &s1);
		if (!isnan(r.reported)) {
			seen[k].fraction_sum += r.reported / (double)c->map.size;
			seen[k].reads++;
		}
	}
	return 0;
}

/* Records say which looks were not made, and why ("looks_not_made"). */
static void note_unavailable(struct pb_case *c, const char *look, const char *why)
{
	json_object *o;

	if (!c->record_extra)
		c->record_extra = json_object_new_object();
	if (!json_object_object_get_ex(c->record_extra, "looks_not_made", &o)) {
		o = json_object_new_object();
		json_object_object_add(c->record_extra, "looks_not_made", o);
	}
	json_object_object_add(o, look, json_object_new_string(why));
}

/* The series of the looks option `file` asks for that apply to the backend. */
static int make_series(struct pb_case *c, struct pb_series *series[NR_LOOKS])
{
	long file = pb_case_opt(c, "file");
	const char *why = NULL;
	int made = 0;

	for (size_t k = 0; k < NR_LOOKS; k++) {
		const char *no = looks[k].not_on ? looks[k].not_on(c->backend) : NULL;

		series[k] = NULL;
		if (file && (size_t)file - 1 != k)
			continue;
		/* a kernel without CONFIG_ADVISE_SYSCALLS (the tinyconfig test kernel) */
		if (!no && looks[k].advice && madvise(c->map.addr, 0, looks[k].advice) &&
		    errno == ENOSYS)
			no = "this kernel has no madvise() (CONFIG_ADVISE_SYSCALLS)";
		if (no) {
			why = no;
			note_unavailable(c, looks[k].name, no);
			continue;
		}
		series[k] = pb_case_series(c, "observe", looks[k].name);
		if (!series[k])
			return -1;
		made++;
	}
	if (!made)
		pb_case_error(c, "file = %s does not apply to %s: %s", file_choices[file],
			      c->backend->name, why);
	return made ? 0 : -1;
}

static int observer_run(struct pb_case *c)
{
	uint64_t period = pb_case_opt(c, "rate_hz") ? 1000000000ull /
			  (uint64_t)pb_case_opt(c, "rate_hz") : 0;
	struct pb_series *series[NR_LOOKS];
	struct pb_sibling obs = PB_SIBLING_INIT;
	struct obs_cmd quit = { .look = -1 };
	/* mincore()'s vector, faulted in now (calloc'd memory may not be) */
	unsigned char *vec = malloc(c->map.size / (size_t)sysconf(_SC_PAGESIZE));
	int rc = -1;

	if (!vec) {
		pb_case_error(c, "out of memory");
		return -1;
	}
	memset(vec, 1, c->map.size / (size_t)sysconf(_SC_PAGESIZE));
	if (make_series(c, series))
		goto out;
	if (pb_sibling_start(&obs, observer_main, c)) {
		pb_case_error(c, "the observer process: %m");
		goto out;
	}
	for (unsigned i = 0; i < pb_case_rounds(c); i++)
		for (size_t k = 0; k < NR_LOOKS; k++) {
			uint64_t next = pb_now_ns() + period;

			if (!series[k])
				continue;
			if (look_once(c, &obs, vec, (int)k, series[k], i))
				goto out;
			/* the process keeps using its mapping until the next look */
			while (pb_now_ns() < next)
				pb_touch(c->map.addr, c->map.size, c->page_size, false);
		}
	rc = 0;
out:
	pb_sibling_stop(&obs, &quit, sizeof(quit));
	free(vec);
	return rc;
}

/* What the look reported resident, of what is mapped: the mean over its measured reads. */
static double reported_fraction(const struct pb_case *c, const struct pb_series *s)
{
	(void)c;
	for (size_t k = 0; k < NR_LOOKS; k++)
		if (!strcmp(looks[k].name, s->strategy))
			return seen[k].reads ? seen[k].fraction_sum / (double)seen[k].reads : NAN;
	return NAN;
}

/* The finding is about huge mappings; 4 KiB pages have nothing for a walk to split. */
static bool huge_pages_only(const struct pb_backend *be, char *reason, size_t len)
{
	if (be->page_size >= PB_SZ_2M || be->page_size_of)
		return true;
	snprintf(reason, len, "%s maps base pages: no huge mapping for a look to split, and "
		 "at the default counts a case outlasted case_timeout_s (300 s) here", be->name);
	return false;
}

static const struct pb_bench_opt observer_opts[] = {
	{ "file", "what is looked at: /proc/PID/<file> read by the observer (clear_refs: "
		  "written), madv_cold/madv_pageout/mincore by the process itself; all: each "
		  "in turn, a series each",
	  PB_OPT_ENUM, .min = 0, .max = NR_LOOKS, .def = 0, .choices = file_choices },
	{ "rate_hz", "looks per second (per look of `file`); between them the process keeps "
		     "touching its mapping; 0: back to back",
	  PB_OPT_INT, .min = 0, .max = 100000, .def = 50 },
	{ 0 },
};

static const struct pb_metric observer_metrics[] = {
	{ .key = "reported_fraction", .abbrev = "seen", .label = "reported resident / mapped",
	  .meaning = "what the look reported resident (smaps Rss + Hugetlb, numa_maps pages, "
		     "pagemap present, mincore), divided by the mapping's size; null for a "
		     "look that reports nothing",
	  .show = PB_SHOW_RUN_TABLE, .derive = reported_fraction },
	{ 0 },
};

const struct pb_bench pb_bench_observer_cost = {
	.name = "observer-cost",
	.summary = "a look at the process (smaps, pagemap, numa_maps, ... by another process; "
		   "madvise, mincore) and the refaults it costs",
	.flags = PB_BENCH_POPULATE | PB_BENCH_KEEPS_DATA,
	.run = observer_run,
	.supports = huge_pages_only,
	.opts = observer_opts,
	.metrics = observer_metrics,
};
