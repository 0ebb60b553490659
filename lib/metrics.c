// SPDX-License-Identifier: MIT
/* The per-sample metrics table (see metrics.h). */
#include "metrics.h"

#include <math.h>
#include <string.h>

#include "bench.h"
#include "record.h"

#define COUNTERS(...) \
	.counters = { __VA_ARGS__ }, \
	.nr_counters = sizeof((enum pb_counter_id[]){ __VA_ARGS__ }) / sizeof(enum pb_counter_id)
#define SUM_ROW(id, key_, abbrev_, label_, meaning_, show_, ...) \
	[PB_METRIC_##id] = { .key = key_, .abbrev = abbrev_, .label = label_, \
			     .meaning = meaning_, .show = show_, COUNTERS(__VA_ARGS__) },
#define DERIVED_ROW(id, key_, abbrev_, label_, meaning_, show_, fn) \
	[PB_METRIC_##id] = { .key = key_, .abbrev = abbrev_, .label = label_, \
			     .meaning = meaning_, .show = show_, .derive = fn },

const struct pb_metric pb_metrics[PB_METRIC__COUNT] = {
	PB_METRIC_ROWS(SUM_ROW, DERIVED_ROW)
};

double pb_metric_tlb_ipis_per_participant(const struct pb_case *c, const struct pb_series *s)
{
	if (c->nr_remote <= 0)
		return NAN;
	return pb_series_metric(c, s, &pb_metrics[PB_METRIC_TLB_IPIS]) / c->nr_remote;
}

double pb_metric_tlb_ipis_lazy_cpus(const struct pb_case *c, const struct pb_series *s)
{
	enum pb_counter_id id = pb_cpu_ipi_counter(PB_CPU_IPI_TLB);
	double sum = 0;

	if (c->nr_remote <= 0 || c->remote_mode != PB_REMOTE_LAZY || !c->ctrs || !s->calls ||
	    !pb_counter_available(c->ctrs, id, NULL) || s->acc->failed[id])
		return NAN;
	for (int i = 0; i < c->nr_remote; i++) {
		int col = pb_counters_cpu_column(c->ctrs, c->remote_cpus[i]);

		if (col < 0 || col >= s->acc->nr_cpus)
			return NAN;
		sum += (double)s->acc->cpu_ipis[PB_CPU_IPI_TLB][col];
	}
	return sum / (double)s->calls;
}

static bool listed(const struct pb_metric *const *out, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(out[i]->key, key))
			return true;
	return false;
}

int pb_metrics_collect(const struct pb_bench *const *benches, const struct pb_metric **out)
{
	int n = 0;

	for (int i = 0; i < PB_METRIC__COUNT; i++)
		out[n++] = &pb_metrics[i];
	for (; benches && *benches; benches++)
		for (const struct pb_metric *m = (*benches)->metrics; m && m->key; m++)
			if (n < PB_METRIC_MAX_ALL && !listed(out, n, m->key))
				out[n++] = m;
	return n;
}

/* The list over the registered benchmarks, made once. */
static const struct pb_metric *const *all(int *n)
{
	static const struct pb_metric *list[PB_METRIC_MAX_ALL];
	static int nr;

	if (!nr)
		nr = pb_metrics_collect(pb_benches, list);
	*n = nr;
	return list;
}

int pb_metric_nr_all(void)
{
	int n;

	all(&n);
	return n;
}

const struct pb_metric *pb_metric_all(int i)
{
	int n;
	const struct pb_metric *const *list = all(&n);

	return i >= 0 && i < n ? list[i] : NULL;
}

int pb_metric_find(const char *key)
{
	for (int i = 0; i < pb_metric_nr_all(); i++)
		if (!strcmp(pb_metric_all(i)->key, key))
			return i;
	return -1;
}

double pb_metric_get(json_object *per_sample, int i)
{
	const struct pb_metric *m = pb_metric_all(i);

	return m ? pb_jnum(per_sample, m->key) : NAN;
}

struct pb_metric_columns pb_metrics_shown_if(unsigned show, bool (*measured)(int i, void *arg),
					     void *arg)
{
	struct pb_metric_columns cols = { .nr = 0 };

	for (int i = 0; i < pb_metric_nr_all(); i++) {
		unsigned s = pb_metric_all(i)->show;

		if ((s & show) && (!(s & PB_SHOW_IF_MEASURED) || (measured && measured(i, arg))))
			cols.idx[cols.nr++] = i;
	}
	return cols;
}

struct pb_metric_columns pb_metrics_shown(unsigned show)
{
	return pb_metrics_shown_if(show, NULL, NULL);
}

int pb_metric_width(int i, int min)
{
	int w = (int)strlen(pb_metric_all(i)->abbrev);

	return w > min ? w : min;
}

void pb_metrics_print_names(FILE *f, const struct pb_metric_columns *cols, int min)
{
	for (int i = 0; i < cols->nr; i++)
		fprintf(f, " %*s", pb_metric_width(cols->idx[i], min), pb_metric_all(cols->idx[i])->abbrev);
}

void pb_metrics_legend(FILE *f, const char *indent, const struct pb_metric_columns *cols,
		       bool meaning)
{
	for (int i = 0; i < cols->nr; i++) {
		const struct pb_metric *m = pb_metric_all(cols->idx[i]);

		fprintf(f, "%s%-*s = %s\n", indent, PB_METRIC_ABBREV_MAX, m->abbrev,
			meaning ? m->meaning : m->label);
	}
}
