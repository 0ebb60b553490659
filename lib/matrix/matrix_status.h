/* SPDX-License-Identifier: MIT */
/*
 * OUT/matrix.json (schema pudbench-matrix/1): the matrix's settings and
 * accelerator, and one entry a kernel with its status (pending, running,
 * ok, failed, interrupted), what names it, where its results are and, when
 * it failed, why and the tails of its logs.  Rewritten after every step, so
 * a killed run leaves it as far as it got.
 */
#ifndef PUDBENCH_MATRIX_STATUS_H
#define PUDBENCH_MATRIX_STATUS_H

#include <time.h>

#include <json-c/json.h>

#include "matrix_run.h"

/* The first matrix.json of @kc (read from @config): every kernel "pending". */
json_object *pb_matrix_status_new(const struct pb_kernels_conf *kc, const char *config);

/* Writes @m->matrix to OUT/matrix.json (atomically). */
void pb_matrix_status_save(const struct pb_matrix_run *m);

/* @o's @key = @val; NULL sets null. */
void pb_matrix_status_set(json_object *o, const char *key, const char *val);

/* Kernel entry @kinfo: boot @boot (0-based), started at @t0, went through. */
void pb_matrix_status_ok(json_object *kinfo, unsigned boot, time_t t0);

/*
 * Kernel entry @kinfo failed because of @why: the boot started at @t0, its
 * files are in @dir (the tails of console.log and vm/results/run.log).
 */
void pb_matrix_status_failed(json_object *kinfo, const char *why, const char *dir, time_t t0);

#endif
