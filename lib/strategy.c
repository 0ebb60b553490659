// SPDX-License-Identifier: MIT
#include "strategy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sysfs.h"

/* A knob kernel whose debugfs is not mounted must not pass for a stock one. */
static void mount_debugfs(void)
{
	if (geteuid() == 0 && access("/sys/kernel/debug/tracing", F_OK) &&
	    access("/sys/kernel/debug/bdi", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

int pb_strategies_detect(struct pb_strategies *s, char *why, size_t len)
{
	char buf[256], *save = NULL;

	memset(s, 0, sizeof(*s));
	mount_debugfs();
	if (pb_sysfs_read_str(PB_STRATEGY_KNOB, buf, sizeof(buf))) {
		s->nr = 1;
		if (errno == ENOENT) {
			/* the kernel's own path, whatever it is (0001's is _ad) */
			strcpy(s->names[0], "kernel");
			return 0;
		}
		if (errno == EACCES || errno == EPERM) {
			/* debugfs is root-only: whatever the kernel does, unknown which */
			strcpy(s->names[0], "unknown");
			return 0;
		}
		snprintf(why, len, "%s: %s", PB_STRATEGY_KNOB, strerror(errno));
		return -1;
	}
	/* "inplace [inplace_ad] split": the bracketed one is selected */
	for (char *tok = strtok_r(buf, " \t", &save); tok && s->nr < PB_STRATEGY_MAX;
	     tok = strtok_r(NULL, " \t", &save)) {
		size_t n = strlen(tok);

		if (tok[0] == '[' && tok[n - 1] == ']') {
			tok[n - 1] = '\0';
			tok++;
			snprintf(s->initial, sizeof(s->initial), "%s", tok);
		}
		snprintf(s->names[s->nr++], PB_STRATEGY_NAME, "%s", tok);
	}
	if (!s->nr || !s->initial[0]) {
		snprintf(why, len, "%s: unexpected contents", PB_STRATEGY_KNOB);
		return -1;
	}
	s->knob = true;
	return 0;
}

int pb_strategy_select(const struct pb_strategies *s, const char *name)
{
	ssize_t n;
	int fd;

	if (!s->knob)
		return 0;
	fd = open(PB_STRATEGY_KNOB, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, name, strlen(name));
	close(fd);
	return n == (ssize_t)strlen(name) ? 0 : -1;
}

void pb_strategies_restore(const struct pb_strategies *s)
{
	if (s->knob && s->initial[0])
		pb_strategy_select(s, s->initial);
}
