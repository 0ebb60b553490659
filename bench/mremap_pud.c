// SPDX-License-Identifier: MIT
/*
 * mremap-pud: mremap(MREMAP_MAYMOVE | MREMAP_FIXED) of the whole populated
 * mapping to another 1 GiB-aligned address and back, one call a round,
 * each timed (series `move`).  A kernel that moves a leaf PUD carries the entry with
 * a flush; one that takes it for a bad entry ("bad pud", get_old_pud())
 * drops it without one, leaves the file pages counted in RSS and the new
 * address refaults.  Per call:
 *  - `touch`: a read of every page at the new address, its faults (0 for
 *    a real move, one per page the move dropped), checking each page's
 *    first word against what it held before the first move
 *    (checks.moved_data_lost);
 *  - stale-write probes at the old address, here and on the participants'
 *    CPUs that wrote there before the call: each must fault
 *    (checks.stale_write, checks.stale_write_remote);
 *  - the kernel log (bad pud, WARNING/BUG).
 * Once per case, a forked child faults the mapping in, moves it and exits:
 * a leaked RSS counter is reported when an mm is torn down, so the report
 * ("BUG: Bad rss-counter state") is in the case's kernel log only if a
 * process that moved the mapping has exited before the log is read
 * (checks.bad_rss_counter).  Option mover_offset_mib moves that child's
 * mapping off PUD alignment instead, so each leaf PUD moves in part.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "timing.h"

#define NR_PROBES 3

struct move_state {
	char *home, *away;		/* where the mapping is between rounds, and the other */
	size_t nr_pages;
	uint64_t *first_words;		/* each page's first word before the first move */
	long lost;			/* words that differed after a measured move */
	struct pb_series *move, *touch;
};

/*
 * A 1 GiB-aligned range as large as the mapping, free now: reserved with
 * room to align, then given back (each move claims it again, see claim()).
 */
static char *free_aligned_range(struct pb_case *c)
{
	/* room to align, and for the mover's offset */
	size_t len = c->map.size + 2 * PB_SZ_1G;
	char *r = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *aligned;

	if (r == MAP_FAILED) {
		pb_case_error(c, "mmap(%zu bytes of address space): %m", len);
		return NULL;
	}
	aligned = (char *)(((uintptr_t)r + PB_SZ_1G - 1) & ~(uintptr_t)(PB_SZ_1G - 1));
	munmap(r, len);
	return aligned;
}

/*
 * Hold @to with a PROT_NONE placeholder, so that MREMAP_FIXED replaces our
 * own mapping and never one this process made meanwhile (it fails instead).
 */
static int claim(struct pb_case *c, char *to)
{
	void *p = mmap(to, c->map.size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == to)
		return 0;
	if (p != MAP_FAILED)
		munmap(p, c->map.size);
	pb_case_error(c, "claiming the move target %p: %m", (void *)to);
	return -1;
}

static int move_range(struct pb_case *c, char *from, char *to, uint64_t *ns)
{
	uint64_t t0 = pb_now_ns();
	void *p = mremap(from, c->map.size, c->map.size, MREMAP_MAYMOVE | MREMAP_FIXED, to);

	*ns = pb_now_ns() - t0;
	if (p == to)
		return 0;
	pb_case_error(c, "mremap(%p -> %p, %zu bytes): %m", (void *)from, (void *)to,
		      c->map.size);
	return -1;
}

/* Read each page's first word at @at: the touch, and how many changed. */
static long read_first_words(const struct pb_case *c, const struct move_state *st, char *at)
{
	long changed = 0;

	for (size_t k = 0; k < st->nr_pages; k++)
		changed += *(volatile uint64_t *)(at + k * c->page_size) != st->first_words[k];
	return changed;
}

/* One move @from -> @to with its probes, then the touch at @to. */
static int probed_move(struct pb_case *c, struct move_state *st, char *from, char *to,
		       bool measured)
{
	volatile char *const probes[NR_PROBES] = {
		from, from + c->map.size / 2 + 64, from + c->map.size - 1,
	};
	bool inject = pb_case_injected(c, "moved-data-changed");
	struct pb_counter_snapshot s0, s1, s2, s3;
	uint64_t t_move, t0;
	long changed;
	int faulted;

	pb_case_dirty_probes(c, probes, NR_PROBES);
	if (claim(c, to))
		return -1;
	pb_case_snapshot(c, &s0);
	if (move_range(c, from, to, &t_move))
		return -1;
	c->map.addr = to;	/* where the harness finds it, whatever follows */
	faulted = pb_case_try_local_writes(c, st->move, probes, NR_PROBES, measured);
	pb_case_snapshot_after_probes(c, &s1, faulted);
	pb_case_try_remote_writes(c, st->move, measured);

	/* negative control: a word the move did not carry (put back after the read) */
	if (inject)
		*(volatile char *)to ^= 0x5a;
	pb_case_snapshot(c, &s2);
	t0 = pb_now_ns();
	changed = read_first_words(c, st, to);
	t0 = pb_now_ns() - t0;
	pb_case_snapshot(c, &s3);
	if (inject)
		*(volatile char *)to ^= 0x5a;
	if (measured) {
		pb_series_add(st->move, t_move, &s0, &s1);
		pb_series_add(st->touch, t0, &s2, &s3);
		st->lost += changed;
	}
	return 0;
}

/*
 * A child faults the mapping in (fork() copies no entries of a shared
 * mapping), moves it away and exits; the parent waits, so whatever the
 * kernel logs when it tears the child's mm down is in this case's log.
 * The child runs on the case's CPU (it inherits the pinning) and no other
 * CPU ever ran its mm: switching back to the waiting parent there drops
 * the last reference, and check_mm() reports before waitpid() returns.
 * 0, or -1 with the case error.
 */
static int exiting_mover(struct pb_case *c, struct move_state *st)
{
	/* option mover_offset_mib: off PUD alignment, only part of each PUD moves */
	char *to = st->away + ((size_t)pb_case_opt(c, "mover_offset_mib") << 20);
	int status;
	pid_t pid;

	if (claim(c, to))
		return -1;
	pid = fork();
	if (pid == 0) {
		void *p;

		pb_touch(st->home, c->map.size, c->page_size, false);
		p = mremap(st->home, c->map.size, c->map.size, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		_exit(p == to ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		pb_case_error(c, "the child that moves the mapping and exits failed");
		return -1;
	}
	munmap(to, c->map.size);	/* the placeholder, in this process */
	return 0;
}

static int move_setup(struct pb_case *c, struct move_state *st)
{
	st->home = c->map.addr;
	st->nr_pages = c->map.size / c->page_size;
	st->move = pb_case_series(c, "move", "mremap");
	st->touch = pb_case_series(c, "touch", "mremap");
	if (!st->move || !st->touch || !(st->away = free_aligned_range(c)))
		return -1;
	st->first_words = calloc(st->nr_pages, sizeof(*st->first_words));
	if (!st->first_words) {
		pb_case_error(c, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < st->nr_pages; k++)
		st->first_words[k] = *(volatile uint64_t *)(st->home + k * c->page_size);
	return 0;
}

static int mremap_pud_run(struct pb_case *c)
{
	struct move_state st = { 0 };
	int rc = move_setup(c, &st);

	/* one call a round (a series has room for one sample a round): away, back, ... */
	for (unsigned i = 0; rc == 0 && i < pb_case_rounds(c); i++)
		rc = i % 2 ? probed_move(c, &st, st.away, st.home, pb_case_measured(c, i)) :
			     probed_move(c, &st, st.home, st.away, pb_case_measured(c, i));
	if (rc == 0 && c->map.addr != st.home)	/* home for the harness's checks */
		rc = probed_move(c, &st, st.away, st.home, false);
	if (rc == 0)
		rc = exiting_mover(c, &st);
	if (rc == 0) {
		c->checks_extra = json_object_new_object();
		json_object_object_add(c->checks_extra, "moved_data_lost",
				       json_object_new_int64(st.lost));
	}
	free(st.first_words);
	return rc;
}

static const struct pb_bench_opt mremap_pud_opts[] = {
	{ "mover_offset_mib", "MiB past 1 GiB alignment the exiting child moves the mapping to "
	  "(not PUD-aligned: each leaf PUD moves in part, and is split; it never touches it there)",
	  PB_OPT_INT, .min = 0, .max = 1022, .def = 0 },
	{ 0 },
};

const struct pb_bench pb_bench_mremap_pud = {
	.name = "mremap-pud",
	.summary = "mremap(MAYMOVE|FIXED) of the whole mapping away and back: refaults, "
		   "stale old address, RSS at exit",
	.flags = PB_BENCH_REMOTE | PB_BENCH_REMOTE_SPIN_ONLY | PB_BENCH_POPULATE |
		 PB_BENCH_KEEPS_DATA,
	.opts = mremap_pud_opts,
	.run = mremap_pud_run,
	.stale_write_is = "to the old address after mremap() returned",
};
