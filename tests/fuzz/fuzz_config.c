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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct pb_config cfg;
	char err[512];
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/pudbench-fuzz-config-%d.conf", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	pb_config_defaults(&cfg);
	if (pb_config_load(&cfg, path, err, sizeof(err)) != 0 &&
	    strncmp(err, path, strlen(path)) != 0)
		abort();	/* every error names the file */
	return 0;
}
