// SPDX-License-Identifier: MIT
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pb_sysfs_read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int pb_sysfs_read_long(const char *path, long *val)
{
	char buf[64], *end;

	if (pb_sysfs_read_str(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	*val = strtol(buf, &end, 0);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int pb_sysfs_write_long(const char *path, long val)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int n, rc = 0;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", val);
	if (write(fd, buf, n) != n)
		rc = -1;
	if (close(fd))
		rc = -1;
	return rc;
}

int pb_meminfo_kb(const char *field, long *kb)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char *line = NULL;
	size_t cap = 0, flen = strlen(field);
	int rc = -1;

	if (!f)
		return -1;
	errno = ENOENT;
	while (rc && getline(&line, &cap, f) > 0)
		if (!strncmp(line, field, flen) && line[flen] == ':' &&
		    sscanf(line + flen + 1, "%ld", kb) == 1)
			rc = 0;
	free(line);
	fclose(f);
	return rc;
}

int pb_cpuinfo_has_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL, *p;
	size_t cap = 0, flen = strlen(flag);
	int found = 0;

	if (!f)
		return -1;
	while (!found && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "flags", 5))
			continue;
		for (p = strstr(line, flag); p; p = strstr(p + 1, flag))
			if (p[-1] == ' ' && (p[flen] == ' ' || p[flen] == '\n'))
				found = 1;
		break;
	}
	free(line);
	fclose(f);
	return found;
}
