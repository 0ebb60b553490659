// SPDX-License-Identifier: MIT
/* The bisect's search, its condition and its version list (see bisect.h). */
#define _GNU_SOURCE
#include "bisect.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "subproc.h"

static const char *const op_names[] = { ">", ">=", "<", "<=" };

/* The known metrics, space-separated, for an error. */
static void known_metrics(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < pb_metric_nr_all() && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
					 pb_metric_all(i)->key);
}

static int cond_op(const char **s, enum pb_bisect_op *op)
{
	for (int i = PB_BISECT_LE; i >= PB_BISECT_GT; i--) {	/* ">=" before ">" */
		size_t n = strlen(op_names[i]);

		if (!strncmp(*s, op_names[i], n)) {
			*op = (enum pb_bisect_op)i;
			*s += n;
			return 0;
		}
	}
	return -1;
}

int pb_bisect_cond_parse(const char *text, struct pb_bisect_cond *c, char *err, size_t errlen)
{
	const char *s = text;
	char *end, known[2048];
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*s))
		s++;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	if (!n || n >= sizeof(c->metric)) {
		snprintf(err, errlen, "condition '%s': expected METRIC OP NUMBER[x], e.g. "
			 "'tlb_shootdowns_remote > 1.5' or '... > 1.5x'", text);
		return -1;
	}
	memcpy(c->metric, s, n);
	if ((c->metric_idx = pb_metric_find(c->metric)) < 0) {
		known_metrics(known, sizeof(known));
		snprintf(err, errlen, "condition '%s': unknown metric '%s' (known: %s)", text,
			 c->metric, known);
		return -1;
	}
	for (s += n; isspace((unsigned char)*s); s++)
		;
	if (cond_op(&s, &c->op)) {
		snprintf(err, errlen, "condition '%s': expected > >= < or <= after '%s'", text,
			 c->metric);
		return -1;
	}
	c->threshold = strtod(s, &end);
	if (end == s || !isfinite(c->threshold)) {
		snprintf(err, errlen, "condition '%s': expected a number after '%s'", text,
			 op_names[c->op]);
		return -1;
	}
	c->relative = *end == 'x';
	for (end += c->relative; isspace((unsigned char)*end); end++)
		;
	if (*end || (c->relative && c->threshold <= 0)) {
		snprintf(err, errlen, "condition '%s': %s", text, *end ?
			 "trailing characters after the number" : "a factor must be above 0");
		return -1;
	}
	return 0;
}

static double cond_limit(const struct pb_bisect_cond *c, double base)
{
	return c->relative ? c->threshold * base : c->threshold;
}

bool pb_bisect_cond_bad(const struct pb_bisect_cond *c, double value, double base)
{
	double limit = cond_limit(c, base);

	switch (c->op) {
	case PB_BISECT_GT: return value > limit;
	case PB_BISECT_GE: return value >= limit;
	case PB_BISECT_LT: return value < limit;
	case PB_BISECT_LE: return value <= limit;
	}
	return false;
}

void pb_bisect_cond_describe(const struct pb_bisect_cond *c, double base, char *buf, size_t len)
{
	if (c->relative)
		snprintf(buf, len, "%s %s %gx the first version's (%s %.4g)", c->metric,
			 op_names[c->op], c->threshold, op_names[c->op], cond_limit(c, base));
	else
		snprintf(buf, len, "%s %s %g", c->metric, op_names[c->op], c->threshold);
}

unsigned pb_bisect_max_boots(unsigned nr)
{
	unsigned steps = 0;

	while ((1u << steps) < nr)
		steps++;
	return steps + 2;
}

/* Measure version @i unless it was; its outcome.  -1: stopped. */
static int measure(struct pb_bisect *b, unsigned i)
{
	struct pb_bisect_version *v = &b->v[i];

	if (v->outcome != PB_BISECT_UNTRIED)
		return v->outcome;
	v->boot = ++b->boots;
	if (b->measure(b->ctx, v))
		return -1;
	if (v->outcome == PB_BISECT_VALUE && isnan(v->value)) {
		v->outcome = PB_BISECT_FAILED;
		snprintf(v->why, sizeof(v->why), "no value");
	}
	if (v->outcome == PB_BISECT_VALUE && b->base < 0)
		b->base = (int)i;
	return v->outcome;
}

/* From @i stepping by @step, the first version with a value, or -1 (-2: stopped). */
static int first_with_value(struct pb_bisect *b, int i, int step, int stop)
{
	for (; i != stop; i += step) {
		int o = measure(b, (unsigned)i);

		if (o < 0)
			return -2;
		if (o == PB_BISECT_VALUE)
			return i;
	}
	return -1;
}

static bool is_bad(const struct pb_bisect *b, int i)
{
	return pb_bisect_cond_bad(&b->cond, b->v[i].value, b->v[b->base].value);
}

/* The untried version between @lo and @hi nearest their midpoint, or -1. */
static int next_probe(const struct pb_bisect *b, int lo, int hi)
{
	int mid = lo + (hi - lo) / 2;

	for (int d = 0; d < hi - lo; d++) {
		int cand[2] = { mid + d, mid - d - 1 };

		for (int k = 0; k < 2; k++)
			if (cand[k] > lo && cand[k] < hi &&
			    b->v[cand[k]].outcome == PB_BISECT_UNTRIED)
				return cand[k];
	}
	return -1;
}

/* Both ends: lo the first with a value (good), hi the last (bad). */
static enum pb_bisect_result ends(struct pb_bisect *b, int *lo, int *hi)
{
	*lo = first_with_value(b, 0, 1, (int)b->nr);
	if (*lo < 0)
		return *lo == -2 ? PB_BISECT_STOPPED : PB_BISECT_NO_VALUE;
	if (is_bad(b, *lo))
		return PB_BISECT_FIRST_BAD;
	*hi = first_with_value(b, (int)b->nr - 1, -1, *lo);
	if (*hi < 0)
		return *hi == -2 ? PB_BISECT_STOPPED : PB_BISECT_NO_VALUE;
	return is_bad(b, *hi) ? PB_BISECT_FOUND : PB_BISECT_NO_STEP;
}

enum pb_bisect_result pb_bisect_run(struct pb_bisect *b)
{
	enum pb_bisect_result r;
	int lo, hi, i;

	b->boots = 0;
	b->base = b->good = b->bad = -1;
	if ((r = ends(b, &lo, &hi)) != PB_BISECT_FOUND)
		return r;
	while ((i = next_probe(b, lo, hi)) >= 0) {
		int o = measure(b, (unsigned)i);

		if (o < 0)
			return PB_BISECT_STOPPED;
		if (o != PB_BISECT_VALUE)
			continue;	/* skipped: a neighbour next */
		if (is_bad(b, i))
			hi = i;
		else
			lo = i;
	}
	b->good = lo;
	b->bad = hi;
	return PB_BISECT_FOUND;
}

enum pb_bisect_result pb_bisect_sweep(struct pb_bisect *b)
{
	int prev = -1;

	b->boots = 0;
	b->base = b->good = b->bad = -1;
	for (unsigned i = 0; i < b->nr; i++)
		if (measure(b, i) < 0)
			return PB_BISECT_STOPPED;
	for (unsigned i = 0; i < b->nr; i++) {
		if (b->v[i].outcome != PB_BISECT_VALUE)
			continue;
		if (prev < 0 && is_bad(b, (int)i))
			return PB_BISECT_FIRST_BAD;
		if (prev >= 0 && !is_bad(b, prev) && is_bad(b, (int)i)) {
			b->good = prev;
			b->bad = (int)i;
			return PB_BISECT_FOUND;
		}
		prev = (int)i;
	}
	return prev < 0 ? PB_BISECT_NO_VALUE : PB_BISECT_NO_STEP;
}
