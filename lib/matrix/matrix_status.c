// SPDX-License-Identifier: MIT
#include "matrix_status.h"

#include <limits.h>
#include <unistd.h>

#include "record.h"
#include "results.h"
#include "vm_files.h"

/* Lines of a failed kernel's console and runner log kept in matrix.json */
#define TAIL_LINES 30

json_object *pb_matrix_status_new(const struct pb_kernels_conf *kc, const char *config)
{
	json_object *matrix = json_object_new_object(), *aligns = json_object_new_array();

	json_object_object_add(matrix, "schema", json_object_new_string("pudbench-matrix/1"));
	json_object_object_add(matrix, "config", json_object_new_string(config));
	json_object_object_add(matrix, "suite", json_object_new_string(kc->suite));
	for (unsigned a = 0; a < kc->nr_aligns; a++)
		json_object_array_add(aligns, json_object_new_string(kc->aligns[a]));
	json_object_object_add(matrix, "aligns", aligns);
	json_object_object_add(matrix, "numa_nodes", json_object_new_int((int)kc->numa));
	json_object_object_add(matrix, "cpus", json_object_new_int((int)kc->cpus));
	json_object_object_add(matrix, "timeout_s", json_object_new_int((int)kc->timeout_s));
	json_object_object_add(matrix, "pmem_gib", json_object_new_int((int)kc->pmem_gib));
	json_object_object_add(matrix, "hugepages_1g", json_object_new_int((int)kc->hugepages_1g));
	json_object_object_add(matrix, "boots", json_object_new_int((int)kc->boots));
	json_object_object_add(matrix, "accel", NULL);
	json_object_object_add(matrix, "accel_reason", NULL);
	json_object_object_add(matrix, "kernels", json_object_new_array());
	for (unsigned i = 0; i < kc->nr_kernels; i++) {
		json_object *k = json_object_new_object();

		pb_matrix_status_set(k, "label", kc->kernels[i].label);
		pb_matrix_status_set(k, "spec", kc->kernels[i].spec);
		json_object_object_add(k, "debugfs", kc->kernels[i].debugfs[0] ?
				       json_object_new_string(kc->kernels[i].debugfs) : NULL);
		json_object_object_add(k, "expect_warning", kc->kernels[i].expect_warning[0] ?
				       json_object_new_string(kc->kernels[i].expect_warning) : NULL);
		pb_matrix_status_set(k, "status", "pending");
		json_object_array_add(pb_jget(matrix, "kernels"), k);
	}
	return matrix;
}

void pb_matrix_status_save(const struct pb_matrix_run *m)
{
	char path[PATH_MAX + 16];

	pb_format(path, sizeof(path), "%s/matrix.json", m->out);
	pb_write_json_atomic(path, m->matrix);
}

void pb_matrix_status_set(json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

/* Seconds into kinfo's wall_s, added over the boots. */
static void add_wall(json_object *kinfo, time_t t0)
{
	json_object_object_add(kinfo, "wall_s", json_object_new_int(
		json_object_get_int(pb_jget(kinfo, "wall_s")) + (int)(time(NULL) - t0)));
}

void pb_matrix_status_ok(json_object *kinfo, unsigned boot, time_t t0)
{
	pb_matrix_status_set(kinfo, "status", "ok");
	json_object_object_add(kinfo, "boots", json_object_new_int((int)boot + 1));
	add_wall(kinfo, t0);
}

void pb_matrix_status_failed(json_object *kinfo, const char *why, const char *dir, time_t t0)
{
	char path[PATH_MAX + 64];

	pb_matrix_status_set(kinfo, "status", "failed");
	pb_matrix_status_set(kinfo, "reason", why);
	add_wall(kinfo, t0);
	pb_format(path, sizeof(path), "%s/console.log", dir);
	json_object_object_add(kinfo, "log_tail", pb_vm_tail_lines(path, TAIL_LINES));
	pb_format(path, sizeof(path), "%s/vm/results/run.log", dir);
	if (access(path, R_OK) == 0)
		json_object_object_add(kinfo, "runner_tail", pb_vm_tail_lines(path, TAIL_LINES));
}
