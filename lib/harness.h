/* SPDX-License-Identifier: MIT */
/*
 * The harness: expands a configuration into cases (bench x backend x size x
 * remote participants), runs each case in a forked child as kselftest does
 * (a crash or a hang costs one case, not the run), and collects the
 * records into the results as each case ends.  Its pieces are in
 * lib/harness/, one job a file (harness_private.h says which).
 */
#ifndef PUDBENCH_HARNESS_H
#define PUDBENCH_HARNESS_H

#include "config.h"
#include "exit.h"

/* Run @cfg, writing @out_dir/results.{json,csv}; returns a PB_EXIT_* status. */
int pb_harness_run(const struct pb_config *cfg, const char *out_dir);

/* Check the config's bench and backend names; 0 or -1 with a message on stderr. */
int pb_harness_validate(const struct pb_config *cfg);

#endif
