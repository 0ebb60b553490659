// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: any bytes as a config file, for each of the three INI
 * parsers (run config, gate rules, kernel matrix; one front end, pb_ini).
 * Each must either accept them or return an error message that starts
 * with the file name, and never crash, hang or read out of bounds (built
 * with ASan+UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz_file.h"
#include "gate.h"
#include "kernels_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_to_file("conf", data, size);
	static struct pb_kernels_conf kc;	/* large */
	struct pb_config cfg;
	struct pb_gate gate;
	char err[512];

	pb_config_defaults(&cfg);
	/* every error names the file */
	if (pb_config_load(&cfg, path, err, sizeof(err)) != 0 && strncmp(err, path, strlen(path)))
		abort();
	if (pb_gate_load(&gate, path, err, sizeof(err)) != 0 && strncmp(err, path, strlen(path)))
		abort();
	/* no checkout: build: names are not looked up in patches/ */
	if (pb_kernels_conf_load(&kc, path, NULL, err, sizeof(err)) != 0 &&
	    strncmp(err, path, strlen(path)))
		abort();
	return 0;
}
