/* SPDX-License-Identifier: MIT */
/* Assertions shared by the tests that run pudbench-bin (include after tap.h). */
#ifndef PUDBENCH_TESTS_RUN_ASSERTS_H
#define PUDBENCH_TESTS_RUN_ASSERTS_H

#include <dirent.h>

/* Results are written through temp files and rename(): none may stay. */
static inline void assert_no_temp_files(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	ASSERT_TRUE(d != NULL);
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp"))
			TAP_FAIL("temp file left in %s: %s", dir, de->d_name);
	closedir(d);
}

#endif
