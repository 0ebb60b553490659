#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034 # check() evals its condition (the variables it reads)
# SPDX-License-Identifier: MIT
#
# tools/kernel/export-series.sh and `pudbench cover-letter --export` on a
# small base tree and a series of their own (no kernel tree, seconds): the
# refusal without a git identity, the sender's From: and Signed-off-by: on
# every mail, numbering and the cover letter, `git am` of the export, a
# series that does not apply, an output directory that is not empty, and
# that no patch of the repository carries a From: or a sign-off.
#   test_export_series.sh SOURCE_DIR BUILD_DIR
set -uo pipefail

src=$1 bin=$2/pudbench-bin
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
command -v git >/dev/null || { echo "not ok - git is not installed (tools/bootstrap.sh)"; exit 1; }
export=$src/tools/kernel/export-series.sh

# the base: two files; the series: two patches and a cover letter
mkdir -p "$tmp/base/mm" "$tmp/series/demo"
# one_line_patch FILE SUBJECT WHY PATH OLD NEW: a patch that changes one
# line of a three-line file (the base's files are made to match)
one_line_patch() {
	printf 'Subject: [PATCH] %s\n\n%s\n---\ndiff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n' \
		"$2" "$3" "$4" "$4" "$4" "$4" >"$1"
	printf '@@ -1,3 +1,3 @@\n first\n-%s\n+%s\n last\n' "$5" "$6" >>"$1"
	printf 'first\n%s\nlast\n' "$5" >"$tmp/base/$4"
}
one_line_patch "$tmp/series/demo/0001-mm-a-change-two.patch" \
	"mm: change two in a.c, a subject long enough to be
 folded" "Why two must change." mm/a.c two TWO
one_line_patch "$tmp/series/demo/0002-mm-b-change-beta.patch" "mm: change beta" \
	"Why beta must change." mm/b.c beta BETA
printf 'mm: the demo series\n\nWhat the two patches do together.\n' >"$tmp/series/demo/cover-letter.txt"
printf 'kernel  flushes\nstock   2.00\n' >"$tmp/table.txt"

# no identity at all: refused, with how to set one, and nothing written
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$tmp/empty.gitconfig
: >"$GIT_CONFIG_GLOBAL"
out=$("$export" --series demo --out "$tmp/out0" --patch-dir "$tmp/series/demo" --base-tree "$tmp/base" 2>&1)
rc=$?
check "no git identity: exit 2" '[ $rc -eq 2 ]'
check "the refusal says how to set the identity" '[[ $out == *"git config --global user.name"* ]]'
check "the refusal writes nothing" '[ ! -e "$tmp/out0" ] || [ -z "$(ls -A "$tmp/out0")" ]'
# the same through pudbench
out=$("$bin" cover-letter --series demo --export "$tmp/out0b" --patch-dir "$tmp/series/demo" \
	--base-tree "$tmp/base" 2>&1)
rc=$?
check "cover-letter --export without identity: exit 2 ($rc)" '[ $rc -eq 2 ]'
check "cover-letter --export names user.email" '[[ $out == *"user.email"* ]]'

# a name but no e-mail: refused too
git config --global user.name "Ann Sender"
out=$("$export" --series demo --out "$tmp/out1" --patch-dir "$tmp/series/demo" --base-tree "$tmp/base" 2>&1)
check "a name without an e-mail is refused" '[ $? -eq 2 ]'

# the sender's identity: authored and signed off by them
git config --global user.email "ann@example.org"
out=$("$export" --series demo --out "$tmp/out" --patch-dir "$tmp/series/demo" \
	--base-tree "$tmp/base" --cover-extra "$tmp/table.txt" 2>&1)
rc=$?
check "export: exit 0 ($rc)" '[ $rc -eq 0 ]'
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
mapfile -t mails < <(ls "$tmp/out"/000[1-9]-*.patch 2>/dev/null)
first=${mails[0]:-/nonexistent} second=${mails[1]:-/nonexistent}
check "two mails and a cover letter" '[ ${#mails[@]} -eq 2 ] && [ -f "$tmp/out/0000-cover-letter.patch" ]'
for m in "${mails[@]}"; do
	check "$(basename "$m"): From: the sender" 'grep -qx "From: Ann Sender <ann@example.org>" "$m"'
	check "$(basename "$m"): Signed-off-by: the sender, once" \
		'[ "$(grep -c "^Signed-off-by: Ann Sender <ann@example.org>$" "$m")" -eq 1 ]'
done
check "numbered 1/2 and 2/2" 'grep -q "^Subject: \[PATCH 1/2\] mm: change two in a.c" "$first" &&
	grep -q "^Subject: \[PATCH 2/2\] mm: change beta" "$second"'
check "the folded subject is whole" 'grep -A1 "^Subject: \[PATCH 1/2\]" "$first" | tr -d "\n" | grep -q "long enough to be folded"'
check "the message travels" 'grep -qx "Why beta must change." "$second"'
letter=$tmp/out/0000-cover-letter.patch
check "cover letter: 0/2 and its subject" 'grep -q "^Subject: \[PATCH 0/2\] mm: the demo series" "$letter"'
check "cover letter: its text, the table, the base" 'grep -qx "What the two patches do together." "$letter" &&
	grep -qx "stock   2.00" "$letter" && grep -q "^The series applies to the tree " "$letter"'
check "cover letter: no placeholder left" '! grep -q "\*\*\*" "$letter"'
check "git am was checked" '[[ $out == *"git am: the 2 patch(es) apply"* ]]'

# the same through pudbench (no matrix: no table)
out=$("$bin" cover-letter --series demo --export "$tmp/out5" --patch-dir "$tmp/series/demo" \
	--base-tree "$tmp/base" 2>&1)
rc=$?
check "cover-letter --export: exit 0 ($rc), signed off by the sender" '[ $rc -eq 0 ] &&
	grep -qx "Signed-off-by: Ann Sender <ann@example.org>" "$tmp"/out5/0001-*.patch'
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'

# an output directory that is not empty is refused: nothing is overwritten
out=$("$export" --series demo --out "$tmp/out" --patch-dir "$tmp/series/demo" --base-tree "$tmp/base" 2>&1)
check "a non-empty --out: exit 2" '[ $? -eq 2 ] && [[ $out == *"not empty"* ]]'

# a series that does not apply to the base: exit 1, named
sed -i 's/^-beta$/-gamma/' "$tmp/series/demo/0002-mm-b-change-beta.patch"
out=$("$export" --series demo --out "$tmp/out2" --patch-dir "$tmp/series/demo" --base-tree "$tmp/base" 2>&1)
rc=$?
check "a patch that does not apply: exit 1 ($rc), named" '[ $rc -eq 1 ] && [[ $out == *"0002-mm-b-change-beta.patch does not apply"* ]]'

# usage: a path is not a series; an unknown series of the checkout is named
out=$("$export" --series ../x --out "$tmp/out3" 2>&1)
check "a path as --series: exit 2" '[ $? -eq 2 ]'
out=$("$export" --series nosuch --out "$tmp/out4" 2>&1)
check "an unknown series: exit 5, the known ones listed" '[ $? -eq 5 ] && [[ $out == *"mprotect-pud"* ]]'

# the repository's patches carry no sender: no From:, no sign-off
found=$(grep -rlE '^(From: |Signed-off-by:)' "$src/patches" "$src/bench/kernel-patches" "$src/tests/kernel-patches" 2>/dev/null)
check "no patch in the repository has a From: or Signed-off-by: line${found:+: $found}" '[ -z "$found" ]'
exit $fail
