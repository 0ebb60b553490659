// SPDX-License-Identifier: MIT
#include "accel.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "matrix_status.h"
#include "subproc.h"
#include "vm_files.h"

void pb_matrix_accel_mode(struct pb_matrix_run *m, int cli, const char *config)
{
	m->accel_mode = cli >= 0 ? (enum pb_kernels_conf_accel)cli : m->kc->accel;
	if (cli >= 0)
		pb_format(m->accel_source, sizeof(m->accel_source), "--accel %s",
			  pb_kernels_conf_accel_name(m->accel_mode));
	else
		pb_format(m->accel_source, sizeof(m->accel_source), "[matrix] accel = %s in %s",
			  pb_kernels_conf_accel_name(m->accel_mode), config);
}

/* The matrix's accelerator into matrix.json, once, and on stderr. */
static void set_accel(struct pb_matrix_run *m, const char *accel, const char *reason)
{
	pb_format(m->accel, sizeof(m->accel), "%s", accel ? accel : "");
	pb_format(m->accel_reason, sizeof(m->accel_reason), "%s", reason);
	pb_matrix_status_set(m->matrix, "accel", accel);
	pb_matrix_status_set(m->matrix, "accel_reason", reason);
	pb_matrix_status_save(m);
	if (accel)
		fprintf(stderr, "pudbench: kernels: accel %s: %s\n", accel, reason);
	else
		fprintf(stderr, "pudbench: kernels: ERROR: no kernel is booted: %s\n", reason);
}

/* The matrix maps 1 GiB pages: the guest's CPU needs pdpe1gb. */
static bool needs_1g(const struct pb_kernels_conf *kc)
{
	for (unsigned a = 0; a < kc->nr_aligns; a++)
		if (!strcmp(kc->aligns[a], "1G"))
			return true;
	return kc->hugepages_1g > 0;
}

/* tools/vm/accel-probe.sh's verdict: "kvm" or "tcg" into @accel (8 bytes), and why; -1 if none. */
static int run_probe(const struct pb_matrix_run *m, const char *kdir, const char *initrd,
		     char *accel, char *reason, size_t rlen)
{
	char script[PATH_MAX + 32], probe_out[PATH_MAX + 16], outbuf[2048] = "", *line2;
	char *argv[] = { script, "--kernel", (char *)kdir, "--initrd", (char *)initrd, "--out",
			 probe_out, needs_1g(m->kc) ? "--need-1g" : NULL, NULL };
	int rc;

	pb_format(script, sizeof(script), "%s/tools/vm/accel-probe.sh", m->root);
	pb_format(probe_out, sizeof(probe_out), "%s/accel-probe", m->out);
	fprintf(stderr, "pudbench: kernels: probing KVM (seconds; cached per host and QEMU; %s)\n",
		probe_out);
	rc = pb_spawn_wait(argv, outbuf, sizeof(outbuf), 600);
	line2 = strchr(outbuf, '\n');
	if (rc || !line2 || strncmp(line2, "\nreason: ", 9) ||
	    (strncmp(outbuf, "kvm\n", 4) && strncmp(outbuf, "tcg\n", 4))) {
		pb_format(reason, rlen, "accel-probe.sh exited %d without a verdict", rc);
		return -1;
	}
	line2 += 9;
	line2[strcspn(line2, "\n")] = '\0';
	pb_format(accel, 8, "%.3s", outbuf);
	pb_format(reason, rlen, "%s", line2);
	return 0;
}

int pb_matrix_choose_accel(struct pb_matrix_run *m, const char *kdir, const char *initrd,
			   char *why, size_t wlen)
{
	char accel[8], reason[1024], msg[sizeof(m->accel_reason)];

	if (!m->accel[0] && !m->accel_refused) {
		if (m->accel_mode == PB_KERNELS_CONF_ACCEL_TCG) {
			set_accel(m, "tcg", m->accel_source);
		} else if (run_probe(m, kdir, initrd, accel, reason, sizeof(reason))) {
			m->accel_refused = true;
			set_accel(m, NULL, reason);
		} else if (m->accel_mode == PB_KERNELS_CONF_ACCEL_AUTO) {
			set_accel(m, accel, reason);
		} else if (!strcmp(accel, "kvm")) {
			pb_format(msg, sizeof(msg), "%s; the probe: %s", m->accel_source, reason);
			set_accel(m, "kvm", msg);
		} else {
			pb_format(msg, sizeof(msg), "%s, but KVM does not work here: %s",
				  m->accel_source, reason);
			m->accel_refused = true;
			set_accel(m, NULL, msg);
		}
	}
	if (m->accel_refused)
		pb_format(why, wlen, "not booted: %s", m->accel_reason);
	return m->accel_refused ? -1 : 0;
}
