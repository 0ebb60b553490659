#!/bin/bash
# The ordered series a bisect walks: the Debian kernel image packages
# matching a glob, one "PACKAGE VERSION [SUITE]" line each (`pudbench
# bisect` sorts them by Debian version and checks them).
#
# usage: tools/vm/kernel-versions.sh PATTERN [SUITE]
#   PATTERN  a package glob, e.g. 'linux-image-6.12.*+deb12-amd64'; only the
#            signed generic flavour is taken (as fetch-kernel.sh resolves a glob)
#   SUITE    only the versions of that Debian suite (needs tools/lib/apt.sh's
#            pb_apt_versions, the suite's own apt configuration, and
#            fetch-kernel.sh --list; without them the host's lists are read)
#
# Exit status: 0 ok; 1 no package matches; 64 usage; 75 the archive is
# unreachable (no package lists at all); fetch-kernel.sh --list's own.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: $0 PATTERN [SUITE]" >&2; exit 64; fi
glob=$1
suite=${2:-}

# The suite's own apt configuration (tools/lib/apt.sh's pb_apt_versions):
# fetch-kernel.sh --list gives every suite's images, "PACKAGE VERSION SUITE".
if declare -F pb_apt_versions >/dev/null; then
    exec "$(dirname "${BASH_SOURCE[0]}")/fetch-kernel.sh" --list "debian:${suite:+$suite/}$glob"
fi
[ -z "$suite" ] || { echo "kernel-versions: SUITE needs pb_apt_versions (tools/lib/apt.sh)" >&2; exit 64; }
! pb_apt_no_lists || { echo "kernel-versions: no apt package lists (apt-get update)" >&2; exit "$PB_EXIT_UNREACHABLE"; }

# The host's lists: each matching image's candidate version.
prefix=${glob%%[\*\?\[]*}
names=()
while read -r p; do
    # shellcheck disable=SC2053 # glob match is intended
    [[ $p == $glob ]] || continue
    case $p in *-dbg|*-unsigned|*-cloud-*|*-rt-*) continue ;; esac
    names+=("$p")
done < <(apt-cache pkgnames "$prefix" | sort)
[ ${#names[@]} -gt 0 ] || { echo "kernel-versions: no package matches '$glob'" >&2; exit 1; }
apt-cache policy "${names[@]}" | awk '
    /^[^ ].*:$/ { pkg = substr($0, 1, length($0) - 1) }
    /^  Candidate:/ && $2 != "(none)" { print pkg, $2 }'
