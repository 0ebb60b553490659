// SPDX-License-Identifier: MIT
/* Sibling processes of a case (see sibling.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sibling.h"

int pb_full_io(int fd, void *buf, size_t len, bool wr)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = wr ? write(fd, (char *)buf + done, len - done) :
				 read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int pb_sibling_start(struct pb_sibling *s, pb_sibling_main_fn main, void *arg)
{
	int cmd[2], reply[2];

	if (pipe2(cmd, O_CLOEXEC))
		return -1;
	if (pipe2(reply, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -1;
	}
	s->pid = fork();
	if (s->pid == 0) {
		close(cmd[1]);
		close(reply[0]);
		_exit(main(arg, cmd[0], reply[1]));
	}
	close(cmd[0]);
	close(reply[1]);
	s->cmd = cmd[1];
	s->reply = reply[0];
	if (s->pid < 0) {
		int e = errno;

		pb_sibling_stop(s, NULL, 0);
		errno = e;
		return -1;
	}
	return 0;
}

void pb_sibling_stop(struct pb_sibling *s, const void *quit, size_t len)
{
	if (s->pid > 0 && (!quit || pb_full_io(s->cmd, (void *)quit, len, true)))
		kill(s->pid, SIGKILL);
	if (s->cmd >= 0)
		close(s->cmd);
	if (s->reply >= 0)
		close(s->reply);
	if (s->pid > 0)
		waitpid(s->pid, NULL, 0);
	*s = (struct pb_sibling)PB_SIBLING_INIT;
}
