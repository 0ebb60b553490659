/* SPDX-License-Identifier: MIT */
/*
 * The VM tests' one kernel matrix run and what it left: matrix.json and each
 * kernel's merged results.json, looked up by the kernel's index in the
 * test's label list.  A lookup that finds nothing fails the test (or skips
 * it, with the reason, when the machine could not run the matrix: no QEMU,
 * the archive unreachable); a measured number that is null fails it too.
 */
#ifndef PB_TEST_VM_RUN_H
#define PB_TEST_VM_RUN_H

#include <math.h>

#include <json-c/json.h>

#include "compare.h"
#include "run_cmd.h"
#include "tap.h"

#define VM_MAX_KERNELS 4

static struct vm_run {
	const char *const *labels;	/* the [kernel:LABEL]s the test reads, by index */
	int nr;
	char out_dir[PATH_MAX];
	char output[1 << 19];		/* pudbench-bin kernels' output */
	int status;			/* its exit status; -3: skipped (see skip) */
	char skip[512];
	json_object *matrix, *docs[VM_MAX_KERNELS];
} vm = { .status = -1 };

/* Kernel @k's entry in matrix.json, or NULL. */
static inline json_object *vm_kernel(int k)
{
	json_object *ks = pb_jget(vm.matrix, "kernels");

	for (size_t i = 0; ks && i < json_object_array_length(ks); i++)
		if (!strcmp(pb_jstr(json_object_array_get_idx(ks, i), "label", ""), vm.labels[k]))
			return json_object_array_get_idx(ks, i);
	return NULL;
}

/* Kernel @k's results.json: skips when the machine could not run it, fails when it is missing. */
static inline json_object *vm_doc(int k)
{
	if (vm.skip[0])
		SKIP("%s", vm.skip);
	if (!vm.matrix)
		TAP_FAIL("no matrix.json; pudbench-bin kernels exited %d:\n%s", vm.status, vm.output);
	if (!vm.docs[k])
		TAP_FAIL("%s: no results.json (status %s: %s)", vm.labels[k],
			 pb_jstr(vm_kernel(k), "status", "?"), pb_jstr(vm_kernel(k), "reason", "?"));
	return vm.docs[k];
}

/* Kernel @k's first record of @bench on @backend whose @key is @value, or fail. */
static inline json_object *vm_rec(int k, const char *bench, const char *backend, const char *key,
				  const char *value)
{
	json_object *res = pb_jget(vm_doc(k), "results");

	for (size_t i = 0; i < json_object_array_length(res); i++) {
		json_object *r = json_object_array_get_idx(res, i);

		if (!strcmp(pb_jstr(r, "bench", ""), bench) &&
		    !strcmp(pb_jstr(r, "backend", ""), backend) &&
		    !strcmp(pb_jstr(r, key, ""), value))
			return r;
	}
	TAP_FAIL("%s: no %s %s record with %s %s", vm.labels[k], bench, backend, key, value);
}

/* @obj.@key of record @r of kernel @k ("per_sample", "faults"): a measured number, null fails. */
static inline double vm_num(int k, json_object *r, const char *obj, const char *key)
{
	double v = pb_jnum(pb_jget(r, obj), key);

	if (isnan(v))
		TAP_FAIL("%s %s %s %s %s: %s.%s not measured (null); unavailable: %s", vm.labels[k],
			 pb_jstr(r, "bench", "?"), pb_jstr(r, "backend", "?"),
			 pb_jstr(r, "strategy", "?"), pb_jstr(r, "operation", "?"), obj, key,
			 json_object_to_json_string(pb_jget(r, "unavailable")));
	return v;
}

/* Every kernel of the run booted, came back and left complete results. */
static inline void vm_expect_all_came_back(void)
{
	EXPECT(vm.status == 0 || vm.skip[0], "pudbench-bin kernels exited %d", vm.status);
	for (int k = 0; k < vm.nr; k++) {
		json_object *d = vm_doc(k);

		EXPECT(!strcmp(pb_jstr(vm_kernel(k), "status", "?"), "ok"), "%s: %s", vm.labels[k],
		       pb_jstr(vm_kernel(k), "reason", "?"));
		ASSERT_STREQ(pb_jstr(d, "status", "?"), "complete");
	}
}

/*
 * The test's main: run configs/@conf once (its output from @section on goes
 * to the TAP log), load the results of the @nr kernels @labels, then the
 * tests.  With PUDBENCH_TEST_VM_DIR set to an earlier run's OUT, the tests
 * read that instead (to refit bounds by hand, one test binary at a time).
 */
static inline int vm_main(int argc, char **argv, const char *conf, const char *tmpl,
			  const char *section, const char *const *labels, int nr)
{
	char path[PATH_MAX + 64];

	vm.labels = labels;
	vm.nr = nr < VM_MAX_KERNELS ? nr : VM_MAX_KERNELS;
	if (getenv("PUDBENCH_TEST_VM_DIR")) {	/* an earlier run's OUT: refit bounds without a run */
		snprintf(vm.out_dir, sizeof(vm.out_dir), "%s", getenv("PUDBENCH_TEST_VM_DIR"));
		snprintf(path, sizeof(path), "%s/matrix.json", vm.out_dir);
		vm.matrix = json_object_from_file(path);
		vm.status = 0;
	} else {
		vm.status = run_kernels_matrix(conf, tmpl, vm.out_dir, section, vm.output,
					       sizeof(vm.output), vm.skip, &vm.matrix);
		if (vm.status == -2)
			return 1;
	}
	for (int k = 0; k < vm.nr; k++) {
		snprintf(path, sizeof(path), "%s/%s/results.json", vm.out_dir, labels[k]);
		vm.docs[k] = json_object_from_file(path);
	}
	return tap_main();
}

#endif
