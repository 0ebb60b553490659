// SPDX-License-Identifier: MIT
/*
 * hugetlb-1G / hugetlb-2M: a hugetlbfs memfd mapped MAP_SHARED.  Shared, so
 * MADV_DONTNEED only unmaps and a refault maps the same page again, as with
 * device-dax.  The parent reserves the pool through sysfs (root only) and
 * puts the previous nr_hugepages back on release.
 */
#define _GNU_SOURCE
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sysfs.h"

struct hugetlb_pool {
	size_t page_size;
	unsigned memfd_flag;
	long saved_nr;		/* -1: we changed nothing */
};

static struct hugetlb_pool pool_1g = { PB_SZ_1G, MFD_HUGE_1GB, -1 };
static struct hugetlb_pool pool_2m = { PB_SZ_2M, MFD_HUGE_2MB, -1 };

static void pool_path(const struct hugetlb_pool *p, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%zukB/%s",
		 p->page_size >> 10, file);
}

static bool pool_probe(const struct hugetlb_pool *p, char *reason, size_t len)
{
	char path[128];
	long nr;

	pool_path(p, "nr_hugepages", path, sizeof(path));
	if (pb_sysfs_read_long(path, &nr) == 0)
		return true;
	if (p->page_size == PB_SZ_1G && pb_cpuinfo_has_flag("pdpe1gb") == 0) {
		snprintf(reason, len, "no 1 GiB hugetlb pool: the CPU does not report pdpe1gb");
		return false;
	}
	snprintf(reason, len, "no %zu kB hugetlb pool (%s: %s)", p->page_size >> 10,
		 path, strerror(errno));
	return false;
}

/*
 * Two runs that both resize the pool undo each other: the first to finish
 * puts nr_hugepages back under the other's feet, whose next mmap() fails
 * with ENOMEM.  So a run that reserves holds this lock until it releases,
 * and a second one waits for it, saying so.
 */
static int pool_lock_fd = -1;

static void pool_unlock(void)
{
	if (pool_lock_fd >= 0)
		close(pool_lock_fd);	/* drops the flock */
	pool_lock_fd = -1;
}

static int pool_lock(char *err, size_t len)
{
	if (pool_lock_fd >= 0)
		return 0;
	pool_lock_fd = open(PB_HUGETLB_POOL_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pool_lock_fd < 0) {
		/* no /run/lock (a minimal guest): nobody else runs there */
		fprintf(stderr, "pudbench: %s: %s; not locking the hugetlb pool\n", PB_HUGETLB_POOL_LOCK,
			strerror(errno));
		return 0;
	}
	if (flock(pool_lock_fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	printf("hugetlb pool in use by another pudbench run (%s): waiting for it\n", PB_HUGETLB_POOL_LOCK);
	fflush(stdout);
	if (flock(pool_lock_fd, LOCK_EX) == 0)
		return 0;
	snprintf(err, len, "waiting for %s: %s", PB_HUGETLB_POOL_LOCK, strerror(errno));	/* SIGINT */
	pool_unlock();
	return -1;
}

/*
 * PUDBENCH_HUGETLB_MAX_PAGES: the most pages a run takes from each pool
 * (so a run leaves memory to others; the tests use it to make a pool too
 * small).  LONG_MAX when unset; -1 when set to something that is no count.
 */
static long pool_cap(char *err, size_t len)
{
	const char *s = getenv("PUDBENCH_HUGETLB_MAX_PAGES");
	char *end;
	long v;

	if (!s)
		return LONG_MAX;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		snprintf(err, len, "PUDBENCH_HUGETLB_MAX_PAGES='%s' is not a count of pages", s);
		return -1;
	}
	return v;
}

/*
 * How many more pages of @p the pool may take: what is available but an
 * eighth of MemTotal.  A pool grown as far as the kernel can leaves
 * nothing to the rest of the system: in a 4 GiB guest, whose root
 * filesystem is an initramfs in RAM, one run's 2 MiB pool grew to 2840
 * MiB beside its 1 GiB page (a debug kernel there once died of "System is
 * deadlocked on memory").  LONG_MAX if meminfo is unreadable; the eighth
 * kept, in kB, into @keep_kb.
 */
static long pool_room(const struct hugetlb_pool *p, long *keep_kb)
{
	long total_kb, avail_kb;

	*keep_kb = 0;
	if (pb_meminfo_kb("MemTotal", &total_kb) || pb_meminfo_kb("MemAvailable", &avail_kb))
		return LONG_MAX;
	*keep_kb = total_kb / 8;
	return avail_kb > *keep_kb ? (avail_kb - *keep_kb) / (long)(p->page_size >> 10) : 0;
}

/* Grow the pool towards @want free pages (root); how many are free after. */
static long pool_grow(struct hugetlb_pool *p, const char *nr_path, const char *free_path,
		      long nr, long nfree, long want)
{
	if (p->saved_nr < 0)
		p->saved_nr = nr;
	/* the kernel allocates what it can: a short pool is no error here */
	pb_sysfs_write_long(nr_path, nr + want - nfree);
	if (pb_sysfs_read_long(free_path, &nfree))
		nfree = 0;
	if (nfree == 0) {	/* nothing gained: put it back now */
		pb_sysfs_write_long(nr_path, p->saved_nr);
		p->saved_nr = -1;
	}
	return nfree;
}

static int pool_reserve(struct hugetlb_pool *p, size_t max_size, size_t *got, char *err,
			size_t len)
{
	char nr_path[128], free_path[128];
	long nr, nfree, need = (long)(max_size / p->page_size), cap = pool_cap(err, len);
	long want = need < cap ? need : cap, keep_kb = 0;
	bool capped = false;

	*got = 0;
	if (cap < 0)
		return -1;
	pool_path(p, "nr_hugepages", nr_path, sizeof(nr_path));
	pool_path(p, "free_hugepages", free_path, sizeof(free_path));
	/* root may resize the pool: one such run at a time, free pages included */
	if (geteuid() == 0 && pool_lock(err, len))
		return -1;
	if (pb_sysfs_read_long(nr_path, &nr) || pb_sysfs_read_long(free_path, &nfree)) {
		snprintf(err, len, "reading %s: %s", nr_path, strerror(errno));
		return -1;
	}
	if (nfree < want && geteuid() == 0) {
		long room = pool_room(p, &keep_kb);

		capped = want - nfree > room;
		nfree = pool_grow(p, nr_path, free_path, nr, nfree, capped ? nfree + room : want);
	}
	*got = (size_t)(nfree < want ? nfree : want) * p->page_size;
	if (want < need)
		snprintf(err, len, "PUDBENCH_HUGETLB_MAX_PAGES=%ld allows %ld of the %ld %zu kB pages "
			 "the largest case needs", cap, want, need, p->page_size >> 10);
	else if (nfree < want && geteuid() != 0)
		snprintf(err, len, "%ld of the %ld %zu kB pages free, and only root may reserve more (%s)",
			 nfree, need, p->page_size >> 10, nr_path);
	else if (nfree < want && capped)
		snprintf(err, len, "could reserve only %ld of %ld %zu kB pages: more would leave less "
			 "than an eighth of memory (%ld MiB) available", nfree, need,
			 p->page_size >> 10, keep_kb >> 10);
	else if (nfree < want)
		snprintf(err, len, "could reserve only %ld of %ld %zu kB pages (memory fragmented?)",
			 nfree, need, p->page_size >> 10);
	return 0;
}

static void pool_release(struct hugetlb_pool *p)
{
	char path[128];

	if (p->saved_nr < 0) {
		if (pool_1g.saved_nr < 0 && pool_2m.saved_nr < 0)
			pool_unlock();
		return;
	}
	pool_path(p, "nr_hugepages", path, sizeof(path));
	if (pb_sysfs_write_long(path, p->saved_nr))
		fprintf(stderr, "pudbench: could not restore %s to %ld: %s\n",
			path, p->saved_nr, strerror(errno));
	p->saved_nr = -1;
	if (pool_1g.saved_nr < 0 && pool_2m.saved_nr < 0)
		pool_unlock();
}

static int pool_map(const struct hugetlb_pool *p, struct pb_mapping *m, char *err, size_t len)
{
	int fd = memfd_create("pudbench-hugetlb", MFD_CLOEXEC | MFD_HUGETLB | p->memfd_flag);
	void *addr;

	if (fd < 0) {
		snprintf(err, len, "memfd_create(MFD_HUGETLB): %s", strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)m->size)) {
		snprintf(err, len, "ftruncate hugetlb memfd to %zu: %s", m->size, strerror(errno));
		close(fd);
		return -1;
	}
	addr = mmap(m->addr, m->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	if (addr == MAP_FAILED) {
		snprintf(err, len, "mmap hugetlb memfd: %s", strerror(errno));
		close(fd);
		return -1;
	}
	m->fd = fd;
	return 0;
}

static void hugetlb_unmap(struct pb_mapping *m)
{
	munmap(m->addr, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

#define HUGETLB_BACKEND(var, label, pool, psize)                                              \
	static bool var##_probe(const struct pb_config *cfg, char *reason, size_t len) \
	{                                                                              \
		(void)cfg;                                                             \
		return pool_probe(&pool, reason, len);                                 \
	}                                                                              \
	static int var##_reserve(const struct pb_config *cfg, size_t max, size_t *got, \
				 char *err, size_t len)                                \
	{                                                                              \
		(void)cfg;                                                             \
		return pool_reserve(&pool, max, got, err, len);                        \
	}                                                                              \
	static void var##_release(void) { pool_release(&pool); }                       \
	static int var##_map(const struct pb_config *cfg, struct pb_mapping *m,        \
			     char *err, size_t len)                                    \
	{                                                                              \
		(void)cfg;                                                             \
		return pool_map(&pool, m, err, len);                                   \
	}                                                                              \
	const struct pb_backend var = {                                                \
		.name = label,                                                         \
		.summary = "hugetlbfs memfd, MAP_SHARED, pool reserved via sysfs",     \
		.page_size = psize,                                                     \
		.zap_keeps_data = true,                                                \
		.fixed_page_size = true,                                               \
		.probe = var##_probe,                                                  \
		.reserve = var##_reserve,                                              \
		.release = var##_release,                                              \
		.map = var##_map,                                                      \
		.unmap = hugetlb_unmap,                                                \
	}

HUGETLB_BACKEND(pb_backend_hugetlb_1g, "hugetlb-1G", pool_1g, PB_SZ_1G);
HUGETLB_BACKEND(pb_backend_hugetlb_2m, "hugetlb-2M", pool_2m, PB_SZ_2M);
