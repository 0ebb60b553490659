/* SPDX-License-Identifier: MIT */
/* The parsers under test read files: hand them the fuzzer's bytes as one. */
#ifndef PUDBENCH_FUZZ_FILE_H
#define PUDBENCH_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_path[96];

static void fuzz_file_remove(void)
{
	unlink(fuzz_path);
}

/* Write @data to a per-process file named after @what; returns its path. */
static inline const char *fuzz_to_file(const char *what, const uint8_t *data, size_t size)
{
	char *path = fuzz_path;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(fuzz_path), "/tmp/pudbench-fuzz-%d.%s", (int)getpid(), what);
		atexit(fuzz_file_remove);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	return path;
}

#endif
