// SPDX-License-Identifier: MIT
/* pudbench kernels: placeholder until the kernel matrix lands. */
#include <stdio.h>

#include "commands.h"

int pb_cmd_kernels(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "pudbench: kernels: not built yet\n");
	return 2;
}
