// SPDX-License-Identifier: MIT
/*
 * The guest boots with maxcpus=1 (tools/vm/boot.sh), so no other vCPU runs
 * while the kernel patches its text at boot; its init holds the counters'
 * static keys on with CPU 0 alone, then brings every other CPU online
 * (guest/init.sh, src/cmd_hold_counters.c), so no later key flip patches
 * text while another vCPU runs either.  tools/vm/tcg-poke-race.sh boots
 * stock Debian 6.12 twice under multi-threaded TCG with key flips on CPU 0
 * against fork churn on CPU 1: with the keys held the guest must come
 * through, having started with CPU 0 alone and ended with both CPUs online;
 * without, it oopses on an int3 already patched away (the negative control:
 * the reproducer still reproduces with maxcpus=1, since init brings CPU 1
 * up before the unheld flips, so the held boot's pass means something).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_cmd.h"
#include "tap.h"

#define KERNEL_SPEC "debian:linux-image-6.12.*+deb12-amd64"
#define CYCLES "2000"

static char skip_why[512];
static char race_out[1 << 14];
static int race_status = -1;

static const char *boot_line(int held)
{
	char key[32];
	const char *l;

	if (skip_why[0])
		SKIP("%s", skip_why);
	snprintf(key, sizeof(key), "held=%d boot 1:", held);
	l = strstr(race_out, key);
	if (!l)
		TAP_FAIL("tcg-poke-race.sh printed no '%s' line (exit %d)", key, race_status);
	return l;
}

static char *line_copy(const char *l)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(l, "\n"), l);
	return buf;
}

TEST_TIMEOUT(held_keys_survive_the_flips, 900)
{
	const char *l = line_copy(boot_line(1));

	TH_INFO("%s", l);
	ASSERT_TRUE(strstr(l, "Oops") == NULL);
	ASSERT_SUBSTR(l, "rc=0,");
	ASSERT_SUBSTR(l, "counters_held=1");
	/* maxcpus=1: CPU 0 alone until init; nothing left to take offline */
	ASSERT_SUBSTR(l, "cpus_online_at_init=0 ");
	ASSERT_SUBSTR(l, "cpus_offlined=0 ");
	/* and the guest has every CPU of -smp 2 for the suite */
	ASSERT_SUBSTR(l, "cpus_onlined=1 ");
	ASSERT_SUBSTR(l, "cpus_online=0-1 ");
	ASSERT_EQ(race_status, 0);
}

TEST_TIMEOUT(unheld_keys_oops_under_tcg, 900)
{
	const char *l = line_copy(boot_line(0));

	TH_INFO("%s", l);
	ASSERT_SUBSTR(race_out, "accel tcg;");
	EXPECT(strstr(l, "Oops: int3") != NULL,
	       "the race did not reproduce without the held keys (%s CPU-0 cycles): the held "
	       "boot's pass proves nothing on this QEMU", CYCLES);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/pudbench-test-poke-race-XXXXXX", rm_out[256];
	char *dir = mkdtemp(tmpl);
	int rc;

	if (!dir) {
		perror("mkdtemp");
		return TAP_EXIT_FAIL;
	}
	if (!in_path("qemu-system-x86_64")) {
		snprintf(skip_why, sizeof(skip_why), "qemu-system-x86_64 not installed");
	} else {
		printf("# tcg-poke-race.sh %s (%s cycles)\n", KERNEL_SPEC, CYCLES);
		fflush(stdout);
		race_status = run_cmd((char *[]){ PB_SOURCE_DIR "/tools/vm/tcg-poke-race.sh",
						  KERNEL_SPEC, PB_BIN, "--boots", "1", "--cycles",
						  CYCLES, "--out", dir, NULL },
				      race_out, sizeof(race_out));
		for (char *save = NULL, *l = strtok_r(strdup(race_out), "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save))
			printf("# %s\n", l);
		/* a Debian mirror out of reach is what this machine lacks */
		if (race_status == 3)
			snprintf(skip_why, sizeof(skip_why), "cannot fetch %s", KERNEL_SPEC);
	}
	rc = tap_main();
	if (rc != TAP_EXIT_FAIL)
		run_cmd((char *[]){ "/bin/rm", "-rf", dir, NULL }, rm_out, sizeof(rm_out));
	return rc;
}
