// SPDX-License-Identifier: MIT
/* The per-call metrics table (see metrics.h). */
#include "metrics.h"

#include <string.h>

#include "record.h"

#define COUNTERS(...) \
	.counters = { __VA_ARGS__ }, \
	.nr_counters = sizeof((enum pb_counter_id[]){ __VA_ARGS__ }) / sizeof(enum pb_counter_id)
#define TABLE_ROW(id, key_, abbrev_, label_, meaning_, ...) \
	[PB_METRIC_##id] = { .key = key_, .abbrev = abbrev_, .label = label_, \
			     .meaning = meaning_, COUNTERS(__VA_ARGS__) },
#define KEY_ROW(id, key_, ...) [PB_METRIC_##id] = key_,

const struct pb_metric pb_metrics[PB_METRIC__COUNT] = { PB_METRIC_ROWS(TABLE_ROW) };
const char *const pb_metric_keys[PB_METRIC__COUNT] = { PB_METRIC_ROWS(KEY_ROW) };

int pb_metric_find(const char *key)
{
	for (int i = 0; i < PB_METRIC__COUNT; i++)
		if (!strcmp(pb_metrics[i].key, key))
			return i;
	return -1;
}

double pb_metric_get(json_object *per_call, enum pb_metric_id m)
{
	return pb_jnum(per_call, pb_metrics[m].key);
}
