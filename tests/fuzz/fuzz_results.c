// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any bytes as a results.json given to `compare`.  The
 * reader must reject what is not a valid pudbench-results/1 document with
 * a message naming the file, and a document it accepts must survive being
 * compared with itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "fuzz_file.h"

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
		   pb_cmp_run(&set, 0.05, &cmp, err, sizeof(err)) == 0) {
		pb_cmp_free(&cmp);
	}
	pb_cmp_set_free(&set);
	return 0;
}
