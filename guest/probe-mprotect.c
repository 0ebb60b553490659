// SPDX-License-Identifier: MIT
/*
 * probe-mprotect: throwaway guest probe.  Maps 1 GiB of a device-dax
 * MAP_SHARED at a 1 GiB-aligned address, touches it, flips it to PROT_READ
 * and back, and reports the minor-fault deltas of each step.
 *
 *   probe-mprotect [--dev /dev/dax0.0] [--stride BYTES]
 *
 * With a PUD mapping the first touch costs one fault.  A kernel that drops
 * the PUD on mprotect (v6.1: "bad pud" + clear) refaults afterwards; one
 * that changes it in place (v6.12 change_huge_pud) does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define SZ_1G (1UL << 30)

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static long vmstat(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static volatile unsigned long sink;

static void touch(volatile char *p, size_t len, size_t stride, int write)
{
	for (size_t off = 0; off < len; off += stride) {
		if (write)
			p[off] = (char)off;
		else
			sink += (unsigned char)p[off];
	}
}

/* Reserve 2 GiB, keep a 1 GiB-aligned 1 GiB hole, map the device there. */
static void *map_aligned(int fd)
{
	char *res = mmap(NULL, 2 * SZ_1G, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (res == MAP_FAILED)
		return MAP_FAILED;
	a = (char *)(((uintptr_t)res + SZ_1G - 1) & ~(SZ_1G - 1));
	munmap(res, 2 * SZ_1G);
	return mmap(a, SZ_1G, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		    fd, 0);
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/dax0.0";
	size_t stride = 2UL << 20;
	long f0, f1, f2, f3, f4, s0;
	char *p;
	int fd, c;

	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "stride", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	while ((c = getopt_long(argc, argv, "d:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 's': stride = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [--dev DEV] [--stride BYTES]\n",
				argv[0]);
			return 1;
		}
	}
	if (!stride)
		stride = 4096;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	p = map_aligned(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap %s: %s\n", dev, strerror(errno));
		return 1;
	}
	printf("map addr=%p aligned_1g=%d stride=%zu\n", (void *)p,
	       ((uintptr_t)p & (SZ_1G - 1)) == 0, stride);

	s0 = vmstat("thp_split_pud");
	f0 = minflt();
	touch(p, SZ_1G, stride, 1);
	f1 = minflt();
	printf("first_touch_write minflt=%ld\n", f1 - f0);

	if (mprotect(p, SZ_1G, PROT_READ)) {
		perror("mprotect(PROT_READ)");
		return 1;
	}
	f1 = minflt();
	touch(p, SZ_1G, stride, 0);
	f2 = minflt();
	printf("after_mprotect_ro_read minflt=%ld\n", f2 - f1);

	if (mprotect(p, SZ_1G, PROT_READ | PROT_WRITE)) {
		perror("mprotect(PROT_READ|PROT_WRITE)");
		return 1;
	}
	f2 = minflt();
	touch(p, SZ_1G, stride, 0);
	f3 = minflt();
	printf("after_mprotect_rw_read minflt=%ld\n", f3 - f2);
	touch(p, SZ_1G, stride, 1);
	f4 = minflt();
	printf("after_mprotect_rw_write minflt=%ld\n", f4 - f3);
	printf("thp_split_pud delta=%ld\n",
	       s0 < 0 ? -1 : vmstat("thp_split_pud") - s0);

	munmap(p, SZ_1G);
	close(fd);
	return 0;
}
