/* SPDX-License-Identifier: MIT */
/* Small helpers for one-value sysfs/procfs files. */
#ifndef PUDBENCH_SYSFS_H
#define PUDBENCH_SYSFS_H

#include <stddef.h>

/* Read the whole file (trailing newline stripped). 0 or -1 with errno. */
int pb_sysfs_read_str(const char *path, char *buf, size_t len);
int pb_sysfs_read_long(const char *path, long *val);
int pb_sysfs_write_long(const char *path, long val);

/* /proc/meminfo's @field ("MemAvailable") in kB. 0 or -1 (errno ENOENT: no such field). */
int pb_meminfo_kb(const char *field, long *kb);

/* 1 if /proc/cpuinfo lists @flag, 0 if not, -1 if unreadable. */
int pb_cpuinfo_has_flag(const char *flag);
#endif
