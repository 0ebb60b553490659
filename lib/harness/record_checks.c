// SPDX-License-Identifier: MIT
/*
 * The checks the harness adds to every record: the data (a pattern written
 * by the populate step, read back after the measurement), the page size
 * that backs the mapping (populate's fault count and smaps) and the kernel
 * log.
 */
#define _GNU_SOURCE
#include "harness_private.h"

#include <sys/resource.h>

#include "checks.h"

static uint64_t pattern_at(size_t off)
{
	/* distinct per offset, never all-zero like a fresh page */
	return (off * 0x9e3779b97f4a7c15ull) ^ 0x5044554442454e43ull;
}

/*
 * The offsets the populate step writes: every page, and inside the first
 * page 512 evenly spaced ones, so a mapping that fell back to smaller pages
 * takes more faults than the page size predicts.
 */
static size_t populate_step(const struct pb_case *c, size_t off)
{
	size_t probe = c->page_size / 512 < PB_SZ_4K ? PB_SZ_4K : c->page_size / 512;

	return off < c->page_size ? probe : c->page_size;
}

static long thread_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

long harness_populate(struct pb_case *c)
{
	long before;

	/*
	 * getrusage() writes its result after counting: the first write to
	 * that stack page since fork() is a COW fault that the count after
	 * would take for the mapping's (seen as one extra fault per case,
	 * depending on how deep the environment put the stack).
	 */
	thread_faults();
	before = thread_faults();

	for (size_t off = 0; off < c->map.size; off += populate_step(c, off))
		*(volatile uint64_t *)(c->map.addr + off) = pattern_at(off);
	return thread_faults() - before;
}

long harness_pattern_mismatches(const struct pb_case *c)
{
	long bad = 0;

	for (size_t off = 0; off < c->map.size; off += populate_step(c, off))
		bad += *(volatile uint64_t *)(c->map.addr + off) != pattern_at(off);
	return bad;
}

static long smaps_kb(json_object *smaps, const char *key)
{
	json_object *v = smaps ? json_object_object_get(smaps, key) : NULL;

	return v ? json_object_get_int64(v) : -1;
}

/* Does smaps agree that the range is mapped with @page_size pages? */
static bool smaps_confirms(json_object *smaps, size_t page_size, size_t size)
{
	long kps = smaps_kb(smaps, "KernelPageSize");

	if (!smaps)
		return false;
	if (page_size == PB_SZ_4K)
		return kps == 4 && smaps_kb(smaps, "AnonHugePages") <= 0;
	if ((size_t)kps * 1024 == page_size)
		return true;	/* hugetlb, device-dax */
	return (size_t)smaps_kb(smaps, "AnonHugePages") * 1024 == size ||
	       (size_t)smaps_kb(smaps, "ShmemPmdMapped") * 1024 == size;
}

json_object *harness_mapping_json(const struct pb_case *c, long populate_faults,
				  json_object *smaps)
{
	json_object *o = json_object_new_object();
	long expected = (long)(c->map.size / c->page_size);
	bool populated = pb_bench_has(c->bench, PB_BENCH_POPULATE);
	bool faults_ok = populate_faults == expected;
	bool smaps_ok = smaps_confirms(smaps, c->page_size, c->map.size);

	json_object_object_add(o, "populate_faults", populated ?
			       json_object_new_int64(populate_faults) : NULL);
	json_object_object_add(o, "expected_faults", json_object_new_int64(expected));
	/* what the fault count implies; the nominal size when it matches */
	json_object_object_add(o, "mapped_page_size", populated && populate_faults > 0 ?
			       json_object_new_int64(faults_ok ? (int64_t)c->page_size :
						     (int64_t)(c->map.size / populate_faults)) : NULL);
	json_object_object_add(o, "smaps_confirms", json_object_new_boolean(smaps_ok));
	json_object_object_add(o, "granularity_verified", populated ?
			       json_object_new_boolean(faults_ok && smaps_ok) : NULL);
	json_object_object_add(o, "smaps_kb", smaps);
	return o;
}

/*
 * Which checks were made for this record's series alone, and which once
 * for the whole case: the kernel log and the data are checked over every
 * strategy and operation the case interleaved, so a record carries them
 * but they are not its own measurement.
 */
static json_object *checks_scope(json_object *checks)
{
	json_object *o = json_object_new_object();

	json_object_object_foreach(checks, key, val) {
		int id = pb_check_find(key);

		(void)val;
		if (id < 0)
			continue;	/* details of a check (kernel_log, *_probes), not checks */
		json_object_object_add(o, key, json_object_new_string(
			pb_checks[id].scope == PB_CHECK_CASE ? "case" : "series"));
	}
	return o;
}

/* Completes the record's checks (a benchmark may have put its own there). */
void harness_add_checks(json_object *rec, const struct pb_kmsg *km, long mismatches,
			bool data_checked)
{
	json_object *o;

	if (!json_object_object_get_ex(rec, "checks", &o)) {
		o = json_object_new_object();
		json_object_object_add(rec, "checks", o);
	}
	/* every record has the key; null: this series made no write probe */
	if (!json_object_object_get_ex(o, "stale_write", NULL))
		json_object_object_add(o, "stale_write", NULL);
	json_object_object_add(o, "bad_pud", km->measured ? json_object_new_int(km->bad_pud) : NULL);
	json_object_object_add(o, "bad_rss_counter",
			       km->measured ? json_object_new_int(km->bad_rss) : NULL);
	json_object_object_add(o, "kernel_warnings",
			       km->measured ? json_object_new_int(km->warnings) : NULL);
	json_object_object_add(o, "data_intact", data_checked ?
			       json_object_new_boolean(mismatches == 0) : NULL);
	if (!km->measured)
		json_object_object_add(o, "kernel_log_unavailable",
				       json_object_new_string(km->unavailable));
	json_object_object_add(rec, "checks_scope", checks_scope(o));
	if (km->nr_kept) {
		json_object *lines = json_object_new_array();

		for (unsigned i = 0; i < km->nr_kept; i++)
			json_object_array_add(lines, json_object_new_string(km->kept[i]));
		json_object_object_add(o, "kernel_log", lines);
	}
}
