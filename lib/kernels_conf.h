/* SPDX-License-Identifier: MIT */
/*
 * Kernel matrix configuration (configs/kernels-*.conf), parsed with libinih:
 *
 *   [matrix]
 *   suite = vm-quick.conf   ; run in each guest; relative to this file's dir
 *   aligns = 1G, 2M         ; devdax alignments, one run each
 *   timeout_s = 600         ; per boot
 *   numa = 1                ; 2: two nodes, the NVDIMM on the second
 *   [kernel:LABEL]
 *   spec = debian:<package>[=<version>] | bzimage:<path> | build:... (reserved)
 *
 * Unknown sections and keys are errors, named "FILE:LINE: key 'K' in [S]: WHAT".
 */
#ifndef PUDBENCH_KERNELS_CONF_H
#define PUDBENCH_KERNELS_CONF_H

#include <limits.h>
#include <stddef.h>

#define PB_KC_MAX_KERNELS 16
#define PB_KC_MAX_ALIGNS 3
#define PB_KC_LABEL_MAX 48

enum pb_kspec_kind { PB_KSPEC_DEBIAN, PB_KSPEC_BZIMAGE };

struct pb_kernel_spec {
	char label[PB_KC_LABEL_MAX];
	char spec[PATH_MAX];		/* as written */
	enum pb_kspec_kind kind;
	char arg[PATH_MAX];		/* after "debian:"; bzimage: resolved path */
	int line;			/* of the [kernel:LABEL] header */
};

struct pb_kernels_conf {
	char path[PATH_MAX];
	char suite[PATH_MAX];		/* resolved against the file's directory */
	unsigned nr_aligns;
	char aligns[PB_KC_MAX_ALIGNS][4];	/* "1G", "2M", "4K" */
	unsigned timeout_s;
	unsigned numa;			/* 1 or 2 */
	unsigned nr_kernels;
	struct pb_kernel_spec kernels[PB_KC_MAX_KERNELS];
};

/* 0, or -1 with one line in @err. */
int pb_kernels_conf_load(struct pb_kernels_conf *kc, const char *path, char *err, size_t errlen);

/* Bytes of an align name ("1G" -> 1<<30), 0 if unknown. */
unsigned long pb_kc_align_bytes(const char *name);

#endif
