// SPDX-License-Identifier: MIT
/* The regression gate: its INI file (pb_ini.h) and its verdict (see gate.h). */
#include "gate.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pb_ini.h"

enum gsec { GS_NONE = -1, GS_LATENCY, GS_COUNTS, GS_CHECKS };

static const char *const sec_names[] = { "latency", "counts", "checks" };
static const char *const latency_keys[] = { "metric", "max_regression_pct", "alpha" };
#define NR_LATENCY_KEYS 3
/* Every key has a slot in seen[]: latency keys, then counts, then checks. */
#define NR_SLOTS (NR_LATENCY_KEYS + PB_CMP_NR_COUNTS + PB_CHECK__COUNT)

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
	default:
		if (!parse_amount(value, &g->alpha) || g->alpha <= 0 || g->alpha >= 0.5) {
			snprintf(what, wlen, "'%s' is not a significance level in (0, 0.5)", value);
			return false;
		}
		return true;
	}
}

static bool parse_count(struct pb_gate *g, int key, const char *value, char *what, size_t wlen)
{
	bool plus = *value == '+';

	if (!parse_amount(value + plus, &g->count[key].allow)) {
		snprintf(what, wlen, "'%s' is not an allowed change per call (N, or +N for "
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
	int sec = index_of(sec_names, 3, section), key = -1, slot = 0;
	char what[256];
	bool ok = false;

	if (sec == GS_LATENCY)
		key = index_of(latency_keys, NR_LATENCY_KEYS, name);
	else if (sec == GS_COUNTS)
		key = index_of(pb_cmp_counts, PB_CMP_NR_COUNTS, name), slot = NR_LATENCY_KEYS;
	else if (sec == GS_CHECKS)
		key = pb_check_find(name),
		slot = NR_LATENCY_KEYS + PB_CMP_NR_COUNTS;
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
	else
		ok = parse_check(&p->g, key, value, what, sizeof(what));
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

	if (index_of(sec_names, 3, section) < 0) {
		pb_ini_error(ini, section, NULL, "unknown section (expected latency, counts, checks)");
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
	json_object *trips;
	const struct pb_cmp_case *k;
	const char *label;
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
		fprintf(t->f, "  FAIL %-32s %s [%s]: %s\n", rule, t->k->name, t->label, detail);
	json_object_object_add(o, "rule", json_object_new_string(rule));
	json_object_object_add(o, "case", json_object_new_string(t->k->name));
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
	if (!now->tested || !(b > 0) || isnan(v)) {
		fprintf(stderr, "pudbench: gate: %s not judged for %s [%s]: too few samples\n", rule,
			t->k->name, t->label);
		return;
	}
	if (pct > g->max_regression_pct && now->significant)
		trip(t, rule, "%.0f -> %.0f ns (%+.2f%%) > +%g%% and significant (p = %.3g%s)", b, v,
		     pct, g->max_regression_pct, now->p,
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
	for (int i = 0; i < PB_CMP_NR_COUNTS; i++) {
		double b = base->count[i], v = now->count[i], d = count_change(base, now, i);
		char rule[64];

		if (!g->count[i].set || (isnan(b) && isnan(v)))
			continue;
		snprintf(rule, sizeof(rule), "counts.%s", pb_cmp_counts[i]);
		if (isnan(b) || isnan(v)) {
			fprintf(stderr, "pudbench: gate: %s not judged for %s [%s]: unavailable in %s\n",
				rule, t->k->name, t->label, isnan(b) ? "BASE" : "NEW");
			continue;
		}
		if (!pb_cmp_count_differs(b, v) ||
		    (g->count[i].increase_only ? d : fabs(d)) <= g->count[i].allow + 1e-9)
			continue;
		if (d != v - b)
			trip(t, rule, "%.6g..%.6g -> %.6g..%.6g per call over the repetitions "
			     "(%+.6g beyond BASE's range, allowed %s%g)", base->count_lo[i],
			     base->count_hi[i], now->count_lo[i], now->count_hi[i], d,
			     g->count[i].increase_only ? "+" : "±", g->count[i].allow);
		else
			trip(t, rule, "%.6g -> %.6g per call (%+.6g, allowed %s%g)", b, v, d,
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

unsigned pb_gate_eval(const struct pb_gate *g, const struct pb_cmp_set *s, const struct pb_cmp *c,
		      FILE *f, json_object *trips)
{
	struct trip_ctx t = { .f = f, .trips = trips };

	for (size_t i = 0; i < c->nr_cases; i++) {
		const struct pb_cmp_case *k = &c->cases[i];

		for (unsigned col = 1; col < c->nr_cols; col++) {
			if (!k->cell[col].rec)
				continue;
			t.k = k;
			t.label = s->col[col].label;
			if (g->latency)
				gate_latency(g, &t, &k->cell[0], &k->cell[col]);
			gate_counts(g, &t, &k->cell[0], &k->cell[col]);
			gate_checks(g, &t, &k->cell[0], &k->cell[col]);
		}
	}
	return t.n;
}
