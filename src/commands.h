/* SPDX-License-Identifier: MIT */
/* Subcommands of pudbench-bin beyond run and list, one file each. */
#ifndef PUDBENCH_COMMANDS_H
#define PUDBENCH_COMMANDS_H

/* argv[0] is the subcommand name; returns the exit status. */
int pb_cmd_kernels(int argc, char **argv);
int pb_cmd_compare(int argc, char **argv);
int pb_cmd_plot(int argc, char **argv);
int pb_cmd_cover_letter(int argc, char **argv);

#endif
