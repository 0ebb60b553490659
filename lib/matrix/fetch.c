// SPDX-License-Identifier: MIT
#include "fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "matrix_status.h"
#include "record.h"
#include "results.h"
#include "subproc.h"
#include "vm_files.h"

/*
 * KREL of a bzImage from its setup header: "HdrS" at 0x202, the offset of
 * the version string (minus 0x200) at 0x20e.
 */
static bool bzimage_release(const char *path, char *out, size_t len)
{
	unsigned char hdr[0x210];
	char ver[256];
	FILE *f = fopen(path, "rb");
	bool ok = false;

	if (!f)
		return false;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && !memcmp(hdr + 0x202, "HdrS", 4)) {
		long off = 0x200 + (hdr[0x20e] | hdr[0x20f] << 8);

		if (!fseek(f, off, SEEK_SET) && fgets(ver, sizeof(ver), f)) {
			ver[strcspn(ver, " ")] = '\0';
			pb_format(out, len, "%s", ver);
			ok = ver[0] != '\0';
		}
	}
	fclose(f);
	return ok;
}

int pb_kernel_dir_from_bzimage(const char *image, const char *kdir, const char *ident, char *why,
			       size_t wlen)
{
	char krel[128];

	if (!bzimage_release(image, krel, sizeof(krel))) {
		pb_format(why, wlen, "bzimage: %s is not a readable bzImage", image);
		return -1;
	}
	return pb_kernel_dir_from_image(image, krel, kdir, ident, why, wlen);
}

int pb_kernel_dir_from_image(const char *image, const char *krel, const char *kdir,
			     const char *ident, char *why, size_t wlen)
{
	char sum[256] = "", path[PATH_MAX + 16];
	char *argv[] = { "/usr/bin/sha256sum", (char *)image, NULL };
	FILE *f;

	if (!krel[0]) {
		pb_format(why, wlen, "build: no KREL for %s", image);
		return -1;
	}
	if (pb_spawn_wait(argv, sum, sizeof(sum), 120)) {
		pb_format(why, wlen, "bzimage: sha256sum %s failed", image);
		return -1;
	}
	sum[strcspn(sum, " \n")] = '\0';
	pb_format(path, sizeof(path), "%s/kernel.env", kdir);
	if (pb_mkdir_p(kdir) || !(f = fopen(path, "w"))) {
		pb_format(why, wlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	/* VERSION: the image's sha256, the exact identity of a local build */
	if (ident)
		fprintf(f, "%s", ident);
	else
		fprintf(f, "PACKAGE=bzimage:%s\nVERSION=sha256:%s\n", image, sum);
	fprintf(f, "IMAGE_SHA256=%s\nKREL=%s\nVMLINUZ=%s\nMODDIR=\n", sum, krel, image);
	return fclose(f) ? -1 : 0;
}

void pb_kernel_mark_unreachable(json_object *kinfo, int script_rc)
{
	if (script_rc == PB_KERNEL_SCRIPT_UNREACHABLE)
		json_object_object_add(kinfo, "unreachable", json_object_new_boolean(1));
}

int pb_kernel_fetch(const struct pb_matrix_run *m, const struct pb_kernel_spec *k, const char *dir,
		    char *kdir, size_t klen, char *why, size_t wlen, json_object *kinfo)
{
	char script[PATH_MAX + 32], outbuf[4096];
	int rc;

	if (k->kind == PB_KSPEC_BZIMAGE) {
		pb_format(kdir, klen, "%s/kernel", dir);
		return pb_kernel_dir_from_bzimage(k->arg, kdir, NULL, why, wlen);
	}
	if (k->kind == PB_KSPEC_BUILD)
		return pb_kernel_build(m, k, dir, kdir, klen, why, wlen, kinfo);
	pb_format(script, sizeof(script), "%s/tools/vm/fetch-kernel.sh", m->root);
	rc = pb_spawn_wait((char *[]){ script, (char *)k->arg, (char *)m->cache, NULL }, outbuf,
			   sizeof(outbuf), 3600);
	json_object_object_add(kinfo, "fetch_exit", json_object_new_int(rc));
	pb_kernel_mark_unreachable(kinfo, rc);
	if (rc) {
		pb_format(why, wlen, "fetch: fetch-kernel.sh %s exited %d%s (see stderr above)", k->arg,
			  rc, rc == PB_KERNEL_SCRIPT_UNREACHABLE ?
			  ": the Debian archive is unreachable" : "");
		return -1;
	}
	/* the kernel dir is its last line of stdout */
	pb_vm_last_line(outbuf, kdir, klen);
	return 0;
}

/* What names a kernel: kernel.env key -> matrix.json and results "kernel" key. */
static const struct {
	const char *env, *json;
} ident_keys[] = {
	{ "PACKAGE", "package" }, { "VERSION", "version" }, { "KREL", "krel" },
	{ "SOURCE_VERSION", "source_version" }, { "PATCHES", "patches" },
	{ "CONFIG_SHA256", "config_sha256" }, { "BUILD_KEY", "build_key" },
	{ "LINUX_BASE", "linux_base" }, { "MODULES_BUILTIN", "modules_builtin" },
	{ "ARCH", "arch" },
};
#define NR_IDENT (sizeof(ident_keys) / sizeof(*ident_keys))

void pb_kernel_ident_read(const char *kdir, json_object *kinfo)
{
	char path[PATH_MAX + 16], val[4096];	/* PATCHES: every series and bench/test patch by name */

	pb_format(path, sizeof(path), "%s/kernel.env", kdir);
	for (size_t e = 0; e < NR_IDENT; e++)
		if (pb_vm_env_unquoted(path, ident_keys[e].env, val, sizeof(val)))
			pb_matrix_status_set(kinfo, ident_keys[e].json, val);
}

bool pb_kernel_ident_key(const char *json_key)
{
	for (size_t e = 0; e < NR_IDENT; e++)
		if (!strcmp(json_key, ident_keys[e].json))
			return true;
	return false;
}

int pb_kernel_env_copy(const char *kdir, const char *dir, const struct pb_kernel_spec *k)
{
	char src[PATH_MAX + 16], dst[PATH_MAX + 16], *env;
	FILE *f;

	pb_format(src, sizeof(src), "%s/kernel.env", kdir);
	pb_format(dst, sizeof(dst), "%s/kernel.env", dir);
	if (!(env = pb_slurp(src, NULL)) || !(f = fopen(dst, "w"))) {
		free(env);
		return -1;
	}
	fprintf(f, "%sLABEL=%s\nSPEC=%s\n", env, k->label, k->spec);
	free(env);
	return fclose(f);
}
