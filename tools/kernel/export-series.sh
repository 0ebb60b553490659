#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Export one series of patches/<base>/ the way it is sent: a `git
# format-patch` series authored and signed off by the sender (git config
# user.name and user.email), numbered without bench-only or test-only
# patches, with a cover letter when the series has one; then check that the
# exported mails apply to the base with `git am` in a scratch tree, and run
# checkpatch.pl --strict on them.  `./pudbench cover-letter --series NAME
# --export DIR` calls this.
#
# usage: tools/kernel/export-series.sh --series NAME --out DIR [--base 7.3]
#            [--cover-extra FILE] [--cache DIR]
#            [--patch-dir DIR --base-tree DIR]
#   --series       a directory of patches/<base>/ (mprotect-pud, hugetlb-flush, ...)
#   --out          where the mails go; must not exist or be empty (nothing
#                  is overwritten)
#   --base         the base (default 7.3): Debian's linux-source-<base>
#   --cover-extra  text added to the cover letter after the series'
#                  cover-letter.txt (the data table of a kernel matrix)
#   --patch-dir, --base-tree
#                  a series directory and a base source tree of their own
#                  instead of patches/<base>/NAME/ and Debian's tarball (the
#                  tests use them)
#
# A series directory holds its patches (NNNN-*.patch: "Subject:", the
# message, "---", the diff; no From: and no Signed-off-by: in the
# repository) and optionally cover-letter.txt: its first line the cover
# letter's subject, the rest its text.  The base tree becomes a git
# repository once, in CACHE/export/<base>-<source version>/ (a minute or
# two for a kernel tree).
#
# Exit status: 0 exported and checked; 1 `git am` of the export failed, or
# checkpatch found errors; 2 usage or no git identity (the message says
# how to set it); 5 the series or its base is missing; 75 the Debian
# archive is unreachable.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/kernel-source.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/kernel-source.sh"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${PUDBENCH_CACHE:-$HOME/.cache/pudbench}
base=7.3 series='' out='' cover_extra='' patch_dir='' base_tree=''

say() { printf 'export-series: %s\n' "$*" >&2; }
die() { local rc=$1; shift; say "error: $*"; exit "$rc"; }

while [ $# -gt 0 ]; do
	case $1 in
	--series|--out|--base|--cover-extra|--cache|--patch-dir|--base-tree)
		[ $# -ge 2 ] || die 2 "$1 needs a value"
		case $1 in
		--series) series=$2 ;; --out) out=$2 ;; --base) base=$2 ;;
		--cover-extra) cover_extra=$2 ;; --cache) cache=$2 ;;
		--patch-dir) patch_dir=$2 ;; --base-tree) base_tree=$2 ;;
		esac
		shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 0 ;;
	*) die 2 "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$series" ] || die 2 "--series NAME is required"
[ -n "$out" ] || die 2 "--out DIR is required"
case $series in */*|.*|'') die 2 "--series takes a series name, not a path: '$series'" ;; esac
[ -z "$cover_extra" ] || [ -f "$cover_extra" ] || die 2 "no file $cover_extra (--cover-extra)"
[ -z "$patch_dir" ] || [ -n "$base_tree" ] || die 2 "--patch-dir needs --base-tree"

# The sender: only they can certify the Developer's Certificate of Origin.
name=$(git config --get user.name || true)
email=$(git config --get user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	die 2 "no git identity (user.name '${name}', user.email '${email}'): the series is authored and signed off by whoever sends it; set yours with git config --global user.name 'Your Name' and git config --global user.email you@example.org"
fi

if [ -z "$patch_dir" ]; then
	[ -d "$repo/patches/$base" ] || die 5 "unknown base '$base': no patches/$base/"
	patch_dir=$repo/patches/$base/$series
	[ -d "$patch_dir" ] || die 5 "no series '$series' in patches/$base/ (there: $(cd "$repo/patches/$base" && echo */ | tr -d /))"
fi
mapfile -t patches < <(find "$patch_dir" -maxdepth 1 -name '*.patch' | sort)
[ ${#patches[@]} -gt 0 ] || die 5 "series '$series' has no patches in $patch_dir"
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
	die 2 "$out is not empty: choose a new directory (nothing is overwritten)"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- the base as a git repository (once per source version) ---------------
base_git() {
	local dir=$1 src=$2
	[ -d "$dir/.git" ] && git -C "$dir" rev-parse -q --verify refs/tags/base >/dev/null && return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	say "making $dir a git repository of the base (once: a minute or two for a kernel tree)"
	if [ -d "$src" ]; then cp -a "$src/." "$dir/"; else tar -xJf "$src" -C "$dir" --strip-components=1; fi
	git -C "$dir" init -q
	git -C "$dir" add -A -f	# all of it: Debian's .gitignore ignores the top level
	# a local commit that is never exported: it only marks the base
	git -C "$dir" -c user.name=base -c user.email=base@localhost commit -q -m "base" --no-verify
	git -C "$dir" tag base
}

if [ -n "$base_tree" ]; then
	[ -d "$base_tree" ] || die 5 "no base tree $base_tree"
	work_root=$(mktemp -d)
	trap 'rm -rf "$work_root"' EXIT
	basedir=$work_root/base
	base_git "$basedir" "$(cd "$base_tree" && pwd)"
	base_desc="the tree $base_tree"
else
	[ -n "${PB_BASE_SOURCE[$base]:-}" ] || die 2 "unknown base '$base' (known: ${!PB_BASE_SOURCE[*]})"
	rc=0
	deb=$(pb_source_deb "$base" "$cache/debs") || rc=$?
	[ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || die "$rc" "the Debian archive is unreachable"
	[ "$rc" -eq 0 ] || die 5 "no ${PB_BASE_SOURCE[$base]} package"
	version=$(dpkg-deb -f "$deb" Version)
	tarball=$cache/${PB_BASE_SOURCE[$base]}.tar.xz
	pb_source_tarball "$base" "$deb" "$tarball" || die 5 "cannot extract the tarball from $deb"
	basedir=$cache/export/$base-$version
	mkdir -p "$cache/export"
	exec 9>"$cache/export/.lock"
	flock 9
	base_git "$basedir" "$tarball"
	work_root=$(mktemp -d)
	trap 'git -C "$basedir" worktree prune; rm -rf "$work_root"' EXIT
	upstream=${version%%-*}
	base_desc="Debian's ${PB_BASE_SOURCE[$base]} $version (upstream $upstream with Debian's patches)"
fi

# --- commit each patch as the sender -----------------------------------------
# "Subject: [PATCH] a b" (folded lines joined), the message up to "---".
patch_message() {
	awk '
		/^Subject: / && !subj { sub(/^Subject: (\[[^]]*\] ?)*/, ""); s = $0; subj = 1; insubj = 1; next }
		insubj && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next }
		insubj { insubj = 0; print s; if ($0 != "") print ""; }
		subj && /^---$/ { exit }
		subj && !insubj { print }
	' "$1"
}

# Scratch worktrees hold only the files the series touches (a sparse
# checkout): a kernel tree would take minutes to check out and remove.
mapfile -t touched < <(sed -n 's|^+++ b/||p; s|^--- a/||p' "${patches[@]}" | sort -u)
scratch() {
	git -C "$basedir" worktree add -q --no-checkout --detach "$1" base
	git -C "$1" sparse-checkout set --no-cone "${touched[@]}"
	git -C "$1" checkout -q
}
scratch "$work_root/series"
for f in "${patches[@]}"; do
	patch_message "$f" >"$work_root/msg"
	[ -s "$work_root/msg" ] || die 5 "$(basename "$f") has no Subject: line"
	if ! git -C "$work_root/series" apply --index "$f" 2>"$work_root/apply.err"; then
		cat "$work_root/apply.err" >&2
		die 1 "$(basename "$f") does not apply to $base_desc"
	fi
	git -C "$work_root/series" commit -q -s --no-verify -F "$work_root/msg"
done

# --- format-patch, the cover letter ------------------------------------------
nr=${#patches[@]}
cover=$patch_dir/cover-letter.txt
fp=(format-patch -q -o "$out" --thread=shallow)
[ ! -f "$cover" ] || fp+=(--cover-letter)
if [ -f "$cover" ] || [ "$nr" -gt 1 ]; then fp+=(-n); else fp+=(--no-numbered); fi
[ -f "$cover" ] || [ "$nr" -eq 1 ] || say "note: series '$series' has $nr patches and no cover-letter.txt"
[ -f "$cover" ] || [ -z "$cover_extra" ] || say "note: series '$series' has no cover letter: the table ($cover_extra) is not sent"
git -C "$work_root/series" "${fp[@]}" "base..HEAD" >/dev/null
if [ -f "$cover" ]; then
	letter=$(ls "$out"/0000-cover-letter.patch)
	{
		tail -n +3 "$cover"
		if [ -n "$cover_extra" ]; then printf '\n'; cat "$cover_extra"; fi
		printf '\nThe series applies to %s.\n' "$base_desc"
	} >"$work_root/blurb"
	subject=$(head -n1 "$cover")
	awk -v subj="$subject" -v blurb="$work_root/blurb" '
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
		/^\*\*\* BLURB HERE \*\*\*$/ { while ((getline l < blurb) > 0) print l; next }
		{ print }
	' "$letter" >"$work_root/letter"
	mv "$work_root/letter" "$letter"
fi

# --- the check: git am of what was written, on the base ---------------------
scratch "$work_root/check"
mapfile -t mails < <(find "$out" -maxdepth 1 -name '*.patch' ! -name '0000-cover-letter.patch' | sort)
if ! git -C "$work_root/check" -c user.name="$name" -c user.email="$email" am -q "${mails[@]}" >"$work_root/am.log" 2>&1; then
	cat "$work_root/am.log" >&2
	die 1 "the exported series does not apply to $base_desc with git am"
fi
[ "$(git -C "$work_root/check" rev-parse 'HEAD^{tree}')" = "$(git -C "$work_root/series" rev-parse 'HEAD^{tree}')" ] ||
	die 1 "git am of the export gives another tree than the series"
say "git am: the $nr patch(es) apply to $base_desc"

# --- checkpatch on the signed series -----------------------------------------
rc=0
if [ -f "$basedir/scripts/checkpatch.pl" ]; then
	# the base's own checkpatch, run outside any git tree; no upstream
	# history in the base: "Unknown commit id" is expected
	(cd "$work_root" && perl "$basedir/scripts/checkpatch.pl" --strict --no-tree "${mails[@]}") >"$out/checkpatch.txt" 2>&1 || true
	errors=$(grep -c '^ERROR:' "$out/checkpatch.txt" || true)
	warnings=$(grep -c '^WARNING:' "$out/checkpatch.txt" || true)
	unknown=$(grep -c "^WARNING: Unknown commit id" "$out/checkpatch.txt" || true)
	say "checkpatch --strict: $errors error(s), $warnings warning(s) ($unknown of them 'Unknown commit id': the base has no upstream history); $out/checkpatch.txt"
	[ "$errors" -eq 0 ] || rc=1
fi
git -C "$basedir" worktree remove --force "$work_root/check"
git -C "$basedir" worktree remove --force "$work_root/series"
say "$nr patch(es) of '$series', From: and Signed-off-by: $name <$email>, in $out"
ls -1 "$out"/*.patch
exit "$rc"
