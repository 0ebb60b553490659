# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# apt-get download for the kernel scripts (tools/vm/fetch-kernel.sh,
# tools/kernel/build-kernel.sh), which must tell "the Debian archive could
# not be reached" (a test may skip on it: the machine lacks the network)
# from every other failure (a FAIL).  Source it; it defines:
#
#   PB_EXIT_UNREACHABLE   75 (sysexits.h EX_TEMPFAIL): the archive was not reached
#   pb_apt_get DIR ARGS...
#                         apt-get ARGS (download, update, install) in DIR, its
#                         output to stderr; 0 ok, 75 apt could not reach the
#                         archive, 1 otherwise
#   pb_apt_no_lists       true when this machine has no package lists at all
#                         (apt-get update never reached an archive)

PB_EXIT_UNREACHABLE=75

# apt's words for a network failure: name lookup, connect, timeout, route.
# A 404 or a hash mismatch is not among them: the archive answered.
PB_APT_NET_ERRORS='Could not resolve|Temporary failure resolving|Could not connect|Unable to connect|Failed to connect|Connection failed|Connection timed out|Connection refused|Network is unreachable|No route to host'

pb_apt_get() {
	local dir=$1 log rc=0
	shift
	log=$(mktemp)
	(cd "$dir" && apt-get "$@") >"$log" 2>&1 || rc=$?
	cat "$log" >&2
	if [ "$rc" -ne 0 ]; then
		grep -Eq "$PB_APT_NET_ERRORS" "$log" && rc=$PB_EXIT_UNREACHABLE || rc=1
	fi
	rm -f "$log"
	return "$rc"
}

pb_apt_no_lists() {
	local LISTS=/var/lib/apt/lists/
	eval "$(apt-config shell LISTS Dir::State::lists/d 2>/dev/null)"
	! compgen -G "${LISTS%/}/*_Packages*" >/dev/null
}
