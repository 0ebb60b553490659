// SPDX-License-Identifier: MIT
/*
 * Benchmark options: the rows of a struct pb_bench's opts table, parsed
 * from its [bench:NAME] section (lib/config.c), defaulted, read by the
 * benchmark and echoed into the results, all from the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "pb_ini.h"

int pb_bench_opt_index(const struct pb_bench *b, const char *name)
{
	for (int i = 0; b->opts && b->opts[i].name; i++)
		if (!strcmp(b->opts[i].name, name))
			return i;
	return -1;
}

bool pb_bench_opt_parse(const struct pb_bench *b, int i, const char *value,
			struct pb_bench_config *bc, char *what, size_t wlen)
{
	const struct pb_bench_opt *o = &b->opts[i];
	unsigned long v;

	switch (o->kind) {
	case PB_OPT_INT:
		if (!pb_ini_parse_ulong(value, (unsigned long)o->min, (unsigned long)o->max, &v,
					what, wlen))
			return false;
		bc->opts[i] = (long)v;
		bc->opts_set |= 1u << i;
		return true;
	case PB_OPT_ENUM:
		for (long k = 0; o->choices[k]; k++)
			if (!strcmp(o->choices[k], value)) {
				bc->opts[i] = k;
				bc->opts_set |= 1u << i;
				return true;
			}
		snprintf(what, wlen, "'%s' is not one of:", value);
		for (long k = 0; o->choices[k]; k++)
			snprintf(what + strlen(what), wlen - strlen(what), " %s", o->choices[k]);
		return false;
	}
	snprintf(what, wlen, "option '%s' of %s has no kind", o->name, b->name);
	return false;
}

long pb_bench_opt_value(const struct pb_bench *b, const struct pb_bench_config *bc, int i)
{
	return bc->opts_set & 1u << i ? bc->opts[i] : b->opts[i].def;
}

json_object *pb_bench_opt_json(const struct pb_bench *b, int i, long v)
{
	if (b->opts[i].kind == PB_OPT_ENUM)
		return json_object_new_string(b->opts[i].choices[v]);
	return json_object_new_int64(v);
}

json_object *pb_bench_opts_json(const struct pb_bench *b, const struct pb_bench_config *bc)
{
	json_object *o = json_object_new_object();

	for (int i = 0; b->opts && b->opts[i].name; i++)
		json_object_object_add(o, b->opts[i].name,
				       pb_bench_opt_json(b, i, pb_bench_opt_value(b, bc, i)));
	return o;
}

void pb_bench_opt_names(const struct pb_bench *b, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "none");
	for (int i = 0; b->opts && b->opts[i].name && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 b->opts[i].name);
}

const struct pb_bench *pb_bench_opt_owner(const char *name)
{
	for (int i = 0; pb_benches[i]; i++)
		if (pb_bench_opt_index(pb_benches[i], name) >= 0)
			return pb_benches[i];
	return NULL;
}

long pb_case_opt(const struct pb_case *c, const char *name)
{
	int i = pb_bench_opt_index(c->bench, name);

	if (i < 0) {
		fprintf(stderr, "pudbench: benchmark %s reads option '%s', which its opts table "
			"does not declare\n", c->bench->name, name);
		abort();
	}
	return pb_bench_opt_value(c->bench, c->bcfg, i);
}
