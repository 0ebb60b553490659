// SPDX-License-Identifier: MIT
#include "collect.h"

#include <limits.h>
#include <string.h>

#include "fetch.h"
#include "record.h"
#include "results.h"
#include "results_merge.h"
#include "vm_files.h"

/* What names the kernel of these records, and where they ran. */
static json_object *kernel_meta(const struct pb_kernel_spec *k, const char *dir,
				json_object *kinfo)
{
	json_object *meta = json_object_new_object();
	char path[PATH_MAX + 64], held[16] = "";

	json_object_object_add(meta, "label", json_object_new_string(k->label));
	json_object_object_add(meta, "spec", json_object_new_string(k->spec));
	json_object_object_foreach(kinfo, key, val) {
		if (pb_kernel_ident_key(key))
			json_object_object_add(meta, key, json_object_get(val));
		if (!strcmp(key, "accel") || !strcmp(key, "accel_reason"))
			json_object_object_add(meta, key, json_object_get(val));
	}
	/* whether the guest's init held the counters' keys on with one CPU (guest/init.sh) */
	pb_format(path, sizeof(path), "%s/vm/results/timing.txt", dir);
	if (pb_vm_env_value(path, "counters_held", held, sizeof(held)))
		json_object_object_add(meta, "counters_held", json_object_new_boolean(!strcmp(held, "1")));
	return meta;
}

json_object *pb_kernel_collect(const struct pb_kernels_conf *kc, const struct pb_kernel_spec *k,
			       const char *dir, json_object *kinfo, char *missing, size_t mlen)
{
	json_object *parts[PB_KERNELS_CONF_MAX_ALIGNS], *doc;
	unsigned nr = 0, nr_missing = 0;
	char path[PATH_MAX + 64];

	missing[0] = '\0';
	for (unsigned a = 0; a < kc->nr_aligns; a++) {
		pb_format(path, sizeof(path), "%s/vm/results/results-%s.json", dir, kc->aligns[a]);
		if (!(parts[nr] = json_object_from_file(path))) {
			nr_missing++;
			pb_format(missing + strlen(missing), mlen - strlen(missing), "%s%s",
				  missing[0] ? ", " : "", kc->aligns[a]);
			continue;
		}
		nr++;
	}
	if (!nr)
		return NULL;
	doc = pb_results_merge(parts, nr, nr_missing);
	for (unsigned i = 0; i < nr; i++)
		json_object_put(parts[i]);
	if (!doc)
		return NULL;
	/* the guest's env names the accelerator (pudbench.accel=); the host adds why */
	if (pb_jget(doc, "env"))
		json_object_object_add(pb_jget(doc, "env"), "accel_reason",
				       json_object_get(pb_jget(kinfo, "accel_reason")));
	json_object_object_add(doc, "kernel", kernel_meta(k, dir, kinfo));
	pb_format(path, sizeof(path), "%s/results.json", dir);
	pb_write_json_atomic(path, doc);
	return doc;
}

json_object *pb_kernel_fold_boot(struct pb_matrix_run *m, unsigned i, unsigned boot,
				 json_object *doc, const char *label_dir)
{
	char path[PATH_MAX + 16];
	json_object *merged;

	if (m->kc->boots == 1)
		return doc;
	m->boot_docs[i][boot] = doc;
	merged = pb_results_fold(m->boot_docs[i], boot + 1, "boot");
	if (merged) {
		pb_format(path, sizeof(path), "%s/results.json", label_dir);
		pb_write_json_atomic(path, merged);
	}
	json_object_put(m->docs[i]);
	return merged;
}
