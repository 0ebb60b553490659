// SPDX-License-Identifier: MIT
/* The checks table (see checks.h). */
#include "checks.h"

#include <string.h>

/* In the order compare, the gate and the CSV list them. */
const struct pb_check_def pb_checks[] = {
	{ "bad_pud", PB_CHECK_PASS_ZERO, PB_CHECK_CASE, "kernel log \"bad pud\" lines" },
	{ "kernel_warnings", PB_CHECK_PASS_ZERO, PB_CHECK_CASE, "kernel log WARNING and BUG lines" },
	{ "stale_write", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,
	  "writes after mprotect(PROT_READ), or to the old address after mremap(), that did "
	  "not fault, on the calling CPU" },
	{ "stale_write_remote", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,
	  "the same on the participants' CPUs: a missing remote flush" },
	{ "data_intact", PB_CHECK_PASS_TRUE, PB_CHECK_CASE, "the populate pattern is whole after" },
	{ "prot_none_access", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,
	  "reads of a PROT_NONE range that did not fault" },
	{ "unaligned_refused", PB_CHECK_PASS_TRUE, PB_CHECK_CASE,
	  "a 4 KiB mprotect inside a huge page failed with EINVAL and changed nothing" },
	{ "sibling_write_lost", PB_CHECK_PASS_ZERO, PB_CHECK_SERIES,
	  "writes of the process sharing the page table that we did not read back" },
	{ "bad_rss_counter", PB_CHECK_PASS_ZERO, PB_CHECK_CASE,
	  "kernel log \"Bad rss-counter\" lines (an mm torn down with pages still counted)" },
	{ "moved_data_lost", PB_CHECK_PASS_ZERO, PB_CHECK_CASE,
	  "first words of pages that differed at the address mremap() moved them to" },
};
_Static_assert(sizeof(pb_checks) / sizeof(*pb_checks) == PB_CHECK__COUNT, "PB_CHECK__COUNT");

int pb_check_find(const char *key)
{
	for (int i = 0; i < PB_CHECK__COUNT; i++)
		if (!strcmp(pb_checks[i].key, key))
			return i;
	return -1;
}

bool pb_check_passed(int i, json_object *v)
{
	if (pb_checks[i].pass == PB_CHECK_PASS_TRUE)
		return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
	return json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 0;
}
