/* SPDX-License-Identifier: MIT */
/* The commands of pudbench-bin, one file each (src/cmd_*.c); main.c's table lists them. */
#ifndef PUDBENCH_COMMANDS_H
#define PUDBENCH_COMMANDS_H

/* argv[0] is the command name; returns a PB_EXIT_* status (exit.h). */
int pb_cmd_run(int argc, char **argv);
int pb_cmd_list(int argc, char **argv);
int pb_cmd_kernels(int argc, char **argv);
int pb_cmd_compare(int argc, char **argv);
int pb_cmd_fold(int argc, char **argv);
int pb_cmd_plot(int argc, char **argv);
int pb_cmd_cover_letter(int argc, char **argv);
int pb_cmd_hold_counters(int argc, char **argv);

#endif
