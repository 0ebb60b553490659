// SPDX-License-Identifier: MIT
#include "console.h"

#include <stdio.h>
#include <string.h>

bool pb_console_first_oops(const char *console, char *out, size_t len)
{
	static const char *const starts[] = { "Oops: ", "BUG: ", "general protection fault",
					      "Kernel panic" };
	const char *first = NULL, *rip;
	size_t n;

	if (!len)
		return false;
	out[0] = '\0';
	for (size_t i = 0; console && i < sizeof(starts) / sizeof(*starts); i++) {
		const char *p = strstr(console, starts[i]);

		if (p && (!first || p < first))
			first = p;
	}
	if (!first)
		return false;
	n = strcspn(first, "\r\n");
	snprintf(out, len, "%.*s", (int)(n > 120 ? 120 : n), first);
	/* this oops's RIP: a few lines below its first (CPU, hardware name, RIP) */
	rip = strstr(first, "RIP: 0010:");
	if (rip && rip - first < 1000) {
		size_t used = strlen(out);

		rip += strlen("RIP: 0010:");
		n = strcspn(rip, " \r\n");
		snprintf(out + used, len - used, " at %.*s", (int)(n > 80 ? 80 : n), rip);
	}
	return true;
}
