// SPDX-License-Identifier: MIT
/*
 * hugetlb-pmd-unshare: mprotect(PROT_READ) of a hugetlb mapping whose PMD
 * table is shared with another process, so the call unshares it
 * (huge_pmd_unshare(): the TLB flush and, when the table becomes exclusive,
 * the GUP-fast sync that smp_call_function()s every CPU).
 *
 * x86 shares the PMD table of a MAP_SHARED hugetlb file mapping of 2 MiB
 * pages between processes that map the same file offsets at PUD-aligned
 * addresses with the same flags (huge_pmd_share()).  Here the harness's
 * mapping (the hugetlb backend's memfd) is populated by this process; a
 * sibling process maps the memfd at another 1 GiB-aligned address and
 * faults it in, sharing our table.  Each round this process then
 * (re)gets RW and touches every page, sharing the sibling's table again,
 * and the mprotect(PROT_READ) that unshares is timed and counted.
 *
 * Sharing is not assumed but measured from the faults: a process that
 * shares a populated table faults once per PUD, one that does not, once per
 * 2 MiB page.  The sibling's first populate (getrusage) and every re-touch
 * of ours (the faults counter of the measuring thread) are recorded in the
 * record's "pmd_share".  Checks: a write after PROT_READ faults
 * (stale_write), and the sibling can still write and we read its data.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "probe.h"
#include "sibling.h"

/* parent -> sibling: write @val at @off of its mapping, or quit */
struct sib_cmd {
	uint64_t off;
	char val;
	char quit;
};

struct sibling {
	struct pb_sibling proc;
	long populate_faults;	/* the sibling's faults for its first touch */
};

static bool hugetlb_2m_only(const struct pb_backend *be, char *reason, size_t len)
{
	if (!strncmp(be->name, "hugetlb", 7) && be->page_size == PB_SZ_2M)
		return true;
	snprintf(reason, len, "PMD table sharing needs a hugetlb file mapping of 2 MiB pages "
		 "(PMD leaves); %s maps %zu kB pages", be->name, be->page_size >> 10);
	return false;
}

static long minor_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}

/* The sibling process: map the memfd 1 GiB-aligned elsewhere, fault it in, serve writes. */
static int sibling_main(void *arg, int cmd, int reply)
{
	const struct pb_case *c = arg;
	size_t size = c->map.size;
	char *res, *addr = NULL;
	struct sib_cmd m;
	long f0, faults = -1;

	/* our copy of the parent's mapping would be one more sharer */
	munmap(c->map.addr, size);
	res = mmap(NULL, size + PB_SZ_1G, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (res != MAP_FAILED) {
		addr = (char *)(((uintptr_t)res + PB_SZ_1G - 1) & ~(uintptr_t)(PB_SZ_1G - 1));
		if (mmap(addr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, c->map.fd, 0) !=
		    MAP_FAILED) {
			f0 = minor_faults();
			pb_touch(addr, size, c->page_size, false);
			faults = minor_faults() - f0;
		}
	}
	if (pb_full_io(reply, &faults, sizeof(faults), true) || faults < 0)
		return 1;
	while (!pb_full_io(cmd, &m, sizeof(m), false) && !m.quit && m.off < size) {
		((volatile char *)addr)[m.off] = m.val;
		if (pb_full_io(reply, &m.val, 1, true))
			return 1;
	}
	return 0;
}

static int sibling_start(struct pb_case *c, struct sibling *s)
{
	if (pb_sibling_start(&s->proc, sibling_main, c)) {
		pb_case_error(c, "the sibling process: %m");
		return -1;
	}
	if (pb_full_io(s->proc.reply, &s->populate_faults, sizeof(s->populate_faults), false)) {
		pb_case_error(c, "the sibling process could not map the hugetlb memfd");
		return -1;
	}
	return 0;
}

static void sibling_stop(struct sibling *s)
{
	struct sib_cmd m = { .quit = 1 };

	pb_sibling_stop(&s->proc, &m, sizeof(m));
}

/* The sibling writes @val at @off and we read it; *@lost counts what we did not see. */
static int sibling_write_seen(struct pb_case *c, struct sibling *s, size_t off, char val,
			      long *lost)
{
	struct sib_cmd m = { .off = off, .val = val };
	char ack;

	/* negative control: the sibling writes one page off, so we miss it */
	if (pb_case_injected(c, "sibling-writes-elsewhere"))
		m.off = (off + c->page_size) % c->map.size;

	if (pb_full_io(s->proc.cmd, &m, sizeof(m), true) ||
	    pb_full_io(s->proc.reply, &ack, 1, false)) {
		pb_case_error(c, "the sibling process stopped answering");
		return -1;
	}
	*lost += ((volatile char *)c->map.addr)[off] != val;
	return 0;
}

/* What the rounds saw: our re-touches, and the sibling's writes we read. */
struct share_stats {
	long retouches, shared_retouches, lost;
	double retouch_faults;
	const char *no_faults;	/* why our faults are not counted, or NULL */
};

/*
 * Sharing evidence for the record: fewer faults than half the 2 MiB
 * pages means a shared, populated table was found.
 */
static void add_share_json(struct pb_case *c, const struct sibling *s,
			   const struct share_stats *st)
{
	json_object *o = json_object_new_object();
	long pages = (long)(c->map.size / c->page_size);
	bool sib = s->populate_faults < pages / 2;
	bool ours = !st->no_faults && st->retouches && st->shared_retouches == st->retouches;
	const char *why = !sib ? "the sibling faulted every page in: it did not share our PMD table" :
			  st->no_faults ? st->no_faults :
			  !st->retouches ? "no measured re-touch (one round only)" :
			  !ours ? "some re-touch faulted every page: no shared table to unshare" :
				  "the sibling and every re-touch faulted about once per PUD";

	json_object_object_add(o, "pages", json_object_new_int64(pages));
	json_object_object_add(o, "sibling_populate_faults", json_object_new_int64(s->populate_faults));
	json_object_object_add(o, "retouches", json_object_new_int64(st->retouches));
	json_object_object_add(o, "retouch_faults_mean", st->no_faults || !st->retouches ? NULL :
			       json_object_new_double(st->retouch_faults / (double)st->retouches));
	json_object_object_add(o, "shared_retouches", st->no_faults ? NULL :
			       json_object_new_int64(st->shared_retouches));
	/* null: the sibling shared, but our re-touches could not be counted */
	json_object_object_add(o, "shared", sib && (st->no_faults || !st->retouches) ? NULL :
			       json_object_new_boolean(sib && ours));
	json_object_object_add(o, "reason", json_object_new_string(why));
	c->record_extra = json_object_new_object();
	json_object_object_add(c->record_extra, "pmd_share", o);
	c->checks_extra = json_object_new_object();
	json_object_object_add(c->checks_extra, "sibling_write_lost", json_object_new_int64(st->lost));
}

/* One measured re-touch: our faults between @s0 and @s1, if both reads held. */
static void count_retouch(struct share_stats *st, const struct pb_counter_snapshot *s0,
			  const struct pb_counter_snapshot *s1, size_t npages)
{
	uint64_t f;

	if (!pb_counter_thread_delta(s0, s1, PB_CTR_FAULTS, 0, &f)) {
		/* a difference against a failed read is no count: no evidence either way */
		st->no_faults = "a read of the faults counter failed during a re-touch";
		return;
	}
	st->retouches++;
	st->retouch_faults += (double)f;
	/* >= 1: our table was gone (unshared); < half: shared again */
	st->shared_retouches += f >= 1 && f < npages / 2;
}

static int pmd_unshare_run(struct pb_case *c)
{
	struct sibling s = { .proc = PB_SIBLING_INIT };
	size_t npages = c->map.size / c->page_size, data_off = (npages / 2) * c->page_size + 128;
	struct pb_counter_snapshot s0, s1;
	struct pb_series *down = pb_case_series(c, "downgrade", "unshare");
	struct share_stats st = { 0 };
	int rc = -1;

	if (!down)
		return -1;
	if (!c->ctrs)
		st.no_faults = "counters not opened";
	else if (!pb_counter_available(c->ctrs, PB_CTR_FAULTS, &st.no_faults))
		st.no_faults = st.no_faults ? st.no_faults : "faults counter unavailable";
	if (sibling_start(c, &s))
		goto out;
	for (unsigned i = 0; i <= pb_case_rounds(c); i++) {
		if (i) {
			/*
			 * Back to RW; the sibling writes, we read it and touch
			 * every page: the first fault shares the sibling's table
			 * (a fault while PROT_READ would have made us our own).
			 */
			if (pb_case_protect(c, PROT_READ | PROT_WRITE))
				goto out;
			pb_case_snapshot(c, &s0);
			if (sibling_write_seen(c, &s, data_off, (char)(i % 251 + 1), &st.lost))
				goto out;
			pb_touch(c->map.addr, c->map.size, c->page_size, false);
			pb_case_snapshot(c, &s1);
			if (!st.no_faults && pb_case_measured(c, i - 1))
				count_retouch(&st, &s0, &s1, npages);
		}
		if (i < pb_case_rounds(c) && pb_case_probed_downgrade(c, down, i))
			goto out;
	}
	add_share_json(c, &s, &st);
	rc = 0;
out:
	sibling_stop(&s);
	return rc;
}

const struct pb_bench pb_bench_hugetlb_pmd_unshare = {
	.name = "hugetlb-pmd-unshare",
	.summary = "mprotect RO of a hugetlb-2M mapping whose PMD table a second process shares",
	/* not KEEPS_DATA: the sibling writes into it */
	/* lazy: pb_case_probed_downgrade()'s probe step makes them lazy again */
	.flags = PB_BENCH_REMOTE | PB_BENCH_POPULATE | PB_BENCH_REMOTE_LAZY,
	.run = pmd_unshare_run,
	.supports = hugetlb_2m_only,
};
