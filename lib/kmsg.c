// SPDX-License-Identifier: MIT
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void pb_kmsg_start(struct pb_kmsg *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (w->fd < 0) {
		snprintf(w->unavailable, sizeof(w->unavailable), "/dev/kmsg: %s%s",
			 strerror(errno), errno == EPERM || errno == EACCES ?
			 " (kernel.dmesg_restrict, needs root)" : "");
		return;
	}
	/* Only what the kernel logs from now on belongs to this case. */
	lseek(w->fd, 0, SEEK_END);
	w->measured = true;
}

bool pb_kmsg_is_warning(const char *text)
{
	return strstr(text, "WARNING:") || strstr(text, "BUG:") || strstr(text, "kernel BUG");
}

/* Room for a line: within the overall cap, and within its kind's for the repeated kinds. */
static bool room_for(struct pb_kmsg *w, unsigned *kind_kept)
{
	if (w->nr_kept >= PB_KMSG_KEEP || (kind_kept && *kind_kept >= PB_KMSG_KEEP_REPEATED))
		return false;
	if (kind_kept)
		(*kind_kept)++;
	return true;
}

void pb_kmsg_account(struct pb_kmsg *w, const char *text)
{
	bool interesting = false;
	unsigned *kind_kept = NULL;

	w->lines++;
	if (strstr(text, "bad pud")) {
		w->bad_pud++;
		interesting = true;
		kind_kept = &w->kept_bad_pud;
	}
	if (strstr(text, "Bad rss-counter")) {
		w->bad_rss++;
		interesting = true;
		kind_kept = &w->kept_bad_rss;
	}
	if (pb_kmsg_is_warning(text)) {
		w->warnings++;
		interesting = true;
		w->rip_wanted = true;
	} else if (w->rip_wanted && !strncmp(text, "RIP: ", 5)) {
		/* names the function when the first line does not ("kernel BUG at mm/x.c:1!") */
		w->rip_wanted = false;
		interesting = true;
	}
	if (interesting && room_for(w, kind_kept))
		snprintf(w->kept[w->nr_kept++], PB_KMSG_LINE, "%s", text);
}

void pb_kmsg_collect(struct pb_kmsg *w)
{
	char rec[8192];

	if (w->fd < 0)
		return;
	for (;;) {
		/* One read() returns one record: "prio,seq,ts,flags;text\n". */
		ssize_t n = read(w->fd, rec, sizeof(rec) - 1);
		char *text, *nl;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: keep reading */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		pb_kmsg_account(w, text);
	}
}

void pb_kmsg_stop(struct pb_kmsg *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
