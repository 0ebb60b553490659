// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any bytes as a config file.  The parser must either
 * accept them or return an error message that starts with the file name,
 * and never crash, hang or read out of bounds (built with ASan+UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_to_file("conf", data, size);
	struct pb_config cfg;
	char err[512];

	pb_config_defaults(&cfg);
	if (pb_config_load(&cfg, path, err, sizeof(err)) != 0 &&
	    strncmp(err, path, strlen(path)) != 0)
		abort();	/* every error names the file */
	return 0;
}
