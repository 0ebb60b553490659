#!/bin/bash
# The ordered series a bisect walks: the Debian kernel image packages
# matching a glob, one "PACKAGE VERSION [SUITE]" line each (`pudbench
# bisect` sorts them by Debian version and checks them).
#
# usage: tools/vm/kernel-versions.sh PATTERN [SUITE]
#   PATTERN  a package glob, e.g. 'linux-image-6.12.*+deb12-amd64'; only the
#            signed generic flavour is taken (as fetch-kernel.sh resolves a glob)
#   SUITE    only the versions of that Debian suite (the suite's own apt
#            configuration, tools/lib/apt.sh)
#
# Exit status: fetch-kernel.sh --list's (0 ok, 66 none in the archive,
# 64 usage, 75 the archive is unreachable).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "usage: $0 PATTERN [SUITE]" >&2; exit 64; fi
glob=$1
suite=${2:-}

# The suite's own apt configuration (tools/lib/apt.sh): fetch-kernel.sh
# --list gives every suite's images, "PACKAGE VERSION SUITE", in order.
exec "$(dirname "${BASH_SOURCE[0]}")/fetch-kernel.sh" --list "debian:${suite:+$suite/}$glob"
