// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any bytes as a results.json given to `compare`.  The
 * reader must reject what is not a valid pudbench-results/2 (or /1) document with
 * a message naming the file, and a document it accepts must survive being
 * compared with itself.  Any JSON must also survive being folded with itself
 * (`pudbench fold`, a kernel matrix's boots), which checks only the schema.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "fuzz_file.h"
#include "results_merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_to_file("json", data, size);
	struct pb_cmp_set set = { 0 };
	struct pb_cmp cmp = { 0 };
	char err[1024];

	if (pb_cmp_add_input(&set, path, err, sizeof(err))) {
		if (!strstr(err, path))
			abort();	/* every error names the file */
	} else if (pb_cmp_add_input(&set, path, err, sizeof(err)) == 0 &&
		   pb_cmp_run(&set, 0.05, PB_P_ADJUST_HOLM, &cmp, err, sizeof(err)) == 0) {
		pb_cmp_free(&cmp);
	}
	pb_cmp_set_free(&set);
	{
		struct json_tokener *tok = json_tokener_new();
		json_object *doc = tok ? json_tokener_parse_ex(tok, (const char *)data, (int)size) : NULL;
		json_object *runs[2] = { doc, doc };

		if (doc)
			json_object_put(pb_results_fold(runs, 2, "run"));
		json_object_put(doc);
		if (tok)
			json_tokener_free(tok);
	}
	return 0;
}
