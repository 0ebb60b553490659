// SPDX-License-Identifier: MIT
#include "env.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "counters.h"
#include "placement.h"
#include "sysfs.h"
#include "timing.h"

#ifndef PUDBENCH_GIT_REV
#define PUDBENCH_GIT_REV "unknown"
#endif

/*
 * The VM runner names the accelerator on the kernel command line; without
 * it, the hypervisor's CPUID signature tells (QEMU TCG: "TCGTCGTCGTCG").
 */
const char *pb_virtualization(void)
{
	static char virt[64];
	unsigned a, b, c, d;
	char cmdline[4096], *p, sig[13];

	if (virt[0])
		return virt;
	if (!pb_sysfs_read_str("/proc/cmdline", cmdline, sizeof(cmdline)) &&
	    (p = strstr(cmdline, "pudbench.accel="))) {
		sscanf(p + strlen("pudbench.accel="), "%31[a-z0-9]", virt);
		return virt;
	}
#if defined(__x86_64__) || defined(__i386__)
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31))) {
		strcpy(virt, "none");
		return virt;
	}
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (int i = 11; i >= 0 && (sig[i] == ' ' || sig[i] == '\0'); i--)
		sig[i] = '\0';
	if (!strcmp(sig, "TCGTCGTCGTCG"))
		strcpy(virt, "tcg");
	else if (!strncmp(sig, "KVMKVMKVM", 9))
		strcpy(virt, "kvm");
	else
		snprintf(virt, sizeof(virt), "other:%s", sig);
#else
	/* no CPUID: only the VM runner's cmdline tells (a ppc64le guest has it) */
	(void)a, (void)b, (void)c, (void)d, (void)sig;
	strcpy(virt, "unknown");
#endif
	return virt;
}

static void add_file(json_object *o, const char *key, const char *path)
{
	char buf[4096];

	json_object_object_add(o, key, pb_sysfs_read_str(path, buf, sizeof(buf)) ?
			       NULL : json_object_new_string(buf));
}

/*
 * Does the CPU have @flag (null: /proc/cpuinfo unreadable)?  For invlpgb
 * only the feature: whether the kernel flushed with it is not visible.
 */
static json_object *cpu_flag_or_null(const char *flag)
{
	int has = pb_cpuinfo_has_flag(flag);

	return has < 0 ? NULL : json_object_new_boolean(has);
}

static json_object *cpu_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL, *colon;
	size_t cap = 0;
	json_object *model = NULL;

	if (!f)
		return NULL;
	while (!model && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "model name", 10) || !(colon = strchr(line, ':')))
			continue;
		colon[strcspn(colon, "\n")] = '\0';
		model = json_object_new_string(colon + 2);
	}
	free(line);
	fclose(f);
	return model;
}

json_object *pb_env_json(const struct pb_config *cfg)
{
	json_object *env = json_object_new_object(), *uts_o = json_object_new_object();
	struct utsname uts;
	char host[256];

	uname(&uts);
	json_object_object_add(env, "kernel_release", json_object_new_string(uts.release));
	json_object_object_add(uts_o, "sysname", json_object_new_string(uts.sysname));
	json_object_object_add(uts_o, "release", json_object_new_string(uts.release));
	json_object_object_add(uts_o, "version", json_object_new_string(uts.version));
	json_object_object_add(uts_o, "machine", json_object_new_string(uts.machine));
	json_object_object_add(env, "uname", uts_o);
	gethostname(host, sizeof(host));
	json_object_object_add(env, "hostname", json_object_new_string(host));
	add_file(env, "kernel_cmdline", "/proc/cmdline");
	json_object_object_add(env, "cpu_model", cpu_model());
	json_object_object_add(env, "nr_cpus", json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_object_add(env, "numa_nodes", json_object_new_int(pb_numa_nodes()));
	json_object_object_add(env, "virtualization", json_object_new_string(pb_virtualization()));
	json_object_object_add(env, "suite_git_revision", json_object_new_string(
		getenv("PUDBENCH_GIT_REV") ? getenv("PUDBENCH_GIT_REV") : PUDBENCH_GIT_REV));
	add_file(env, "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	add_file(env, "perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid");
	json_object_object_add(env, "tracefs", pb_tracefs_path() ?
			       json_object_new_string(pb_tracefs_path()) : NULL);
	json_object_object_add(env, "pdpe1gb", json_object_new_boolean(pb_cpuinfo_has_flag("pdpe1gb") == 1));
	json_object_object_add(env, "invlpgb", cpu_flag_or_null("invlpgb"));
	/* the test kernel's 9002 knob (null: not this kernel, or no debugfs) */
	add_file(env, "unshare_skip_lazy_ipi", "/sys/kernel/debug/pudbench/unshare_skip_lazy_ipi");
	json_object_object_add(env, "timer_overhead_ns", json_object_new_double(pb_timer_overhead_ns()));
	json_object_object_add(env, "config", pb_config_json(cfg));
	return env;
}
