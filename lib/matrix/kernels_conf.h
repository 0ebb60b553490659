/* SPDX-License-Identifier: MIT */
/*
 * Kernel matrix configuration (configs/kernels-*.conf), parsed with libinih:
 *
 *   [matrix]
 *   suite = vm-quick.conf   ; run in each guest; relative to this file's dir
 *   aligns = 1G, 2M         ; devdax alignments, one run each
 *   timeout_s = 600         ; per boot
 *   numa = 1                ; 2: two nodes, the NVDIMM on the second
 *   pmem_gib = 4            ; size of the emulated NVDIMM (sparse file)
 *   hugepages_1g = 0        ; 1 GiB hugetlb pages reserved at boot (cmdline)
 *   cpus = 2                ; vCPUs (boot.sh --smp), 1..8: the built kernels'
 *                           ; CONFIG_NR_CPUS (configs/kernel/pudbench.fragment)
 *   boots = 1               ; boots per kernel, interleaved A B A B; their
 *                           ; spread is the between-run spread
 *   accel = auto            ; auto: tools/vm/accel-probe.sh chooses KVM or TCG
 *                           ; once; kvm: the same probe must pass or the
 *                           ; matrix fails; tcg: no probe
 *   [kernel:LABEL]
 *   spec = debian:[<suite>/]<package>[=<version>] | bzimage:<path> | build:[<base>:]<patches>
 *   fragment = kernel/pudbench.fragment   ; build: only, relative to this file
 *   config = debug, soft-dirty            ; build: only: configs/kernel/NAME.fragment
 *                                         ; merged in order on top of the fragment
 *   arch = ppc64le                        ; build: only: the architecture
 *                                         ; (x86_64, the default, or ppc64le);
 *                                         ; boot.sh picks QEMU's machine by it
 *   suite = vm-safety-knob.conf           ; this kernel's suite instead of [matrix]'s
 *   debugfs = unshare_skip_lazy_ipi=Y     ; a test kernel's knob under
 *                                         ; /sys/kernel/debug/pudbench/, set in
 *                                         ; the guest before the suite (missing: fail)
 *
 * build:7.3:mprotect-pud,8001 builds Debian's linux-source-7.3 with every
 * patch of the series patches/7.3/mprotect-pud/ in order, then the
 * bench-only bench/kernel-patches/7.3/8001-*.patch, through
 * tools/kernel/build-kernel.sh --base 7.3 (build:7.3:none = no patch).  A
 * name is a series (a directory of patches/<base>/), one patch of it
 * (SERIES/NNNN), or a number of bench/kernel-patches/<base>/ (8xxx) or
 * tests/kernel-patches/<base>/ (9xxx, test-only); each must select exactly
 * one.  Without a base (build:mprotect-pud) the base is
 * PB_KERNELS_CONF_DEFAULT_BASE.
 *
 * @root is the checkout (for patches/): pb_kernels_conf_load() checks build:
 * bases and names against it when it is not NULL.
 *
 * Unknown sections and keys are errors, named "FILE:LINE: key 'K' in [S]: WHAT".
 */
#ifndef PUDBENCH_KERNELS_CONF_H
#define PUDBENCH_KERNELS_CONF_H

#include <limits.h>
#include <stddef.h>

#define PB_KERNELS_CONF_MAX_KERNELS 16
#define PB_KERNELS_CONF_MAX_ALIGNS 3
#define PB_KERNELS_CONF_LABEL_MAX 48
#define PB_KERNELS_CONF_MAX_BOOTS 20
#define PB_KERNELS_CONF_BASE_MAX 16
#define PB_KERNELS_CONF_ARCH_MAX 16
/* the architectures a build: kernel can have (build-kernel.sh --arch), the default first */
#define PB_KERNELS_CONF_ARCHES "x86_64", "ppc64le"
/* the base of a build: spec that names none: today's newest stable */
#define PB_KERNELS_CONF_DEFAULT_BASE "7.3"

enum pb_kspec_kind { PB_KSPEC_DEBIAN, PB_KSPEC_BZIMAGE, PB_KSPEC_BUILD };

enum pb_kernels_conf_accel {
	PB_KERNELS_CONF_ACCEL_AUTO,
	PB_KERNELS_CONF_ACCEL_KVM,
	PB_KERNELS_CONF_ACCEL_TCG,
};

#define PB_KERNELS_CONF_DEBUGFS_MAX 64
#define PB_KERNELS_CONF_CONFIGS_MAX 128

struct pb_kernel_spec {
	char label[PB_KERNELS_CONF_LABEL_MAX];
	char spec[PATH_MAX];		/* as written */
	enum pb_kspec_kind kind;
	char arg[PATH_MAX];		/* after "debian:"; bzimage: resolved path;
					 * build: the patches, space-separated ("" = none) */
	char base[PB_KERNELS_CONF_BASE_MAX];	/* build: only: "7.3", "6.12" */
	char fragment[PATH_MAX];	/* build: only; "" = build-kernel.sh's default */
	/* build: only: the config variants ("debug soft-dirty"), "" = none */
	char configs[PB_KERNELS_CONF_CONFIGS_MAX];
	char arch[PB_KERNELS_CONF_ARCH_MAX];	/* PB_KERNELS_CONF_ARCHES; build: may set another */
	char suite[PATH_MAX];		/* this kernel's suite; "" = [matrix] suite */
	/* "NAME=VALUE": written to /sys/kernel/debug/pudbench/NAME before the suite; "" = none */
	char debugfs[PB_KERNELS_CONF_DEBUGFS_MAX];
	int line;			/* of the [kernel:LABEL] header */
};

/* configs/kernel/pudbench.fragment's CONFIG_NR_CPUS: a built kernel runs no more */
#define PB_KERNELS_CONF_MAX_CPUS 8

struct pb_kernels_conf {
	char path[PATH_MAX];
	char suite[PATH_MAX];		/* resolved against the file's directory */
	unsigned nr_aligns;
	char aligns[PB_KERNELS_CONF_MAX_ALIGNS][4];	/* "1G", "2M", "4K" */
	unsigned timeout_s;
	unsigned numa;			/* 1 or 2 */
	unsigned pmem_gib;		/* NVDIMM size: the largest devdax case + 1 GiB */
	unsigned hugepages_1g;		/* hugepagesz=1G hugepages=N on the guest cmdline */
	unsigned cpus;			/* vCPUs, 1..PB_KERNELS_CONF_MAX_CPUS */
	unsigned boots;			/* per kernel, interleaved: round 1 of all, round 2, ... */
	enum pb_kernels_conf_accel accel;
	unsigned nr_kernels;
	struct pb_kernel_spec kernels[PB_KERNELS_CONF_MAX_KERNELS];
};

/* 0, or -1 with one line in @err. */
int pb_kernels_conf_load(struct pb_kernels_conf *kc, const char *path, const char *root,
			 char *err, size_t errlen);

/* The suite config kernel @i runs. */
const char *pb_kernels_conf_suite(const struct pb_kernels_conf *kc, unsigned i);

/* "auto", "kvm", "tcg" <-> enum pb_kernels_conf_accel; -1 if unknown. */
int pb_kernels_conf_accel_parse(const char *name);
const char *pb_kernels_conf_accel_name(enum pb_kernels_conf_accel accel);

/* Bytes of an align name ("1G" -> 1<<30), 0 if unknown. */
unsigned long pb_kernels_conf_align_bytes(const char *name);

#endif
