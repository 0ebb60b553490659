/* SPDX-License-Identifier: MIT */
/* Assertions shared by the tests that run pudbench-bin (include after tap.h). */
#ifndef PUDBENCH_TESTS_RUN_ASSERTS_H
#define PUDBENCH_TESTS_RUN_ASSERTS_H

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "backend.h"
#include "record.h"
#include "sysfs.h"

/*
 * Something this run needed is missing (a backend, a counter): not being
 * root is what the machine lacks, a SKIP; as root it is a FAIL.
 */
#define MISSING_UNLESS_ROOT(fmt, ...)                                           \
	do {                                                                    \
		if (geteuid())                                                  \
			SKIP("not root: " fmt, ##__VA_ARGS__);                  \
		TAP_FAIL("as root: " fmt, ##__VA_ARGS__);                       \
	} while (0)

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

/* "BENCH BACKEND DIRECTION remote=N" of @rec, for the messages below */
static inline const char *record_what(json_object *rec, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s remote=%d", pb_jstr(rec, "bench", "?"),
		 pb_jstr(rec, "backend", "?"), pb_jstr(rec, "operation", "?"),
		 json_object_get_int(pb_jget(rec, "remote_cpus")));
	return buf;
}

/* A count in @rec's checks: null, absent or not an integer fails. */
static inline long long check_count(json_object *rec, const char *key)
{
	json_object *v = pb_jget(pb_jget(rec, "checks"), key);
	char what[256];

	if (!json_object_is_type(v, json_type_int))
		TAP_FAIL("%s: checks.%s is %s, not a count", record_what(rec, what, sizeof(what)),
			 key, v ? json_object_to_json_string(v) : "null or absent");
	return json_object_get_int64(v);
}

/*
 * The write-after-PROT_READ probes of one record: the calling CPU probed
 * and no write went through; with a participant its CPU probed too and no
 * write went through there; without one nothing was probed remotely, so
 * both remote fields are null (a 0 would claim a probe that never ran).
 */
static inline void assert_no_stale_write(json_object *rec)
{
	json_object *c = pb_jget(rec, "checks");
	char what[256];

	record_what(rec, what, sizeof(what));
	EXPECT(check_count(rec, "stale_write_probes") > 0, "%s: no local probe", what);
	EXPECT(check_count(rec, "stale_write") == 0, "%s: %lld writes went through after PROT_READ",
	       what, check_count(rec, "stale_write"));
	if (json_object_get_int(pb_jget(rec, "remote_cpus"))) {
		EXPECT(check_count(rec, "stale_write_remote_probes") > 0,
		       "%s: the participant never probed", what);
		EXPECT(check_count(rec, "stale_write_remote") == 0,
		       "%s: %lld participant writes went through after PROT_READ", what,
		       check_count(rec, "stale_write_remote"));
	} else {
		EXPECT(json_object_object_get_ex(c, "stale_write_remote", NULL) &&
		       !pb_jget(c, "stale_write_remote") && !pb_jget(c, "stale_write_remote_probes"),
		       "%s: stale_write_remote %s, stale_write_remote_probes %s (want null: no remote "
		       "CPU was probed)", what, json_object_to_json_string(pb_jget(c, "stale_write_remote")),
		       json_object_to_json_string(pb_jget(c, "stale_write_remote_probes")));
	}
}

#endif
