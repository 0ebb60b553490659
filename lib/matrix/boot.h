/* SPDX-License-Identifier: MIT */
/*
 * One boot of one kernel of the matrix: its kernel directory (fetch.h), the
 * guest initramfs (tools/vm/mkinitramfs.sh with this binary, dax-setup, the
 * runner and the suite), the accelerator (accel.h), tools/vm/boot.sh, the
 * console and accel.txt moved beside the results, the results (collect.h)
 * and the kernel's matrix.json entry: ok, or failed with why.
 */
#ifndef PUDBENCH_BOOT_H
#define PUDBENCH_BOOT_H

#include <json-c/json.h>

#include "matrix_run.h"

/*
 * Boot @boot (0-based) of kernel @i, @kinfo its matrix.json entry; its
 * results into @m->docs[i].  Progress and failures go to stderr.
 */
void pb_kernel_boot(struct pb_matrix_run *m, unsigned i, json_object *kinfo, unsigned boot);

#endif
