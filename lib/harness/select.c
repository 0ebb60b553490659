// SPDX-License-Identifier: MIT
/*
 * What a run measures on this machine: the config's names checked, the
 * strategies to interleave chosen from what the kernel offers, and the
 * backends probed and reserved (each one left out is said why, on stdout
 * and in the results).
 */
#include "harness_private.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

int pb_harness_validate(const struct pb_config *cfg)
{
	const char *where = cfg->path[0] ? cfg->path : "(defaults)";
	int bad = 0;

	for (unsigned i = 0; i < cfg->nr_benches; i++)
		if (!pb_bench_find(cfg->benches[i])) {
			fprintf(stderr, "%s: key 'benches' in [run]: unknown benchmark '%s' "
				"(see ./pudbench list)\n", where, cfg->benches[i]);
			bad = 1;
		}
	for (unsigned i = 0; i < cfg->nr_backends; i++)
		if (!pb_backend_find(cfg->backends[i])) {
			fprintf(stderr, "%s: key 'backends' in [run]: unknown backend '%s' "
				"(see ./pudbench list)\n", where, cfg->backends[i]);
			bad = 1;
		}
	/* an unknown [bench:NAME] is refused at its line by pb_config_load() */
	return bad ? -1 : 0;
}

/* Pick the backends to run; say why each one that is left out is. */
static int select_backends(const struct pb_config *cfg, struct pb_results *res,
			   const struct pb_backend **out)
{
	const char *names[PB_CFG_MAX_LIST + 1];
	char why[512];
	int n = 0, nr_names = 0;

	if (cfg->backends_auto)
		for (int i = 0; pb_backends_auto[i]; i++)
			names[nr_names++] = pb_backends_auto[i];
	else
		for (unsigned i = 0; i < cfg->nr_backends; i++)
			names[nr_names++] = cfg->backends[i];
	for (int i = 0; i < nr_names && n < MAX_RUN_BACKENDS; i++) {
		const struct pb_backend *be = pb_backend_find(names[i]);

		if (!be->probe(cfg, why, sizeof(why))) {
			printf("backend %-10s unavailable: %s\n", be->name, why);
			pb_results_backend(res, be->name, why);
			continue;
		}
		pb_results_backend(res, be->name, NULL);
		out[n++] = be;
		/* the best backend there is: "auto" measures devdax alone */
		if (cfg->backends_auto && !strcmp(be->name, "devdax"))
			break;
	}
	return n;
}

/* The strategies to interleave: "auto" = all the kernel offers. */
int harness_select_strategies(const struct pb_config *cfg, const struct pb_strategies *avail,
			      const char **out, json_object **desc)
{
	json_object *o = json_object_new_object(), *offered = json_object_new_array();
	json_object *used = json_object_new_array();
	int n = 0;

	for (int i = 0; i < avail->nr; i++)
		json_object_array_add(offered, json_object_new_string(avail->names[i]));
	if (cfg->strategies_auto) {
		/* broken_*: a test kernel's negative controls, run only by name */
		for (int i = 0; i < avail->nr; i++)
			if (strncmp(avail->names[i], "broken_", 7))
				out[n++] = avail->names[i];
	} else {
		for (unsigned i = 0; i < cfg->nr_strategies && n < PB_STRATEGY_MAX; i++) {
			int k = 0;

			while (k < avail->nr && strcmp(avail->names[k], cfg->strategies[i]))
				k++;
			if (k == avail->nr) {
				fprintf(stderr, "%s: key 'strategies' in [run]: this kernel does not offer "
					"'%s' (%s)\n", cfg->path[0] ? cfg->path : "(defaults)",
					cfg->strategies[i], avail->knob ? "see " PB_STRATEGY_KNOB :
					"it has no " PB_STRATEGY_KNOB);
				json_object_put(o);
				json_object_put(offered);
				json_object_put(used);
				return -1;
			}
			out[n++] = avail->names[k];
		}
	}
	for (int i = 0; i < n; i++)
		json_object_array_add(used, json_object_new_string(out[i]));
	json_object_object_add(o, "knob", avail->knob ? json_object_new_string(PB_STRATEGY_KNOB) : NULL);
	json_object_object_add(o, "initial", avail->knob ? json_object_new_string(avail->initial) : NULL);
	json_object_object_add(o, "offered", offered);
	json_object_object_add(o, "interleaved", used);
	*desc = o;
	return n;
}

/* The largest (@largest) or smallest size any benchmark of the run maps, in GiB. */
static size_t size_gib_bound(const struct pb_config *cfg, bool largest)
{
	unsigned bound = largest ? 0 : UINT_MAX;

	for (unsigned b = 0; b < cfg->nr_benches; b++) {
		const struct pb_bench_config *bc = pb_config_bench(cfg, cfg->benches[b]);

		for (unsigned s = 0; s < bc->nr_sizes; s++)
			if (largest ? bc->sizes_gib[s] > bound : bc->sizes_gib[s] < bound)
				bound = bc->sizes_gib[s];
	}
	return bound;
}

/*
 * Reserve for the largest case, or as much as the machine gives: the cases
 * that fit run, the larger ones are skipped with the reason.  -1 (the
 * backend left out, said why) when not even the smallest case fits.
 */
static int reserve_backend(const struct pb_config *cfg, struct pb_results *res,
			   struct run_backend *rb, const struct pb_backend *be)
{
	size_t want = size_gib_bound(cfg, true) * PB_SZ_1G;
	json_object *desc;

	*rb = (struct run_backend){ .be = be, .room = SIZE_MAX };
	if (!be->reserve)
		return 0;
	if (be->reserve(cfg, want, &rb->room, rb->short_of, sizeof(rb->short_of)) ||
	    rb->room < size_gib_bound(cfg, false) * PB_SZ_1G) {
		/* not even the smallest case fits: as good as no pool */
		printf("backend %-10s unavailable: %s\n", be->name, rb->short_of);
		pb_results_backend(res, be->name, rb->short_of);
		if (be->release)
			be->release();
		return -1;
	}
	desc = json_object_object_get(json_object_object_get(res->doc, "backends"), be->name);
	json_object_object_add(desc, "reserved_bytes", json_object_new_int64((int64_t)rb->room));
	json_object_object_add(desc, "wanted_bytes", json_object_new_int64((int64_t)want));
	if (rb->room >= want) {
		json_object_object_add(desc, "reserve_short", NULL);
		return 0;
	}
	printf("backend %-10s reserved %zu of %zu MiB: %s; the cases larger than that are "
	       "skipped\n", be->name, rb->room >> 20, want >> 20, rb->short_of);
	json_object_object_add(desc, "reserve_short", json_object_new_string(rb->short_of));
	return 0;
}

void harness_open_backends(struct run_ctx *rx)
{
	const struct pb_backend *selected[MAX_RUN_BACKENDS];
	int nr_selected = select_backends(rx->cfg, rx->res, selected);

	if (rx->cfg->backends_auto && (nr_selected == 0 || strcmp(selected[0]->name, "devdax")))
		printf("no usable device-dax device: measuring the next best backends\n");
	rx->nr_backends = 0;
	for (int b = 0; b < nr_selected; b++)
		if (!reserve_backend(rx->cfg, rx->res, &rx->backends[rx->nr_backends], selected[b]))
			rx->nr_backends++;
}
