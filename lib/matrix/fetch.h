/* SPDX-License-Identifier: MIT */
/*
 * A kernel's directory for a boot: what tools/vm/boot.sh takes as --kernel,
 * with a kernel.env (KREL, VMLINUZ, MODDIR and the keys that name the kernel)
 * as tools/vm/fetch-kernel.sh writes it.  debian: specs are fetched by that
 * script into the cache, bzimage: specs get a directory of their own, build:
 * specs are built first (build.h).
 */
#ifndef PUDBENCH_FETCH_H
#define PUDBENCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "matrix_run.h"

/* fetch-kernel.sh and build-kernel.sh: the archive could not be reached */
#define PB_KERNEL_SCRIPT_UNREACHABLE 75
/* ... and refused its arguments (sysexits EX_USAGE) */
#define PB_KERNEL_SCRIPT_USAGE 64

/*
 * The directory of kernel @k into @kdir (under @dir, the kernel's output
 * directory, or in the cache).  0, or -1 with @why; the scripts' exit
 * statuses go into @kinfo, its matrix.json entry.
 */
int pb_kernel_fetch(const struct pb_matrix_run *m, const struct pb_kernel_spec *k, const char *dir,
		    char *kdir, size_t klen, char *why, size_t wlen, json_object *kinfo);

/*
 * @kdir for a local bzImage @image: kernel.env, no modules.  @ident:
 * PACKAGE=, VERSION= and more lines naming a kernel built here; NULL: the
 * image's path and sha256 name it.  0, or -1 with @why.
 */
int pb_kernel_dir_from_bzimage(const char *image, const char *kdir, const char *ident, char *why,
			       size_t wlen);
/* The same for an image whose release @krel is known (a built ppc64le vmlinux, an ELF). */
int pb_kernel_dir_from_image(const char *image, const char *krel, const char *kdir,
			     const char *ident, char *why, size_t wlen);

/* The one failure a test may skip on: this machine cannot reach the archive. */
void pb_kernel_mark_unreachable(json_object *kinfo, int script_rc);

/* The keys of @kdir/kernel.env that name the kernel into @kinfo (package, version, krel ...). */
void pb_kernel_ident_read(const char *kdir, json_object *kinfo);

/* Is @json_key one of those keys of a matrix.json entry? */
bool pb_kernel_ident_key(const char *json_key);

/* @kdir/kernel.env and the kernel's LABEL= and SPEC= into @dir/kernel.env. */
int pb_kernel_env_copy(const char *kdir, const char *dir, const struct pb_kernel_spec *k);

#endif
