#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The wrapper's build step is quiet when nothing changed (a command's output
# stands alone) and loud when the build fails (the error and the build's
# output reach the user, and the command does not run).
#   wrapper_quiet.sh SOURCE_DIR BUILD_DIR   (BUILD_DIR already built)
set -uo pipefail

src=$1 build=$2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

PUDBENCH_BUILD_DIR=$build "$src/pudbench" list >"$tmp/out" 2>"$tmp/err"
rc=$?
check "list exits 0 on a built tree (exit $rc)" '((rc == 0))'
check "list prints the benchmarks" 'grep -q mprotect-inplace "$tmp/out"'
check "nothing on stderr when nothing was rebuilt ($(wc -l <"$tmp/err") lines)" '! [[ -s $tmp/err ]]'

# negative control: a build directory that cannot be made
PUDBENCH_BUILD_DIR=/proc/pudbench-no-such-build "$src/pudbench" list >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a failed build exits non-zero (exit $rc)" '((rc != 0))'
check "a failed build says so" 'grep -q "the build failed" "$tmp/err"'
check "a failed build shows cmake's error" 'grep -q "CMake Error" "$tmp/err"'
check "a failed build runs no command" '! [[ -s $tmp/out ]]'
exit $fail
