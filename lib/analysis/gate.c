// SPDX-License-Identifier: MIT
/* The regression gate: its INI file (pb_ini.h) and its verdict (see gate.h). */
#include "gate.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pb_ini.h"

enum gsec { GS_NONE = -1, GS_LATENCY, GS_COUNTS, GS_CHECKS, GS_COVERAGE };

static const char *const sec_names[] = { "latency", "counts", "checks", "coverage" };
#define NR_SECTIONS 4
static const char *const latency_keys[] = { "metric", "max_regression_pct", "alpha", "adjust" };
#define NR_LATENCY_KEYS 4
static const char *const coverage_keys[] = { "allow_not_measured" };
#define NR_COVERAGE_KEYS 1
/* Every key has a slot in seen[]: latency keys, then counts, checks, coverage. */
#define CHECK_SLOTS (NR_LATENCY_KEYS + PB_CMP_MAX_COUNTS)
#define COVERAGE_SLOTS (CHECK_SLOTS + PB_CHECK__COUNT)
#define NR_SLOTS (COVERAGE_SLOTS + NR_COVERAGE_KEYS)

struct gparse {
	struct pb_ini ini;
	int latency_line;
	bool seen[NR_SLOTS];
	struct pb_gate g;
};

static int index_of(const char *const *names, int nr, const char *name)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* A plain non-negative decimal: no sign, no "nan", "inf" or hex. */
static bool parse_amount(const char *s, double *v)
{
	char *end;

	if (!(*s >= '0' && *s <= '9') && *s != '.')
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return !*end && !errno && isfinite(*v) && !strpbrk(s, "xXeEnN");
}

static bool parse_latency(struct pb_gate *g, int key, const char *value, char *what, size_t wlen)
{
	int stat;

	switch (key) {
	case 0:
		stat = pb_cmp_stat_parse(value);
		if (stat < 0 || stat == PB_STAT_STDDEV || stat == PB_STAT_CV) {
			snprintf(what, wlen, "'%s' is not one of min, median, amean, hmean, p90, p99",
				 value);
			return false;
		}
		g->metric = (enum pb_cmp_stat)stat;
		return true;
	case 1:
		if (!parse_amount(value, &g->max_regression_pct) || g->max_regression_pct > 1e6) {
			snprintf(what, wlen, "'%s' is not a percentage in 0..1000000", value);
			return false;
		}
		return true;
	case 2:
		if (!parse_amount(value, &g->alpha) || g->alpha <= 0 || g->alpha >= 0.5) {
			snprintf(what, wlen, "'%s' is not a significance level in (0, 0.5)", value);
			return false;
		}
		return true;
	default:
		if (pb_p_adjust_parse(value) < 0) {
			snprintf(what, wlen, "'%s' is not holm (family-wise error) or bh (false "
				 "discovery rate)", value);
			return false;
		}
		g->adjust = (enum pb_p_adjust)pb_p_adjust_parse(value);
		return true;
	}
}

/*
 * One glob over case names ("bench/backend/pgPG/SIZE/operation/strategy/rN-mode"):
 * a bare word would match no case, so it must have a '/' or a '*'.
 */
static bool parse_case_glob(const char *entry, void *slot, const void *ctx, char *what, size_t wlen)
{
	(void)ctx;
	if (strlen(entry) >= PB_CASE_NAME_MAX || strpbrk(entry, " \t") ||
	    !strpbrk(entry, "/*")) {
		snprintf(what, wlen, "'%s' is not a case-name glob such as */hugetlb-1G/* or "
			 "mprotect-inplace/thp-2M/*", entry);
		return false;
	}
	snprintf(slot, PB_CASE_NAME_MAX, "%s", entry);
	return true;
}

static bool parse_coverage(struct pb_gate *g, const char *value, char *what, size_t wlen)
{
	const struct pb_ini_list list = {
		.items = g->allow_not_measured, .size = PB_CASE_NAME_MAX, .cap = PB_GATE_MAX_ALLOW,
		.nr = &g->nr_allow, .parse_item = parse_case_glob,
	};

	return pb_ini_parse_list(value, &list, what, wlen) >= 0;
}

static bool parse_count(struct pb_gate *g, int key, const char *value, char *what, size_t wlen)
{
	bool plus = *value == '+';

	if (!parse_amount(value + plus, &g->count[key].allow)) {
		snprintf(what, wlen, "'%s' is not an allowed change per sample (N, or +N for "
			 "increases only; N >= 0)", value);
		return false;
	}
	g->count[key].set = true;
	g->count[key].increase_only = plus;
	return true;
}

static bool parse_check(struct pb_gate *g, int key, const char *value, char *what, size_t wlen)
{
	if (!strcmp(value, "exact"))
		g->check[key] = PB_GATE_EXACT;
	else if (!strcmp(value, "clean"))
		g->check[key] = PB_GATE_CLEAN;
	else {
		snprintf(what, wlen, "'%s' is not exact or clean", value);
		return false;
	}
	return true;
}

static bool on_key(struct pb_ini *ini, const char *section, const char *name, const char *value)
{
	struct gparse *p = ini->user;
	int sec = index_of(sec_names, NR_SECTIONS, section), key = -1, slot = 0;
	char what[256];
	bool ok = false;

	if (sec == GS_LATENCY)
		key = index_of(latency_keys, NR_LATENCY_KEYS, name);
	else if (sec == GS_COUNTS)
		key = pb_metric_find(name), slot = NR_LATENCY_KEYS;
	else if (sec == GS_CHECKS)
		key = pb_check_find(name), slot = CHECK_SLOTS;
	else if (sec == GS_COVERAGE)
		key = index_of(coverage_keys, NR_COVERAGE_KEYS, name), slot = COVERAGE_SLOTS;
	if (sec == GS_NONE)
		snprintf(what, sizeof(what), *section ? "unknown section" : "no [section] before it");
	else if (key < 0)
		snprintf(what, sizeof(what), "unknown key");
	else if (p->seen[slot + key])
		snprintf(what, sizeof(what), "duplicate key");
	else if (sec == GS_LATENCY)
		ok = parse_latency(&p->g, key, value, what, sizeof(what));
	else if (sec == GS_COUNTS)
		ok = parse_count(&p->g, key, value, what, sizeof(what));
	else if (sec == GS_CHECKS)
		ok = parse_check(&p->g, key, value, what, sizeof(what));
	else
		ok = parse_coverage(&p->g, value, what, sizeof(what));
	if (!ok) {
		pb_ini_error(ini, section, name, "%s", what);
		return false;
	}
	p->seen[slot + key] = true;
	return true;
}

/* Every header, keys or not: where [latency] is, for its required key. */
static bool on_section(struct pb_ini *ini, const char *section)
{
	struct gparse *p = ini->user;

	if (index_of(sec_names, NR_SECTIONS, section) < 0) {
		pb_ini_error(ini, section, NULL, "unknown section (expected latency, counts, checks, "
			     "coverage)");
		return false;
	}
	if (!strcmp(section, "latency"))
		p->latency_line = ini->line;
	return true;
}

int pb_gate_load(struct pb_gate *g, const char *path, char *err, size_t errlen)
{
	struct gparse p = {
		.ini = { .path = path, .err = err, .errlen = errlen,
			 .on_section = on_section, .on_key = on_key },
	};
	bool any = false;

	p.ini.user = &p;
	p.g.metric = PB_STAT_MEDIAN;
	p.g.alpha = NAN;
	snprintf(p.g.path, sizeof(p.g.path), "%s", path);
	if (pb_ini_parse(&p.ini))
		return -1;
	for (int i = 0; i < NR_SLOTS; i++)
		any |= p.seen[i];
	if (p.latency_line && !p.seen[1]) {
		pb_ini_error_at(&p.ini, p.latency_line, "latency", NULL,
				"max_regression_pct is required");
		return -1;
	}
	if (!any) {
		pb_ini_error_at(&p.ini, 0, NULL, NULL,
				"no rules: name at least one key in [latency], [counts] or [checks]");
		return -1;
	}
	p.g.latency = p.latency_line > 0;
	*g = p.g;
	return 0;
}

/* ---- verdict ------------------------------------------------------------ */

struct trip_ctx {
	FILE *f;
	json_object *trips, *allowed;
	const char *name;		/* the case, or "(run)" for the whole column */
	const char *label;		/* the NEW column */
	const struct pb_cmp *c;
	size_t family;			/* tested cases of this column: the adjustment's m */
	unsigned n;
};

static void trip(struct trip_ctx *t, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void trip(struct trip_ctx *t, const char *rule, const char *fmt, ...)
{
	json_object *o = json_object_new_object();
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (t->f)
		fprintf(t->f, "  FAIL %-32s %s [%s]: %s\n", rule, t->name, t->label, detail);
	json_object_object_add(o, "rule", json_object_new_string(rule));
	json_object_object_add(o, "case", json_object_new_string(t->name));
	json_object_object_add(o, "column", json_object_new_string(t->label));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	json_object_array_add(t->trips, o);
	t->n++;
}

static void gate_latency(const struct pb_gate *g, struct trip_ctx *t,
			 const struct pb_cmp_cell *base, const struct pb_cmp_cell *now)
{
	double b = base->st.v[g->metric], v = now->st.v[g->metric], pct = (v / b - 1) * 100;
	char rule[64];

	snprintf(rule, sizeof(rule), "latency.%s", pb_cmp_stat_name(g->metric));
	if (!(b > 0)) {
		fprintf(stderr, "pudbench: gate: %s not judged for %s [%s]: BASE has no %s\n", rule,
			t->name, t->label, pb_cmp_stat_name(g->metric));
		return;
	}
	if (isnan(v)) {
		trip(t, "null.latency", "NEW has no %s (%zu samples), BASE %.0f ns",
		     pb_cmp_stat_name(g->metric), now->st.n, b);
		return;
	}
	if (!now->tested) {
		/* no test can say it is noise: a change beyond the threshold fails */
		if (pct > g->max_regression_pct)
			trip(t, "latency.untested", "%.0f -> %.0f ns (%+.2f%%) > +%g%% and no test "
			     "can judge it (%s)", b, v, pct, g->max_regression_pct, now->untested);
		else
			fprintf(stderr, "pudbench: gate: %s not tested for %s [%s] (%s): %+.2f%% is "
				"within +%g%%\n", rule, t->name, t->label, now->untested, pct,
				g->max_regression_pct);
		return;
	}
	if (pct > g->max_regression_pct && now->significant)
		trip(t, rule, "%.0f -> %.0f ns (%+.2f%%) > +%g%% and significant (p = %.3g, %s-adjusted "
		     "p = %.3g over %zu cases%s)", b, v, pct, g->max_regression_pct, now->p,
		     pb_p_adjust_name(t->c->adjust), now->p_adj, t->family,
		     now->rep_test ? ", Welch t-test on the repetition medians" : "");
}

/*
 * With repetitions on both sides, a count that varies between runs (a
 * participant in lazy TLB mode or not) changed only by as much as NEW's
 * range of repetitions lies outside BASE's; 0 where they overlap.  A count
 * that every repetition repeats exactly has a one-point range: the exact
 * difference, as without repetitions.
 */
static double count_change(const struct pb_cmp_cell *base, const struct pb_cmp_cell *now, int i)
{
	if (isnan(base->count_lo[i]) || isnan(now->count_lo[i]) || base->nr_reps < 2 ||
	    now->nr_reps < 2)
		return now->count[i] - base->count[i];
	if (now->count_lo[i] > base->count_hi[i])
		return now->count_lo[i] - base->count_hi[i];
	if (now->count_hi[i] < base->count_lo[i])
		return now->count_hi[i] - base->count_lo[i];
	return 0;
}

static void gate_counts(const struct pb_gate *g, struct trip_ctx *t,
			const struct pb_cmp_cell *base, const struct pb_cmp_cell *now)
{
	for (int i = 0; i < pb_metric_nr_all(); i++) {
		double b = base->count[i], v = now->count[i], d = count_change(base, now, i);
		char rule[64];

		if (!g->count[i].set || (isnan(b) && isnan(v)))
			continue;
		snprintf(rule, sizeof(rule), "counts.%s", pb_metric_all(i)->key);
		if (isnan(v)) {
			snprintf(rule, sizeof(rule), "null.counts.%s", pb_metric_all(i)->key);
			trip(t, rule, "null in NEW (not measured), %.6g per sample in BASE", b);
			continue;
		}
		if (isnan(b)) {
			fprintf(stderr, "pudbench: gate: %s not judged for %s [%s]: unavailable in BASE\n",
				rule, t->name, t->label);
			continue;
		}
		if (!pb_cmp_count_differs(b, v) ||
		    (g->count[i].increase_only ? d : fabs(d)) <= g->count[i].allow + 1e-9)
			continue;
		if (d != v - b)
			trip(t, rule, "%.6g..%.6g -> %.6g..%.6g per sample over the repetitions "
			     "(%+.6g beyond BASE's range, allowed %s%g)", base->count_lo[i],
			     base->count_hi[i], now->count_lo[i], now->count_hi[i], d,
			     g->count[i].increase_only ? "+" : "±", g->count[i].allow);
		else
			trip(t, rule, "%.6g -> %.6g per sample (%+.6g, allowed %s%g)", b, v, d,
			     g->count[i].increase_only ? "+" : "±", g->count[i].allow);
	}
}

static const char *check_text(json_object *v)
{
	return v ? json_object_to_json_string(v) : "unavailable";
}

static void gate_checks(const struct pb_gate *g, struct trip_ctx *t,
			const struct pb_cmp_cell *base, const struct pb_cmp_cell *now)
{
	for (int i = 0; i < PB_CHECK__COUNT; i++) {
		json_object *b = base->check[i], *v = now->check[i];
		char rule[64];
		bool clean;

		if (g->check[i] == PB_GATE_UNSET)
			continue;
		if (!v && b) {
			snprintf(rule, sizeof(rule), "null.checks.%s", pb_checks[i].key);
			trip(t, rule, "null in NEW (not checked), %s in BASE", check_text(b));
			continue;
		}
		snprintf(rule, sizeof(rule), "checks.%s", pb_checks[i].key);
		if (g->check[i] == PB_GATE_EXACT && pb_cmp_check_differs(b, v))
			trip(t, rule, "%s -> %s (must equal BASE)", check_text(b), check_text(v));
		if (g->check[i] != PB_GATE_CLEAN)
			continue;
		/* clean: no finding (0 or true); unavailable is not clean */
		clean = json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) :
			json_object_is_type(v, json_type_int) && !json_object_get_int64(v);
		if (!clean)
			trip(t, rule, "%s (must be 0 / true)", check_text(v));
	}
}

/* ---- gaps: what NEW did not measure ------------------------------------- */

/* A record of @doc that is @rec's case but for its operation. */
static json_object *other_series(json_object *doc, json_object *rec)
{
	json_object *recs = pb_jget(doc, "results");

	for (size_t i = 0; i < pb_jlen(recs); i++) {
		size_t f = 0;

		for (; f < pb_record_nr_id_fields; f++)
			if (strcmp(pb_record_id_fields[f], "operation") &&
			    !json_object_equal(pb_jget(pb_jidx(recs, i), pb_record_id_fields[f]),
					       pb_jget(rec, pb_record_id_fields[f])))
				break;
		if (f == pb_record_nr_id_fields)
			return pb_jidx(recs, i);
	}
	return NULL;
}

/* Why NEW (@doc) did not measure @rec's case on this machine, or false. */
static bool machine_reason(json_object *doc, json_object *rec, char *why, size_t len)
{
	json_object *skip = pb_record_run_entry(doc, "skipped", rec);
	const char *backend = pb_jstr(rec, "backend", "?");
	json_object *be = pb_jget(pb_jget(doc, "backends"), backend);

	if (skip) {
		snprintf(why, len, "%s", pb_jstr(skip, "reason", "skipped, no reason given"));
		return true;
	}
	if (be && !json_object_get_boolean(pb_jget(be, "available"))) {
		snprintf(why, len, "backend %s unavailable: %s", backend,
			 pb_jstr(be, "reason", "no reason given"));
		return true;
	}
	return false;
}

static bool allowed_absent(const struct pb_gate *g, const char *name)
{
	for (unsigned i = 0; i < g->nr_allow; i++)
		if (!fnmatch(g->allow_not_measured[i], name, 0))
			return true;
	return false;
}

static void not_measured(const struct pb_gate *g, struct trip_ctx *t, const char *why)
{
	json_object *o;

	if (!allowed_absent(g, t->name)) {
		trip(t, "not_measured", "not measured: %s", why);
		return;
	}
	if (t->f)
		fprintf(t->f, "  allowed %-29s %s [%s]: not measured: %s\n", "not_measured", t->name,
			t->label, why);
	o = json_object_new_object();
	json_object_object_add(o, "case", json_object_new_string(t->name));
	json_object_object_add(o, "column", json_object_new_string(t->label));
	json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_array_add(t->allowed, o);
}

/* Every case and series of BASE that column @col lacks. */
static void gate_missing(const struct pb_gate *g, struct trip_ctx *t, const struct pb_cmp_set *s,
			 unsigned col)
{
	json_object *recs = pb_jget(s->col[0].doc, "results"), *now = s->col[col].doc, *fail;
	char name[PB_CASE_NAME_MAX], why[512];

	t->name = name;
	for (size_t i = 0; i < pb_jlen(recs); i++) {
		json_object *rec = pb_jidx(recs, i);

		pb_record_case_name(rec, name, sizeof(name));
		if (pb_record_find(s->col[0].doc, name) != rec || pb_record_find(now, name))
			continue;	/* a duplicate in BASE, or measured */
		if (machine_reason(now, rec, why, sizeof(why)))
			not_measured(g, t, why);
		else if ((fail = pb_record_run_entry(now, "failures", rec)))
			trip(t, "missing.case", "failed in NEW (%s: %s)", pb_jstr(fail, "stage", "?"),
			     pb_jstr(fail, "reason", "?"));
		else if (other_series(now, rec))
			trip(t, "missing.series", "NEW has the case but not its %s series",
			     pb_jstr(rec, "operation", "?"));
		else
			trip(t, "missing.case", "in BASE, not in NEW (neither measured nor skipped)");
	}
}

/* NEW's own verdict on itself: its status and the failures it lists. */
static void gate_status(struct trip_ctx *t, json_object *doc)
{
	json_object *fails = pb_jget(doc, "failures");
	const char *status = pb_jstr(doc, "status", NULL);
	char name[PB_CASE_NAME_MAX];

	t->name = "(run)";
	if (!status || strcmp(status, "complete"))
		trip(t, "status", "NEW's status is %s%s%s, not complete", status ? "'" : "",
		     status ? status : "missing", status ? "'" : "");
	t->name = name;
	for (size_t i = 0; i < pb_jlen(fails); i++) {
		json_object *f = pb_jidx(fails, i);
		const char *mode = pb_jstr(f, "remote_mode", NULL);
		char sz[24];

		pb_size_name(pb_jnum(f, "size_bytes"), sz, sizeof(sz));
		snprintf(name, sizeof(name), "%s/%s/%s/r%.0f%s%s", pb_jstr(f, "bench", "?"),
			 pb_jstr(f, "backend", "?"), sz, pb_jnum(f, "remote_cpus"), mode ? "-" : "",
			 mode ? mode : "");
		trip(t, "failures", "NEW lists a failure (%s: %s)", pb_jstr(f, "stage", "?"),
		     pb_jstr(f, "reason", "?"));
	}
}

static size_t family_size(const struct pb_cmp *c, unsigned col)
{
	size_t m = 0;

	for (size_t i = 0; i < c->nr_cases; i++)
		m += c->cases[i].cell[col].tested;
	return m;
}

unsigned pb_gate_eval(const struct pb_gate *g, const struct pb_cmp_set *s, const struct pb_cmp *c,
		      FILE *f, json_object *trips, json_object *allowed)
{
	struct trip_ctx t = { .f = f, .trips = trips, .allowed = allowed, .c = c };

	for (size_t i = 0; i < c->nr_cases; i++) {
		const struct pb_cmp_case *k = &c->cases[i];

		for (unsigned col = 1; col < c->nr_cols; col++) {
			if (!k->cell[col].rec)
				continue;
			t.name = k->name;
			t.label = s->col[col].label;
			t.family = family_size(c, col);
			if (g->latency)
				gate_latency(g, &t, &k->cell[0], &k->cell[col]);
			gate_counts(g, &t, &k->cell[0], &k->cell[col]);
			gate_checks(g, &t, &k->cell[0], &k->cell[col]);
		}
	}
	for (unsigned col = 1; col < s->nr; col++) {
		t.label = s->col[col].label;
		gate_missing(g, &t, s, col);
		gate_status(&t, s->col[col].doc);
	}
	/* a kernel of a matrix that brought nothing back is a whole column missing */
	t.name = "(run)";
	for (size_t i = 0; i < pb_jlen(s->absent); i++) {
		t.label = pb_jstr(pb_jidx(s->absent, i), "column", "?");
		trip(&t, "missing.column", "%s", pb_jstr(pb_jidx(s->absent, i), "why", "?"));
	}
	return t.n;
}
