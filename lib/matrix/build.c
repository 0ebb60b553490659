// SPDX-License-Identifier: MIT
#include "build.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "fetch.h"
#include "subproc.h"
#include "vm_files.h"

/* build-kernel.sh's exit statuses (its header), for the kernel's "reason" */
static const char *build_failure(int rc)
{
	switch (rc) {
	case 1: return "setup failed (build tools not installable, a damaged source package)";
	case 2: return "a patch does not apply";
	case 3: return "options of the config fragment were dropped by Kconfig";
	case 4: return "the kernel build failed";
	case 5: return "a named patch or the config fragment is missing from the project";
	case 64: return "usage";
	case PB_KERNEL_SCRIPT_UNREACHABLE: return "the Debian archive is unreachable";
	case 124: return "timeout";
	default: return "failed";
	}
}

/* Run build-kernel.sh; the image's path (its last line of stdout) into @image. */
static int run_build_script(const struct pb_matrix_run *m, const struct pb_kernel_spec *k,
			    const char *dir, char *image, size_t ilen, char *why, size_t wlen,
			    json_object *kinfo)
{
	char script[PATH_MAX + 32], log[PATH_MAX + 32], outbuf[4096], *argv[12 + 2 * 8];
	char variants[sizeof(k->configs)], files[8][PATH_MAX], *save = NULL;
	int argc = 0, nr_files = 0, rc;

	pb_format(script, sizeof(script), "%s/tools/kernel/build-kernel.sh", m->root);
	pb_format(log, sizeof(log), "%s/build-kernel.log", dir);
	argv[argc++] = script;
	argv[argc++] = "--base", argv[argc++] = (char *)k->base;
	argv[argc++] = "--arch", argv[argc++] = (char *)k->arch;
	argv[argc++] = "--patches", argv[argc++] = k->arg[0] ? (char *)k->arg : "none";
	if (k->fragment[0])
		argv[argc++] = "--fragment", argv[argc++] = (char *)k->fragment;
	/* config = debug: configs/kernel/debug.fragment (pb_kernels_conf_load() checked it) */
	pb_format(variants, sizeof(variants), "%s", k->configs);
	for (char *v = strtok_r(variants, " ", &save); v && nr_files < 8; v = strtok_r(NULL, " ", &save)) {
		pb_format(files[nr_files], PATH_MAX, "%s/configs/kernel/%s.fragment", m->root, v);
		argv[argc++] = "--config-fragment", argv[argc++] = files[nr_files++];
	}
	argv[argc] = NULL;
	fprintf(stderr, "pudbench: kernels: [%s] build-kernel.sh --base %s --arch %s --patches \"%s\"%s%s "
		"(cached: seconds; cold: ~20 min on 2 CPUs; log: %s)\n", k->label, k->base, k->arch,
		k->arg, k->configs[0] ? " config " : "", k->configs, log);
	rc = pb_spawn_wait_log(argv, outbuf, sizeof(outbuf), 3600, log);
	json_object_object_add(kinfo, "build_exit", json_object_new_int(rc));
	pb_kernel_mark_unreachable(kinfo, rc);
	if (rc) {
		pb_format(why, wlen, "build: build-kernel.sh exited %d: %s (log: %s)", rc,
			  build_failure(rc), log);
		return -1;
	}
	pb_vm_last_line(outbuf, image, ilen);
	return 0;
}

int pb_kernel_build(const struct pb_matrix_run *m, const struct pb_kernel_spec *k, const char *dir,
		    char *kdir, size_t klen, char *why, size_t wlen, json_object *kinfo)
{
	char image[PATH_MAX], env[PATH_MAX + 16], ver[128], patches[3072], cfg[80], key[40];
	char pkg[256], ident[4096], tmp[PATH_MAX], arch[32], krel[128];

	if (run_build_script(m, k, dir, image, sizeof(image), why, wlen, kinfo))
		return -1;
	pb_format(tmp, sizeof(tmp), "%s", image);
	pb_format(env, sizeof(env), "%s/build.env", dirname(tmp));
	pb_vm_env_unquoted(env, "SOURCE_VERSION", ver, sizeof(ver));
	pb_vm_env_unquoted(env, "PATCHES", patches, sizeof(patches));
	pb_vm_env_unquoted(env, "CONFIG_SHA256", cfg, sizeof(cfg));
	pb_vm_env_unquoted(env, "KEY", key, sizeof(key));
	pb_vm_env_unquoted(env, "ARCH", arch, sizeof(arch));
	pb_vm_env_unquoted(env, "KREL", krel, sizeof(krel));
	if (!ver[0] || !cfg[0]) {
		pb_format(why, wlen, "build: %s lacks SOURCE_VERSION or CONFIG_SHA256", env);
		return -1;
	}
	/* the package name carries the base, the patch names and the config variants:
	 * "linux-source-7.3+mprotect-pud+8001@debug" */
	pb_format(pkg, sizeof(pkg), "linux-source-%s", k->base);
	pb_format(tmp, sizeof(tmp), "%s", k->arg);
	for (char *save = NULL, *p = strtok_r(tmp, " ", &save); p;
	     p = strtok_r(NULL, " ", &save))
		pb_format(pkg + strlen(pkg), sizeof(pkg) - strlen(pkg), "+%s", p);
	pb_format(tmp, sizeof(tmp), "%s", k->configs);
	for (char *save = NULL, *p = strtok_r(tmp, " ", &save); p;
	     p = strtok_r(NULL, " ", &save))
		pb_format(pkg + strlen(pkg), sizeof(pkg) - strlen(pkg), "@%s", p);
	pb_format(ident, sizeof(ident),
		  "PACKAGE=%s\nVERSION=%s\nSOURCE_VERSION=%s\nPATCHES=\"%s\"\nCONFIG_SHA256=%s\n"
		  "BUILD_KEY=%s\nARCH=%s\n", pkg, ver, ver, patches, cfg, key, arch[0] ? arch : "x86_64");
	pb_format(kdir, klen, "%s/kernel", dir);
	/* an x86_64 bzImage names its release itself; another architecture's image is an ELF vmlinux */
	if (arch[0] && strcmp(arch, "x86_64"))
		return pb_kernel_dir_from_image(image, krel, kdir, ident, why, wlen);
	return pb_kernel_dir_from_bzimage(image, kdir, ident, why, wlen);
}
