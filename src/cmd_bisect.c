// SPDX-License-Identifier: MIT
/*
 * pudbench bisect: over an ordered series of Debian kernel packages, find
 * the last version where a condition on one metric of one case does not
 * hold and the first where it does, booting each version it looks at
 * through the kernel matrix pipeline.  The search is lib/matrix/bisect.c,
 * a version's boot (or recorded value) lib/matrix/bisect_boot.c; this file
 * gets the version list from its provider, prints each boot and the
 * verdict, writes OUT/bisect.json and, with --sweep, the plot.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "bisect.h"
#include "bisect_boot.h"
#include "commands.h"
#include "config.h"
#include "exit.h"
#include "fetch.h"
#include "kernels_conf.h"
#include "matrix_run.h"
#include "metrics.h"
#include "plot.h"
#include "record.h"
#include "results.h"
#include "subproc.h"
#include "vm_files.h"

struct bisect_args {
	const char *config, *suite, *case_name, *condition, *pattern, *dist, *from, *to;
	const char *recorded;
	char out[PATH_MAX];
	int accel;
	bool sweep, dry_run;
};

enum { OPT_CONFIG, OPT_CASE, OPT_CONDITION, OPT_PATTERN, OPT_DIST, OPT_FROM, OPT_TO, OPT_SUITE,
       OPT_SWEEP, OPT_OUT, OPT_ACCEL, OPT_RECORDED, OPT_DRY_RUN };

static const struct pb_cli_arg bisect_cli[] = {
	[OPT_CONFIG] = { "config", "FILE", "a kernel matrix config: its [matrix] settings (suite, "
					   "aligns, hugepages_1g, ...) for every boot; its kernels "
					   "are not used", PB_CLI_REQUIRED },
	[OPT_CASE] = { "case", "NAME", "the case, named as compare names it "
				       "(bench/backend/pgSIZE/SIZE/operation/strategy/rN...)",
		       PB_CLI_REQUIRED },
	[OPT_CONDITION] = { "condition", "'METRIC OP N[x]'", "when a version is bad: OP one of > "
						  ">= < <=; Nx: N times the first version's "
						  "value", PB_CLI_REQUIRED },
	[OPT_PATTERN] = { "pattern", "GLOB", "the kernel packages, e.g. "
					     "'linux-image-6.18.*+deb13-amd64'", PB_CLI_REQUIRED },
	[OPT_DIST] = { "dist", "SUITE", "only the versions of this Debian suite (trixie-backports)" },
	[OPT_FROM] = { "from", "VERSION", "the oldest version (or package) to take" },
	[OPT_TO] = { "to", "VERSION", "the newest version (or package) to take" },
	[OPT_SUITE] = { "suite", "FILE", "the suite each guest runs instead of [matrix] suite" },
	[OPT_SWEEP] = { "sweep", NULL, "boot every version, plot the metric against the version" },
	[OPT_OUT] = { "out", "DIR", "the boots, bisect.json and the plot (default "
				    "results/bisect-<timestamp>); run again with the same DIR to "
				    "resume: finished boots are reused" },
	[OPT_ACCEL] = { "accel", "auto|kvm|tcg", "as kernels --accel" },
	[OPT_RECORDED] = { "recorded", "FILE", "take the values from FILE ('VERSION VALUE|failed|"
					       "incomplete' lines) instead of booting" },
	[OPT_DRY_RUN] = { "dry-run", NULL, "list the versions and the boot bound, boot nothing" },
	{ "PUDBENCH_KERNEL_VERSIONS", NULL, "the version list's provider (default "
					    "tools/vm/kernel-versions.sh PATTERN [SUITE])",
	  PB_CLI_ENV },
	{ "PUDBENCH_ROOT", NULL, "the source tree (its tools/ and guest/)", PB_CLI_ENV },
	{ "PUDBENCH_VM_CACHE", NULL, "kernels and initramfs (default $HOME/.cache/pudbench/vm)",
	  PB_CLI_ENV },
	{ 0 },
};

/* What the search measures through, and prints after each version. */
struct bisect_run {
	struct bisect_args *a;
	struct pb_bisect b;
	struct pb_bisect_boot bb;
	pb_bisect_measure_fn inner;
	char json_path[PATH_MAX + 16];
};

static int parse_args(int argc, char **argv, struct bisect_args *a)
{
	const char **str[] = { [OPT_CONFIG] = &a->config, [OPT_CASE] = &a->case_name,
			       [OPT_CONDITION] = &a->condition, [OPT_PATTERN] = &a->pattern,
			       [OPT_DIST] = &a->dist, [OPT_FROM] = &a->from, [OPT_TO] = &a->to,
			       [OPT_SUITE] = &a->suite, [OPT_RECORDED] = &a->recorded };
	int opt;

	while ((opt = pb_cli_next(&pb_command_bisect, argc, argv)) >= 0) {
		if (opt < (int)(sizeof(str) / sizeof(*str)) && str[opt])
			*str[opt] = optarg;
		else if (opt == OPT_OUT)
			pb_format(a->out, sizeof(a->out), "%s", optarg);
		else if (opt == OPT_SWEEP || opt == OPT_DRY_RUN)
			*(opt == OPT_SWEEP ? &a->sweep : &a->dry_run) = true;
		else if (opt == OPT_ACCEL && (a->accel = pb_kernels_conf_accel_parse(optarg)) < 0) {
			fprintf(stderr, "pudbench: bisect: --accel '%s': expected auto, kvm or tcg\n",
				optarg);
			return PB_EXIT_USAGE;
		}
	}
	if (opt != PB_CLI_DONE)
		return pb_cli_status(opt);
	for (unsigned i = 0; i < sizeof(str) / sizeof(*str); i++)
		if (bisect_cli[i].kind == PB_CLI_REQUIRED && !*str[i]) {
			fprintf(stderr, "pudbench: bisect: --%s %s is required\n", bisect_cli[i].name,
				bisect_cli[i].arg);
			return PB_EXIT_USAGE;
		}
	return -1;
}

/* The matrix config's [matrix] settings and the suite (--suite over [matrix] suite). */
static int load_config(const struct bisect_args *a, const char *root, struct pb_kernels_conf *kc)
{
	struct pb_config suite;
	char err[1024];

	if (pb_kernels_conf_load(kc, a->config, root, err, sizeof(err))) {
		fprintf(stderr, "pudbench: bisect: %s\n", err);
		return -1;
	}
	if (a->suite && !realpath(a->suite, kc->suite)) {
		fprintf(stderr, "pudbench: bisect: --suite %s: no such file\n", a->suite);
		return -1;
	}
	pb_config_defaults(&suite);
	if (pb_config_load(&suite, kc->suite, err, sizeof(err))) {
		fprintf(stderr, "pudbench: bisect: suite: %s\n", err);
		return -1;
	}
	return 0;
}

/* The provider's "PACKAGE VERSION" lines, ordered and restricted.  The count, or -exit status. */
static int list_versions(const struct bisect_args *a, const char *root,
			 struct pb_bisect_version *v)
{
	static char text[1 << 16];
	char script[PATH_MAX + 40], err[512];
	const char *env = getenv("PUDBENCH_KERNEL_VERSIONS");
	char *argv[] = { script, (char *)a->pattern, (char *)a->dist, NULL };
	int rc, nr;

	pb_format(script, sizeof(script), "%s", env && *env ? env :
		  "tools/vm/kernel-versions.sh");
	if (!(env && *env))
		pb_format(script, sizeof(script), "%s/tools/vm/kernel-versions.sh", root);
	rc = pb_spawn_wait(argv, text, sizeof(text), 600);
	if (rc) {
		fprintf(stderr, "pudbench: bisect: %s %s exited %d%s\n", script, a->pattern, rc,
			rc == PB_KERNEL_SCRIPT_UNREACHABLE ? ": the Debian archive is unreachable" :
			" (see above)");
		return rc == PB_KERNEL_SCRIPT_UNREACHABLE ? -PB_EXIT_FAILED : -PB_EXIT_USAGE;
	}
	nr = pb_bisect_versions_parse(text, a->from, a->to, v, PB_BISECT_MAX_VERSIONS, err,
				      sizeof(err));
	if (nr < 0)
		fprintf(stderr, "pudbench: bisect: %s: %s\n", a->pattern, err);
	return nr < 0 ? -PB_EXIT_USAGE : nr;
}

static const char *outcome_name(enum pb_bisect_outcome o)
{
	static const char *const names[] = { "untried", "value", "failed", "incomplete" };

	return names[o];
}

/* OUT/bisect.json: every version's outcome so far and, once known, the pair. */
static void save_state(struct bisect_run *r, const char *result)
{
	json_object *doc = json_object_new_object(), *vs = json_object_new_array();
	const struct pb_bisect *b = &r->b;
	char up[PB_BISECT_NAME_MAX];

	json_object_object_add(doc, "schema", json_object_new_string("pudbench-bisect/1"));
	json_object_object_add(doc, "config", json_object_new_string(r->a->config));
	json_object_object_add(doc, "case", json_object_new_string(r->a->case_name));
	json_object_object_add(doc, "condition", json_object_new_string(r->a->condition));
	json_object_object_add(doc, "mode", json_object_new_string(r->a->sweep ? "sweep" : "bisect"));
	for (unsigned i = 0; i < b->nr; i++) {
		const struct pb_bisect_version *v = &b->v[i];
		json_object *o = json_object_new_object();

		pb_bisect_upstream(v->version, up, sizeof(up));
		json_object_object_add(o, "package", json_object_new_string(v->package));
		json_object_object_add(o, "version", json_object_new_string(v->version));
		json_object_object_add(o, "upstream", json_object_new_string(up));
		json_object_object_add(o, "outcome", json_object_new_string(outcome_name(v->outcome)));
		json_object_object_add(o, "value", v->outcome == PB_BISECT_VALUE ?
				       json_object_new_double(v->value) : NULL);
		json_object_object_add(o, "why", v->why[0] ? json_object_new_string(v->why) : NULL);
		json_object_object_add(o, "boot", json_object_new_int((int)v->boot));
		json_object_object_add(o, "reused", json_object_new_boolean(v->reused));
		json_object_array_add(vs, o);
	}
	json_object_object_add(doc, "versions", vs);
	json_object_object_add(doc, "result", result ? json_object_new_string(result) : NULL);
	json_object_object_add(doc, "last_good", b->good >= 0 ?
			       json_object_new_string(b->v[b->good].version) : NULL);
	json_object_object_add(doc, "first_bad", b->bad >= 0 ?
			       json_object_new_string(b->v[b->bad].version) : NULL);
	if (pb_write_json_atomic(r->json_path, doc))
		fprintf(stderr, "pudbench: bisect: cannot write %s\n", r->json_path);
	json_object_put(doc);
}

/* The search's callback: measure, then print the version's line and save the state. */
static int measure_and_print(void *ctx, struct pb_bisect_version *v)
{
	struct bisect_run *r = ctx;
	int rc = r->inner(&r->bb, v);

	if (rc)
		return rc;
	printf("boot %2u: %-24s %-36s ", v->boot, v->version, v->package);
	if (v->outcome == PB_BISECT_VALUE) {
		const struct pb_bisect_version *base = r->b.base >= 0 ? &r->b.v[r->b.base] : v;
		bool bad = pb_bisect_cond_bad(&r->b.cond, v->value, base->value);

		printf("%s %.4g  %s", r->b.cond.metric, v->value, bad ? "bad" : "good");
	} else {
		printf("skipped (%s: %s)", outcome_name(v->outcome), v->why);
	}
	printf("%s\n", v->reused ? "  [reused]" : "");
	fflush(stdout);
	save_state(r, NULL);
	return 0;
}

/* The pair and what lies between them: skipped versions, the upstream range, the changelogs. */
static void print_pair(const struct bisect_run *r)
{
	const struct pb_bisect *b = &r->b;
	const struct pb_bisect_version *g = &b->v[b->good], *d = &b->v[b->bad];
	char ug[PB_BISECT_NAME_MAX], ud[PB_BISECT_NAME_MAX], cache[PATH_MAX], head[512];

	printf("last good: %s=%s (%s %.4g)\n", g->package, g->version, b->cond.metric, g->value);
	printf("first bad: %s=%s (%s %.4g)\n", d->package, d->version, b->cond.metric, d->value);
	for (int i = b->good + 1; i < b->bad; i++)
		printf("  between them, skipped: %s=%s (%s)\n", b->v[i].package, b->v[i].version,
		       b->v[i].why);
	pb_bisect_upstream(g->version, ug, sizeof(ug));
	pb_bisect_upstream(d->version, ud, sizeof(ud));
	printf("upstream: v%s..v%s (git log v%s..v%s in linux-stable; Debian's own patches "
	       "may differ too)\n", ug, ud, ug, ud);
	pb_matrix_cache_dir(cache, sizeof(cache));
	for (const struct pb_bisect_version *v = g; v; v = v == g ? d : NULL) {
		pb_bisect_changelog_head(cache, v, head, sizeof(head));
		if (head[0])
			printf("changelog %s: %s\n", v->version, head);
	}
}

/* The verdict: the pair, or why there is none; the boots against the bound.  The exit status. */
static int print_verdict(struct bisect_run *r, enum pb_bisect_result res)
{
	static const char *const names[] = { "found", "no-step", "first-bad", "no-value",
					     "stopped" };
	const struct pb_bisect *b = &r->b;
	unsigned reused = 0, n[PB_BISECT_INCOMPLETE + 1] = { 0 };
	char cond[256];

	for (unsigned i = 0; i < b->nr; i++) {
		reused += b->v[i].boot && b->v[i].reused &&
			  b->v[i].outcome != PB_BISECT_INCOMPLETE;	/* a boot reused */
		n[b->v[i].outcome] += b->v[i].boot > 0;
	}
	pb_bisect_cond_describe(&b->cond, b->base >= 0 ? b->v[b->base].value : NAN, cond,
				sizeof(cond));
	printf("\nbad when %s\n", cond);
	if (res == PB_BISECT_FOUND)
		print_pair(r);
	else if (res == PB_BISECT_NO_STEP)
		printf("no step: the newest version measured is good too\n");
	else if (res == PB_BISECT_FIRST_BAD)
		printf("no step: the oldest version measured is bad already\n");
	else if (res == PB_BISECT_NO_VALUE)
		printf("no step: no version at one end gave a value\n");
	/* an incomplete version was never booted: only the others count as boots */
	printf("boots: %u of %u versions (%u with a value, %u failed; %u reused from an earlier "
	       "run), %u incomplete not booted; bound without skips ceil(log2 %u) + 2 = %u\n",
	       n[PB_BISECT_VALUE] + n[PB_BISECT_FAILED], b->nr, n[PB_BISECT_VALUE],
	       n[PB_BISECT_FAILED], reused, n[PB_BISECT_INCOMPLETE], b->nr,
	       pb_bisect_max_boots(b->nr));
	printf("state: %s\n", r->json_path);
	save_state(r, names[res]);
	return res == PB_BISECT_FOUND ? PB_EXIT_OK : PB_EXIT_FAILED;
}

/* OUT/sweep.dat: x, version, value ("nan": skipped), bad (0/1). */
static int sweep_data(const struct pb_bisect *b, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "# x version value bad\n");
	for (unsigned i = 0; i < b->nr; i++) {
		const struct pb_bisect_version *v = &b->v[i];

		fprintf(f, "%u \"%s\" ", i + 1, v->version);
		if (v->outcome == PB_BISECT_VALUE)
			fprintf(f, "%.6g %d\n", v->value,
				pb_bisect_cond_bad(&b->cond, v->value, b->v[b->base].value));
		else
			fprintf(f, "nan nan\n");
	}
	return fclose(f);
}

/* The sweep's plot: OUT/sweep.dat, sweep.vars.gp, plots/bisect-sweep.gp -> sweep.png/.svg. */
static int plot_sweep(const struct bisect_run *r, const char *root)
{
	const struct pb_bisect *b = &r->b;
	char dat[PATH_MAX + 16], vars[PATH_MAX + 16], base[PATH_MAX + 16], gp[PATH_MAX + 32];
	char cond[256];
	double limit = b->cond.relative ? b->cond.threshold * b->v[b->base].value :
		       b->cond.threshold;
	FILE *v;
	int rc;

	pb_format(dat, sizeof(dat), "%s/sweep.dat", r->a->out);
	pb_format(vars, sizeof(vars), "%s/sweep.vars.gp", r->a->out);
	pb_format(base, sizeof(base), "%s/sweep", r->a->out);
	pb_format(gp, sizeof(gp), "%s/plots/bisect-sweep.gp", root);
	if (sweep_data(b, dat) || !(v = fopen(vars, "w"))) {
		fprintf(stderr, "pudbench: bisect: cannot write %s\n", vars);
		return -1;
	}
	pb_bisect_cond_describe(&b->cond, b->v[b->base].value, cond, sizeof(cond));
	pb_gp_var(v, "datafile", dat);
	pb_gp_var(v, "outbase", base);
	fprintf(v, "nversions = %u\nlimit = %.6g\n", b->nr, limit);
	pb_gp_var(v, "limitlabel", cond);
	pb_format(cond, sizeof(cond), "%s\n%s", r->a->pattern, r->a->case_name);
	pb_gp_var(v, "ttl", cond);
	pb_format(cond, sizeof(cond), "%s per sample", pb_metric_all(b->cond.metric_idx)->label);
	pb_gp_var(v, "ylab", cond);
	fclose(v);
	rc = pb_spawn_wait((char *[]){ "/usr/bin/gnuplot", vars, gp, NULL }, NULL, 0, 120);
	if (rc)
		fprintf(stderr, "pudbench: bisect: gnuplot %s %s exited %d\n", vars, gp, rc);
	else
		printf("plot: %s.png, %s.svg\n", base, base);
	return rc ? -1 : 0;
}

static void on_interrupt(int sig)
{
	pb_spawn_stop = sig;
}

/* What the search stopped on: an interrupt (3), an unknown case (2) or the machine (1). */
static int stopped(const struct bisect_run *r)
{
	if (r->bb.fatal[0]) {
		fprintf(stderr, "pudbench: bisect: %s\n", r->bb.fatal);
		return r->bb.fatal_exit;
	}
	fprintf(stderr, "pudbench: bisect: interrupted; run again with --out %s to resume\n",
		r->a->out);
	return PB_EXIT_INTERRUPTED;
}

static int search(struct bisect_run *r, const char *root)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	enum pb_bisect_result res;
	int rc;

	if (pb_mkdir_p(r->a->out)) {
		fprintf(stderr, "pudbench: bisect: cannot create %s\n", r->a->out);
		return PB_EXIT_FAILED;
	}
	pb_format(r->json_path, sizeof(r->json_path), "%s/bisect.json", r->a->out);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	res = r->a->sweep ? pb_bisect_sweep(&r->b) : pb_bisect_run(&r->b);
	if (res == PB_BISECT_STOPPED) {
		save_state(r, "stopped");
		return stopped(r);
	}
	rc = print_verdict(r, res);
	if (!r->a->sweep || res == PB_BISECT_NO_VALUE)
		return rc;
	/* a sweep measures: a step or none, its plot is the result */
	return plot_sweep(r, root) ? PB_EXIT_FAILED : PB_EXIT_OK;
}

/* Condition, config, recorded table: checked before the version list and any boot. */
static int prepare(struct bisect_run *r, const char *root, struct pb_kernels_conf *kc)
{
	char err[4096];

	if (pb_bisect_cond_parse(r->a->condition, &r->b.cond, err, sizeof(err))) {
		fprintf(stderr, "pudbench: bisect: --%s\n", err);
		return -1;
	}
	if (!strchr(r->a->case_name, '/')) {
		fprintf(stderr, "pudbench: bisect: --case '%s': expected a case name as compare "
			"prints it (bench/backend/pgSIZE/SIZE/operation/...)\n", r->a->case_name);
		return -1;
	}
	if (load_config(r->a, root, kc))
		return -1;
	if (r->a->recorded && !(r->bb.recorded = pb_bisect_recorded_load(r->a->recorded, err,
									  sizeof(err)))) {
		fprintf(stderr, "pudbench: bisect: %s\n", err);
		return -1;
	}
	r->bb = (struct pb_bisect_boot){ .kc = kc, .config = r->a->config, .root = root,
					 .out = r->a->out, .accel = r->a->accel,
					 .case_name = r->a->case_name,
					 .metric_idx = r->b.cond.metric_idx,
					 .recorded = r->bb.recorded };
	r->inner = r->a->recorded ? pb_bisect_recorded_measure : pb_bisect_boot_measure;
	r->b.measure = measure_and_print;
	r->b.ctx = r;
	return 0;
}

static int bisect_main(int argc, char **argv)
{
	static struct bisect_args a = { .accel = -1 };
	static struct pb_bisect_version versions[PB_BISECT_MAX_VERSIONS];
	static struct pb_kernels_conf kc;
	static struct bisect_run r;
	const char *root = pb_cli_source_root();
	int rc, nr;

	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	r.a = &a;
	if (prepare(&r, root, &kc))
		return PB_EXIT_USAGE;
	if ((nr = list_versions(&a, root, versions)) < 0)
		return -nr;
	r.b.v = versions;
	r.b.nr = (unsigned)nr;
	printf("bisect: %d version(s) of %s%s%s, %s .. %s; %s: at most %u boots without skips\n",
	       nr, a.pattern, a.dist ? " in " : "", a.dist ? a.dist : "", versions[0].version,
	       versions[nr - 1].version, a.sweep ? "sweep" : "bisect",
	       a.sweep ? (unsigned)nr : pb_bisect_max_boots((unsigned)nr));
	printf("case %s, bad when %s\n", a.case_name, a.condition);
	if (a.dry_run) {
		for (int i = 0; i < nr; i++)
			printf("  %s=%s%s%s\n", versions[i].package, versions[i].version,
			       versions[i].suite[0] ? " " : "", versions[i].suite);
		return PB_EXIT_OK;
	}
	if (!a.out[0]) {
		time_t now = time(NULL);

		strftime(a.out, sizeof(a.out), "results/bisect-%Y%m%d-%H%M%S", localtime(&now));
	}
	rc = search(&r, root);
	json_object_put(r.bb.recorded);
	return rc;
}

const struct pb_command pb_command_bisect = { .name = "bisect", .run = bisect_main,
	.args = bisect_cli, .summary = "find the Debian kernel package where a metric of a case "
				       "steps (boots the ends, then halves), or --sweep them all "
				       "and plot it" };
