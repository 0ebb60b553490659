/* SPDX-License-Identifier: MIT */
/* Where a run happened: kernel, CPU, topology, virtualization, suite. */
#ifndef PUDBENCH_ENV_H
#define PUDBENCH_ENV_H

#include <json-c/json.h>

struct pb_config;

/* "none", "kvm", "tcg" or "other:<signature>" */
const char *pb_virtualization(void);

/* The env object of the results document. */
json_object *pb_env_json(const struct pb_config *cfg);

#endif
