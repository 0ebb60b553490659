// SPDX-License-Identifier: MIT
/*
 * Backends give the page size they claim, as counted by perf page-fault
 * events on first touch, and hugetlb reservations go back to what they were.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include "backend.h"
#include "config.h"
#include "counters.h"
#include "sysfs.h"
#include "tap.h"
#include "run_asserts.h"

static struct pb_config cfg;

/* perf page-fault events taken by touching every 4 KiB of @size bytes. */
static long first_touch_faults(const char *name, size_t size)
{
	const struct pb_backend *be = pb_backend_find(name);
	pid_t self = (pid_t)syscall(SYS_gettid);
	struct pb_counter_snapshot *a = calloc(2, sizeof(*a)), *b = a + 1;
	struct pb_counters *ctrs;
	struct pb_mapping m;
	const char *why;
	char err[512];
	size_t got = SIZE_MAX;
	long faults;

	ASSERT_TRUE(be != NULL);
	if (!be->probe(&cfg, err, sizeof(err)))
		SKIP("%s unavailable: %s", name, err);
	if (be->reserve && (be->reserve(&cfg, size, &got, err, sizeof(err)) || got < size)) {
		if (be->release)
			be->release();
		SKIP("%s: cannot reserve %zu bytes: %s", name, size, err);
	}
	if (pb_mapping_create(be, &cfg, size, &m, err, sizeof(err)))
		TAP_FAIL("%s: %s", name, err);
	ctrs = pb_counters_open(&self, 1);
	ASSERT_TRUE(ctrs != NULL);
	if (!pb_counter_available(ctrs, PB_CTR_FAULTS, &why))
		SKIP("page-fault counter unavailable: %s", why);
	pb_counters_read(ctrs, a);
	for (size_t off = 0; off < size; off += PB_SZ_4K)
		m.addr[off] = 1;
	pb_counters_read(ctrs, b);
	faults = (long)(b->total[PB_CTR_FAULTS] - a->total[PB_CTR_FAULTS]);
	pb_counters_close(ctrs);
	pb_mapping_destroy(be, &m);
	if (be->release)
		be->release();
	free(a);
	TH_INFO("%s: %ld faults for %zu MiB", name, faults, size >> 20);
	return faults;
}

TEST(hugetlb_1g_first_touch_is_one_fault)
{
	ASSERT_EQ(first_touch_faults("hugetlb-1G", PB_SZ_1G), 1);
}

TEST(hugetlb_2m_first_touch_is_512_faults_per_gib)
{
	ASSERT_EQ(first_touch_faults("hugetlb-2M", PB_SZ_1G), 512);
}

TEST(thp_first_touch_is_512_faults_per_gib)
{
	ASSERT_EQ(first_touch_faults("thp-2M", PB_SZ_1G), 512);
}

TEST(base_4k_first_touch_is_one_fault_per_page)
{
	ASSERT_EQ(first_touch_faults("base-4K", 64UL << 20), (64UL << 20) / PB_SZ_4K);
}

TEST(hugetlb_reservation_is_given_back)
{
	const struct pb_backend *be = pb_backend_find("hugetlb-2M");
	const char *nr_path = NR_HUGEPAGES_2M;
	long before, during, after;
	char err[512];
	size_t got;

	if (!be->probe(&cfg, err, sizeof(err)))
		SKIP("hugetlb-2M unavailable: %s", err);
	if (geteuid() != 0)
		SKIP("reserving hugetlb pages needs root");
	ASSERT_EQ(pb_sysfs_read_long(nr_path, &before), 0);
	if (be->reserve(&cfg, 64UL << 20, &got, err, sizeof(err)) || got < (64UL << 20)) {
		be->release();
		SKIP("cannot reserve 32 pages: %s", err);
	}
	ASSERT_EQ(pb_sysfs_read_long(nr_path, &during), 0);
	be->release();
	ASSERT_EQ(pb_sysfs_read_long(nr_path, &after), 0);
	TH_INFO("nr_hugepages %ld -> %ld -> %ld", before, during, after);
	ASSERT_GE(during, 32);
	ASSERT_EQ(after, before);
}

TEST(mapping_is_1g_aligned)
{
	const struct pb_backend *be = pb_backend_find("base-4K");
	struct pb_mapping m;
	char err[512];

	ASSERT_EQ(pb_mapping_create(be, &cfg, 64UL << 20, &m, err, sizeof(err)), 0);
	ASSERT_EQ((uintptr_t)m.addr % PB_SZ_1G, 0);
	pb_mapping_destroy(be, &m);
}

int main(int argc, char **argv)
{
	pb_config_defaults(&cfg);
	return tap_main();
}
