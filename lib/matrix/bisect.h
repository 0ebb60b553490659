/* SPDX-License-Identifier: MIT */
/*
 * `pudbench bisect`: over an ordered series of packaged kernels (oldest
 * first), find where a condition on one metric of one case starts to hold.
 * This file is the search alone: what a version measures comes from a
 * callback (a boot through the matrix pipeline, or recorded values), so the
 * search, its boot bound and its handling of versions that give no value are
 * tested without a boot.
 *
 * The condition names the "bad" side: "METRIC OP NUMBER" with OP one of
 * > >= < <=, e.g. "tlb_shootdowns_remote > 1.5"; "NUMBERx" is relative to
 * the first version's value ("tlb_shootdowns_remote > 1.5x").  The first
 * version must be good and the last bad; the search keeps lo good and hi
 * bad and halves the versions between them: with no skipped version it
 * measures at most ceil(log2 N) + 2 of N.  A version that gives no value (a
 * failed boot, packages that cannot be installed) is skipped, never taken
 * as good or bad, and the nearest untried neighbour of the midpoint is
 * tried instead; each skip costs one more boot.
 */
#ifndef PUDBENCH_BISECT_H
#define PUDBENCH_BISECT_H

#include <stdbool.h>
#include <stddef.h>

#define PB_BISECT_MAX_VERSIONS 256
#define PB_BISECT_NAME_MAX 128

/*
 * fetch-kernel.sh's exit when a version's packages cannot all be installed
 * (an image whose linux-modules package has no installable version;
 * EX_UNAVAILABLE).  Must equal the script's EXIT_INCOMPLETE.
 */
#define PB_BISECT_FETCH_INCOMPLETE 69

enum pb_bisect_outcome {
	PB_BISECT_UNTRIED,
	PB_BISECT_VALUE,	/* measured: value */
	PB_BISECT_FAILED,	/* the boot or the fetch failed: skipped */
	PB_BISECT_INCOMPLETE,	/* its packages are not all installable: skipped */
};

struct pb_bisect_version {
	char package[PB_BISECT_NAME_MAX];
	char version[PB_BISECT_NAME_MAX];
	char suite[64];		/* the Debian suite it is from; "": the spec names none */
	enum pb_bisect_outcome outcome;
	double value;
	char why[256];		/* a skipped version: what went wrong */
	bool reused;		/* taken from an earlier run's boot */
	unsigned boot;		/* 1-based order it was measured in; 0: not */
};

enum pb_bisect_op { PB_BISECT_GT, PB_BISECT_GE, PB_BISECT_LT, PB_BISECT_LE };

struct pb_bisect_cond {
	char metric[64];
	int metric_idx;		/* pb_metric_all() index */
	enum pb_bisect_op op;
	double threshold;	/* absolute, or a factor of the first value */
	bool relative;
};

/* "METRIC OP NUMBER[x]" into @c.  0, or -1 with @err (an unknown metric names the known). */
int pb_bisect_cond_parse(const char *text, struct pb_bisect_cond *c, char *err, size_t errlen);
/* Is @value bad: does the condition hold, @base the first version's value? */
bool pb_bisect_cond_bad(const struct pb_bisect_cond *c, double value, double base);
/* "tlb_shootdowns_remote > 1.5" (relative: "> 1.5x the first version's, i.e. > 1.53") */
void pb_bisect_cond_describe(const struct pb_bisect_cond *c, double base, char *buf, size_t len);

/*
 * Measure @v (outcome, value, why, reused).  0, or -1 to stop the search
 * (interrupted, or an error that no other version would escape).
 */
typedef int (*pb_bisect_measure_fn)(void *ctx, struct pb_bisect_version *v);

enum pb_bisect_result {
	PB_BISECT_FOUND,	/* good = last good, bad = first bad */
	PB_BISECT_NO_STEP,	/* the last version measured is good too */
	PB_BISECT_FIRST_BAD,	/* the first version measured is bad already */
	PB_BISECT_NO_VALUE,	/* no version at one end gave a value */
	PB_BISECT_STOPPED,	/* the callback stopped it */
};

struct pb_bisect {
	struct pb_bisect_version *v;	/* oldest first */
	unsigned nr;
	struct pb_bisect_cond cond;
	pb_bisect_measure_fn measure;
	void *ctx;
	/* out */
	unsigned boots;			/* versions measured (reused ones too) */
	int base;			/* the first version with a value, -1 */
	int good, bad;			/* PB_BISECT_FOUND: the pair; else -1 */
};

/* ceil(log2 @nr) + 2: the boots a search without skips takes at most. */
unsigned pb_bisect_max_boots(unsigned nr);

/* The search: both ends, then halving. */
enum pb_bisect_result pb_bisect_run(struct pb_bisect *b);
/* Every version in order, then the first good -> bad step between measured neighbours. */
enum pb_bisect_result pb_bisect_sweep(struct pb_bisect *b);

/*
 * The ordered series: "PACKAGE VERSION [SUITE]" (or PACKAGE=VERSION) lines of @text
 * into @v, sorted by Debian version (dpkg --compare-versions), restricted
 * to @from..@to (a version or package, inclusive; NULL: an end).  The
 * count, or -1 with @err: no versions, a line that is not two or three words, the
 * same version twice, a bound that is not in the list.
 */
int pb_bisect_versions_parse(const char *text, const char *from, const char *to,
			     struct pb_bisect_version *v, unsigned max, char *err, size_t errlen);

/* The upstream version of Debian version @version ("6.12.118-1~deb12u1" -> "6.12.118"). */
void pb_bisect_upstream(const char *version, char *buf, size_t len);

#endif
