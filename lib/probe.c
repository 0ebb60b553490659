// SPDX-License-Identifier: MIT
#include "probe.h"

#include <setjmp.h>
#include <stddef.h>

static _Thread_local sigjmp_buf probe_env;
static _Thread_local volatile sig_atomic_t probe_armed;

static void probe_segv(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (!probe_armed) {
		/* not ours: die of it as if there were no handler */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	probe_armed = 0;
	siglongjmp(probe_env, 1);
}

void pb_probe_install(struct sigaction *old)
{
	struct sigaction sa = { .sa_sigaction = probe_segv, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, old);
}

void pb_probe_restore(const struct sigaction *old)
{
	sigaction(SIGSEGV, old, NULL);
}

int pb_probe_write(volatile char *p, char v)
{
	if (sigsetjmp(probe_env, 1))
		return 0;
	probe_armed = 1;
	*p = v;
	probe_armed = 0;
	return 1;
}

int pb_probe_read(const volatile char *p)
{
	if (sigsetjmp(probe_env, 1))
		return 0;
	probe_armed = 1;
	(void)*p;
	probe_armed = 0;
	return 1;
}
