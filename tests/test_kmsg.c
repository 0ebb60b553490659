// SPDX-License-Identifier: MIT
/* The kernel-log scanner counts what the correctness check relies on. */
#include <fcntl.h>

#include "kmsg.h"
#include "tap.h"

TEST(classifies_messages)
{
	struct pb_kmsg w = { .fd = -1 };

	pb_kmsg_account(&w, "mm/pgtable-generic.c:53: bad pud 00000000a1b2c3d4(8000000140000ae7)");
	pb_kmsg_account(&w, "WARNING: CPU: 1 PID: 77 at mm/huge_memory.c:2034 change_huge_pud");
	pb_kmsg_account(&w, "BUG: Bad page map in process pudbench");
	pb_kmsg_account(&w, "nd_pmem namespace0.0: unable to guarantee persistence of writes");
	/* Debian 7.3.4 after mremap() of a devdax PUD, at the mover's exit */
	pb_kmsg_account(&w, "BUG: Bad rss-counter state mm:00000000b0d7e5d8 type:MM_FILEPAGES "
			    "val:262144 Comm:pudbench-bin Pid:187");
	ASSERT_EQ(w.bad_pud, 1);
	ASSERT_EQ(w.bad_rss, 1);
	ASSERT_EQ(w.warnings, 3);
	ASSERT_EQ(w.lines, 5);
	ASSERT_EQ(w.nr_kept, 4);
	ASSERT_SUBSTR(w.kept[0], "bad pud");
}

/* A BUG line names a file; the RIP line after it names the function: kept too, not counted. */
TEST(keeps_the_rip_line_of_a_warning)
{
	struct pb_kmsg w = { .fd = -1 };

	pb_kmsg_account(&w, "RIP: 0010:before_any_warning+0x1/0x2");
	pb_kmsg_account(&w, "kernel BUG at mm/huge_memory.c:2034!");
	pb_kmsg_account(&w, "Oops: invalid opcode: 0000 [#1] SMP NOPTI");
	pb_kmsg_account(&w, "RIP: 0010:zap_huge_pud+0x1a/0x80");
	pb_kmsg_account(&w, "RIP: 0033:0x7f0000001000");
	ASSERT_EQ(w.warnings, 1);
	ASSERT_EQ(w.nr_kept, 2);
	ASSERT_STREQ(w.kept[0], "kernel BUG at mm/huge_memory.c:2034!");
	ASSERT_STREQ(w.kept[1], "RIP: 0010:zap_huge_pud+0x1a/0x80");
}

/*
 * Stock 7.3 on ppc64le logged nine "bad pud" lines and four "BUG: Bad
 * rss-counter" lines for one mremap-pud case: the first other WARNING/BUG
 * still gets a line, and each flood keeps its first lines.
 */
TEST(a_flood_of_one_kind_leaves_room_for_a_warning)
{
	struct pb_kmsg w = { .fd = -1 };

	for (int i = 0; i < 9; i++)
		pb_kmsg_account(&w, "mm/pgtable-generic.c:44: bad pud c000000140000186.");
	for (int i = 0; i < 4; i++)
		pb_kmsg_account(&w, "BUG: Bad rss-counter state mm:00000000187a83d5 "
				    "type:MM_FILEPAGES val:262144");
	pb_kmsg_account(&w, "WARNING: CPU: 0 PID: 75 at mm/huge_memory.c:2100 zap_huge_pud+0x1/0x2");
	ASSERT_EQ(w.bad_pud, 9);
	ASSERT_EQ(w.bad_rss, 4);
	ASSERT_EQ(w.warnings, 5);
	ASSERT_EQ(w.nr_kept, 2 * PB_KMSG_KEEP_REPEATED + 1);
	ASSERT_SUBSTR(w.kept[0], "bad pud");
	ASSERT_SUBSTR(w.kept[PB_KMSG_KEEP_REPEATED], "Bad rss-counter");
	ASSERT_SUBSTR(w.kept[2 * PB_KMSG_KEEP_REPEATED], "zap_huge_pud");
}

/* Only what is logged after start counts; needs root to write /dev/kmsg. */
TEST(sees_new_kernel_log_lines_only)
{
	struct pb_kmsg w;
	int fd;

	pb_kmsg_start(&w);
	if (!w.measured)
		SKIP("%s", w.unavailable);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0)
		SKIP("cannot write /dev/kmsg (not root)");
	{
		static const char msg[] = "pudbench-test: bad pud 0000000000000000 (injected)\n";

		/* one write() is one kernel log record */
		ASSERT_EQ(write(fd, msg, sizeof(msg) - 1), (long)sizeof(msg) - 1);
	}
	close(fd);
	pb_kmsg_collect(&w);
	pb_kmsg_stop(&w);
	ASSERT_EQ(w.bad_pud, 1);
	ASSERT_EQ(w.warnings, 0);
}

int main(int argc, char **argv)
{
	return tap_main();
}
