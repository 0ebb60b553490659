/* SPDX-License-Identifier: MIT */
/*
 * The commands of pudbench-bin, one file each (src/cmd_*.c), each defining
 * its struct pb_command (cli.h); main.c's list is the whole dispatch.
 */
#ifndef PUDBENCH_COMMANDS_H
#define PUDBENCH_COMMANDS_H

#include "cli.h"

extern const struct pb_command pb_command_run;
extern const struct pb_command pb_command_list;
extern const struct pb_command pb_command_kernels;
extern const struct pb_command pb_command_compare;
extern const struct pb_command pb_command_fold;
extern const struct pb_command pb_command_plot;
extern const struct pb_command pb_command_cover_letter;
extern const struct pb_command pb_command_hold_counters;
extern const struct pb_command pb_command_bisect;

#endif
