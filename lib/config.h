/* SPDX-License-Identifier: MIT */
/*
 * Run configuration: an INI file (parsed with libinih).  Every key is
 * validated for type and range and unknown keys are errors, so a typo never
 * silently falls back to a default.  Errors name file, line and key.
 */
#ifndef PUDBENCH_CONFIG_H
#define PUDBENCH_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define PB_CFG_MAX_LIST 16
#define PB_CFG_NAME_MAX 32
#define PB_CFG_MAX_REPEAT 1000
#define PB_BENCH_MAX_OPTS 8		/* rows of a benchmark's options table */

/*
 * spin: in the mm, never idle; read: reading the mapping; lazy: idle with
 * the mm loaded (lazy TLB), re-entered before every timed call.
 */
enum pb_remote_mode { PB_REMOTE_SPIN, PB_REMOTE_READ, PB_REMOTE_LAZY };
#define PB_REMOTE_MODES 3

/* Settings one benchmark may override in its own [bench:NAME] section. */
struct pb_bench_config {
	char name[PB_CFG_NAME_MAX];
	unsigned iterations;		/* measured calls per case, >= 1 */
	unsigned warmup;		/* discarded calls before them */
	unsigned nr_sizes;
	unsigned sizes_gib[PB_CFG_MAX_LIST];	/* mapping sizes, GiB, >= 1 */
	/*
	 * The benchmark's own options (its struct pb_bench_opt rows, by
	 * index): bit i of @opts_set says row i was set in [bench:NAME];
	 * unset ones take the row's default (pb_bench_opt_value()).
	 */
	unsigned opts_set;
	long opts[PB_BENCH_MAX_OPTS];
};

struct pb_config {
	char path[PATH_MAX];		/* "" when built from defaults */

	/* [run] */
	struct pb_bench_config defaults;	/* iterations, warmup, sizes */
	unsigned nr_backends;		/* "auto" => 0 entries, auto = true */
	bool backends_auto;
	char backends[PB_CFG_MAX_LIST][PB_CFG_NAME_MAX];
	unsigned nr_benches;
	char benches[PB_CFG_MAX_LIST][PB_CFG_NAME_MAX];
	unsigned nr_remote_cpus;
	unsigned remote_cpus[PB_CFG_MAX_LIST];	/* participant counts, 0..64 */
	/*
	 * PUD protection strategies to interleave, selected through the
	 * bench-only kernel knob (patches/0002).  "auto": every one the
	 * kernel offers, or just its own path when it has no knob.
	 */
	bool strategies_auto;
	unsigned nr_strategies;
	char strategies[PB_CFG_MAX_LIST][PB_CFG_NAME_MAX];
	unsigned nr_remote_modes;
	enum pb_remote_mode remote_modes[PB_REMOTE_MODES];
	int cpu;			/* CPU of the measuring thread, -1 = auto */
	unsigned case_timeout_s;	/* per case, 1..86400 */
	/* each case runs this often, interleaved, each time in a fresh process */
	unsigned repeat;		/* 1..PB_CFG_MAX_REPEAT */

	/* [devdax] */
	char device[PATH_MAX];		/* "" = none named */
	bool destructive;

	/* [bench:NAME] sections, inheriting [run] values not set there */
	unsigned nr_bench_overrides;
	struct pb_bench_config bench_overrides[PB_CFG_MAX_LIST];
};

/* Built-in defaults (what an empty file gives). */
void pb_config_defaults(struct pb_config *cfg);

/*
 * Parse @path over the defaults.  On error returns -1 and writes one line
 * "FILE:LINE: key 'K' in [SECTION]: WHAT" (or "FILE: ..." for errors with no
 * line, e.g. cannot open) into @err.
 */
int pb_config_load(struct pb_config *cfg, const char *path, char *err, size_t errlen);

/*
 * Set run-wide [run] key @key from the command line (--backends, --benches,
 * --repeat), parsed and checked as in a file: 0, or -1 with @err.
 */
int pb_config_set(struct pb_config *cfg, const char *key, const char *value, char *err,
		  size_t errlen);

/*
 * The effective configuration for the results document: every key of the
 * table (per-bench ones under "run" and in "bench_overrides"), by the
 * table, so a new key is echoed with no code of its own.
 */
struct json_object *pb_config_json(const struct pb_config *cfg);

/* Effective settings for one benchmark: [bench:NAME] over [run]. */
const struct pb_bench_config *pb_config_bench(const struct pb_config *cfg, const char *bench);

const char *pb_remote_mode_name(enum pb_remote_mode m);

/* A key of the file as docs and tests see it (lib/config.c's table). */
struct pb_config_key_info {
	const char *name;
	const char *section;		/* "run" or "devdax" */
	bool per_bench;			/* also in [bench:NAME]; echoed under "run" */
	const char *example;		/* a valid value unlike the default */
};

/* Row @i of the key table: false past its end. */
bool pb_config_key_info(size_t i, struct pb_config_key_info *out);

#endif
