/* SPDX-License-Identifier: MIT */
/*
 * The matrix's one accelerator: every kernel boots under the same, KVM or
 * TCG, chosen once before the first boot and kept with its reason in
 * matrix.json (accel, accel_reason) and each kernel's results.
 */
#ifndef PUDBENCH_ACCEL_H
#define PUDBENCH_ACCEL_H

#include <stddef.h>

#include "matrix_run.h"

/* --accel (@cli >= 0) over [matrix] accel of @config; which of them said so, for the reason. */
void pb_matrix_accel_mode(struct pb_matrix_run *m, int cli, const char *config);

/*
 * The accelerator, chosen with the first kernel that got this far (@kdir,
 * @initrd boot tools/vm/accel-probe.sh): TCG when asked, else the probe's
 * verdict, which accel = kvm must confirm: a KVM that does not work then
 * fails every kernel rather than run them somewhere else than asked.
 * 0, or -1 with @why when no kernel is booted.
 */
int pb_matrix_choose_accel(struct pb_matrix_run *m, const char *kdir, const char *initrd,
			   char *why, size_t wlen);

#endif
