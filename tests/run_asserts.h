/* SPDX-License-Identifier: MIT */
/* Assertions shared by the tests that run pudbench-bin (include after tap.h). */
#ifndef PUDBENCH_TESTS_RUN_ASSERTS_H
#define PUDBENCH_TESTS_RUN_ASSERTS_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "backend.h"
#include "sysfs.h"

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

/*
 * Wait until no pudbench run holds pages in a hugetlb pool, and keep it so
 * until pool_at_rest_end(): what is read between sees no other run (another
 * test, a developer's), so a pool cannot look leaked or shrunk.
 */
#define NR_HUGEPAGES_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

static inline int pool_at_rest_begin(void)
{
	int fd = open(PB_HUGETLB_POOL_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		flock(fd, LOCK_EX);
	return fd;
}

static inline void pool_at_rest_end(int fd)
{
	if (fd >= 0)
		close(fd);
}

static inline long hugepages_2m_at_rest(void)
{
	int fd = pool_at_rest_begin();
	long nr = -1;

	pb_sysfs_read_long(NR_HUGEPAGES_2M, &nr);
	pool_at_rest_end(fd);
	return nr;
}

#endif
