// SPDX-License-Identifier: MIT
/* A bisect's measurement of one version: its boot, or a recorded value (see bisect_boot.h). */
#define _GNU_SOURCE
#include "bisect_boot.h"

#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "fetch.h"
#include "matrix_run.h"
#include "metrics.h"
#include "record.h"
#include "subproc.h"
#include "vm_files.h"

static void version_dir(const struct pb_bisect_boot *bb, const struct pb_bisect_version *v,
			char *dir, size_t len)
{
	pb_format(dir, len, "%s/boots/%s_%s", bb->out, v->package, v->version);
}

/* The kernel's label in its one-kernel matrix: its version in the characters a label takes. */
static void version_label(const struct pb_bisect_version *v, char *label, size_t len)
{
	pb_format(label, len, "%s", v->version);
	for (char *c = label; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
			*c = '_';
}

/* The cases of @doc, for the error that names a case it lacks. */
static void list_cases(json_object *doc, char *buf, size_t len)
{
	size_t used = 0;
	char name[PB_CASE_NAME_MAX];

	buf[0] = '\0';
	for (size_t i = 0; i < pb_jlen(pb_jget(doc, "results")) && used + 1 < len; i++) {
		pb_record_case_name(pb_jidx(pb_jget(doc, "results"), i), name, sizeof(name));
		if (!strstr(buf, name))
			used += (size_t)snprintf(buf + used, len - used, "\n  %s", name);
	}
}

/* The metric of the case in a boot's results @doc into @v.  -1: the suite has no such case. */
static int value_from_doc(struct pb_bisect_boot *bb, json_object *doc, const char *where,
			  struct pb_bisect_version *v)
{
	json_object *rec = pb_record_find(doc, bb->case_name);
	char cases[1536];

	v->outcome = PB_BISECT_FAILED;
	if (!rec && pb_jlen(pb_jget(doc, "failures"))) {
		pb_format(v->why, sizeof(v->why), "case not measured: %zu failure(s) in %s",
			  pb_jlen(pb_jget(doc, "failures")), where);
		return 0;
	}
	if (!rec) {
		list_cases(doc, cases, sizeof(cases));
		pb_format(bb->fatal, sizeof(bb->fatal), "case '%s' is not in %s; its cases:%s",
			  bb->case_name, where, cases[0] ? cases : " none");
		bb->fatal_exit = PB_EXIT_USAGE;
		return -1;
	}
	v->value = pb_metric_get(pb_jget(rec, "per_sample"), bb->metric_idx);
	if (isnan(v->value))
		pb_format(v->why, sizeof(v->why), "%s is null in %s",
			  pb_metric_all(bb->metric_idx)->key, where);
	else
		v->outcome = PB_BISECT_VALUE;
	return 0;
}

/*
 * A failed kernel entry @k of matrix.json: failed, or incomplete packages.
 * -1 when no other version would fare better (the archive unreachable, a
 * spec the script refuses, no QEMU): the search stops on it.
 */
static int outcome_failed(struct pb_bisect_boot *bb, json_object *k, struct pb_bisect_version *v)
{
	json_object *rc = pb_jget(k, "fetch_exit");
	int fetch_rc = rc ? json_object_get_int(rc) : 0;
	const char *why = pb_jstr(k, "reason", "failed");

	if (fetch_rc == PB_KERNEL_SCRIPT_UNREACHABLE || fetch_rc == PB_KERNEL_SCRIPT_USAGE ||
	    strstr(why, "qemu-system-x86_64 not found")) {
		pb_format(bb->fatal, sizeof(bb->fatal), "%s=%s: %s", v->package, v->version, why);
		bb->fatal_exit = PB_EXIT_FAILED;
		return -1;
	}
	v->outcome = fetch_rc == PB_BISECT_FETCH_INCOMPLETE ? PB_BISECT_INCOMPLETE :
		     PB_BISECT_FAILED;
	pb_format(v->why, sizeof(v->why), "%s", why);
	return 0;
}

/* An earlier run's boot of @v in @dir under the same config: 1 taken, 0 none, -1 fatal. */
static int reuse(struct pb_bisect_boot *bb, const char *dir, struct pb_bisect_version *v)
{
	char path[PATH_MAX + 64], err[PATH_MAX + 128];
	json_object *matrix, *k, *doc;
	int rc = 0;

	pb_format(path, sizeof(path), "%s/matrix.json", dir);
	if (access(path, R_OK) || !(matrix = pb_json_load(path, err, sizeof(err))))
		return 0;
	k = pb_jidx(pb_jget(matrix, "kernels"), 0);
	if (strcmp(pb_jstr(matrix, "config", ""), bb->config) ||
	    strcmp(pb_jstr(matrix, "suite", ""), bb->kc->suite)) {
		rc = 0;		/* another config's boot: booted again */
	} else if (!strcmp(pb_jstr(k, "status", ""), "ok")) {
		pb_format(path, sizeof(path), "%s/%s", dir, pb_jstr(k, "results", "?"));
		if ((doc = pb_json_load(path, err, sizeof(err)))) {
			pb_results_upgrade(doc);
			rc = value_from_doc(bb, doc, path, v) ? -1 : 1;
			json_object_put(doc);
		}
	} else if (!strcmp(pb_jstr(k, "status", ""), "failed") &&
		   !json_object_get_boolean(pb_jget(k, "unreachable"))) {
		/*
		 * Only packages missing from the archive stay missing; a boot
		 * that failed (or a machine problem) is tried again.
		 */
		rc = !outcome_failed(bb, k, v) && v->outcome == PB_BISECT_INCOMPLETE;
		bb->fatal[0] = '\0';
	}
	json_object_put(matrix);
	v->reused = rc == 1;
	return rc;
}

/* @v's one-kernel matrix: the bisect's [matrix] settings, spec = debian:PACKAGE=VERSION. */
static struct pb_kernels_conf *one_kernel(const struct pb_bisect_boot *bb,
					  const struct pb_bisect_version *v)
{
	struct pb_kernels_conf *kc = malloc(sizeof(*kc));
	struct pb_kernel_spec *k;

	if (!kc)
		return NULL;
	*kc = *bb->kc;
	kc->nr_kernels = 1;
	k = &kc->kernels[0];
	memset(k, 0, sizeof(*k));
	version_label(v, k->label, sizeof(k->label));
	k->kind = PB_KSPEC_DEBIAN;
	/* the suite the version list named: the same version, not another suite's */
	pb_format(k->spec, sizeof(k->spec), "debian:%s%s%s=%s", v->suite, v->suite[0] ? "/" : "",
		  v->package, v->version);
	pb_format(k->arg, sizeof(k->arg), "%s", k->spec);	/* as kernels_conf.c keeps it */
	return kc;
}

int pb_bisect_boot_measure(void *ctx, struct pb_bisect_version *v)
{
	static struct pb_matrix_run m;
	struct pb_bisect_boot *bb = ctx;
	struct pb_kernels_conf *kc;
	char dir[PATH_MAX], where[PATH_MAX + 32];
	json_object *k;
	int rc = 0;

	version_dir(bb, v, dir, sizeof(dir));
	if ((rc = reuse(bb, dir, v)))
		return rc < 0 ? -1 : 0;
	if (!(kc = one_kernel(bb, v)) || pb_matrix_run_setup(&m, kc, bb->config, bb->root, dir,
							       bb->accel)) {
		pb_format(bb->fatal, sizeof(bb->fatal), "cannot set up the boot in %s", dir);
		bb->fatal_exit = PB_EXIT_FAILED;
		free(kc);
		return -1;
	}
	pb_matrix_run_kernels(&m);
	k = pb_matrix_run_entry(&m, 0);
	pb_format(where, sizeof(where), "%s/%s/results.json", dir, kc->kernels[0].label);
	if (pb_spawn_stop)
		rc = -1;
	else if (!strcmp(pb_jstr(k, "status", ""), "ok") && m.docs[0])
		rc = value_from_doc(bb, m.docs[0], where, v);
	else
		rc = outcome_failed(bb, k, v);
	pb_matrix_run_finish(&m);
	free(kc);
	return rc;
}

int pb_bisect_recorded_measure(void *ctx, struct pb_bisect_version *v)
{
	struct pb_bisect_boot *bb = ctx;
	json_object *val = pb_jget(bb->recorded, v->version);
	const char *s = json_object_get_string(val);

	if (json_object_is_type(val, json_type_double)) {
		v->outcome = PB_BISECT_VALUE;
		v->value = json_object_get_double(val);
	} else {
		v->outcome = s && !strcmp(s, "incomplete") ? PB_BISECT_INCOMPLETE : PB_BISECT_FAILED;
		pb_format(v->why, sizeof(v->why), "%s", val ? s : "not in the recorded table");
	}
	return 0;
}

json_object *pb_bisect_recorded_load(const char *path, char *err, size_t errlen)
{
	char *text = pb_slurp(path, NULL), *save = NULL, ver[PB_BISECT_NAME_MAX], val[64], *end;
	json_object *table = json_object_new_object();

	if (!text) {
		pb_format(err, errlen, "--recorded %s: %s", path, strerror(errno));
		json_object_put(table);
		return NULL;
	}
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		double d;

		l[strcspn(l, "#")] = '\0';
		if (!l[strspn(l, " \t")])
			continue;
		if (sscanf(l, "%127s %63s", ver, val) != 2 ||
		    (d = strtod(val, &end), *end && strcmp(val, "failed") && strcmp(val, "incomplete"))) {
			pb_format(err, errlen, "%s: line '%s': expected VERSION VALUE|failed|incomplete",
				  path, l);
			json_object_put(table);
			free(text);
			return NULL;
		}
		json_object_object_add(table, ver, *end ? json_object_new_string(val) :
					 json_object_new_double(d));
	}
	free(text);
	return table;
}

/* "HEADER / first item" of a changelog's first entry in @text, into @buf. */
static void first_entry(char *text, char *buf, size_t len)
{
	char *item = strstr(text, "\n  * "), *eol;

	text[strcspn(text, "\n")] = '\0';
	if (!item) {
		pb_format(buf, len, "%s", text);
		return;
	}
	item += 5;
	if ((eol = strchr(item, '\n')))
		*eol = '\0';
	pb_format(buf, len, "%s / %s", text, item);
}

void pb_bisect_changelog_head(const char *cache, const struct pb_bisect_version *v, char *buf,
			      size_t len)
{
	char pattern[PATH_MAX], out[2048] = "";
	glob_t g;

	buf[0] = '\0';
	/* linux-image-6.12's is changelog.gz; the split packages' changelog.Debian.gz */
	pb_format(pattern, sizeof(pattern),
		  "%s/kernels/%s_%s/usr/share/doc/*/{changelog.Debian.gz,changelog.gz}", cache,
		  v->package, v->version);
	if (glob(pattern, GLOB_BRACE, NULL, &g))
		return;
	pb_spawn_wait((char *[]){ "/bin/gzip", "-dc", g.gl_pathv[0], NULL }, out, sizeof(out), 60);
	if (out[0])
		first_entry(out, buf, len);
	globfree(&g);
}
