#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build-test the kernel series the way a maintainer's bots would before
# taking it: the whole series on its base in several configurations, and
# the series patch by patch in one of them (every step must build:
# bisectability).  Not part of `./pudbench test`: four full configurations
# take hours on 2 cores.  Each step's result is kept, so a run that is
# stopped resumes where it stopped; a step that failed is built again.
#
# usage: tools/kernel/build-test.sh [--base 7.3|6.12] [--patches "mprotect-pud hugetlb-flush"]
#            [--configs "x86_64_defconfig x86_64_nothp x86_64_allnoconfig i386_defconfig"]
#            [--bisect-config NAME] [--no-bisect] [--cache DIR] [--jobs N]
#            [--dry-run]
#   --base           the source base (default 7.3), as build-kernel.sh
#   --patches        what to test, in order, named as in build: specs
#                    (default: every series of patches/<base>/, each whole;
#                    never the bench-only or test-only patches)
#   --configs        what to build the whole series in:
#                      x86_64_defconfig    make defconfig (in 7.3: no
#                                          TRANSPARENT_HUGEPAGE)
#                      x86_64_thp          defconfig with TRANSPARENT_HUGEPAGE:
#                                          the config that compiles
#                                          mm/huge_memory.c, most of the series
#                      x86_64_nothp        defconfig without TRANSPARENT_HUGEPAGE
#                      x86_64_allnoconfig  make allnoconfig
#                      i386_defconfig      make ARCH=i386 defconfig
#   --bisect-config  the configuration each patch in turn is built in
#                    (default x86_64_thp: so mm/huge_memory.c, where most of
#                    the series is, is built at every step; without THP a
#                    patch of change_huge_pud() compiles nothing, seen: 0
#                    objects in x86_64_nothp and in x86_64_defconfig)
#   --dry-run        print the steps and their state, build nothing
#
# The results live in CACHE/build-test/KEY/ (KEY: the base, its source
# version and the patches' diffs): results.txt has a line per step,
# "STEP ok|failed SECONDS compiled N" (N: the objects make compiled), and
# each step's log is STEP.log; a patch step that compiled nothing is said.  Exit status 0
# when every step built, 1 when one failed (its log's tail is printed), 5 a
# patch not in the project, 64 usage, 75 the archive unreachable.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/kernel-source.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/kernel-source.sh"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${PUDBENCH_CACHE:-$HOME/.cache/pudbench}
base=7.3 patches_arg='' jobs=$(nproc) dry=0 bisect=1
configs="x86_64_defconfig x86_64_thp x86_64_nothp x86_64_allnoconfig i386_defconfig"
bisect_config=x86_64_thp

say() { printf 'build-test: %s\n' "$*" >&2; }
die() { local rc=$1; shift; say "error: $*"; exit "$rc"; }

while [ $# -gt 0 ]; do
	case $1 in
	--base) [ $# -ge 2 ] || die 64 "--base needs a base"; base=$2; shift 2 ;;
	--patches) [ $# -ge 2 ] || die 64 "--patches needs a list"; patches_arg=$2; shift 2 ;;
	--configs) [ $# -ge 2 ] || die 64 "--configs needs a list"; configs=$2; shift 2 ;;
	--bisect-config) [ $# -ge 2 ] || die 64 "--bisect-config needs a name"; bisect_config=$2; shift 2 ;;
	--no-bisect) bisect=0; shift ;;
	--cache) [ $# -ge 2 ] || die 64 "--cache needs a dir"; cache=$2; shift 2 ;;
	--jobs|-j) [ $# -ge 2 ] || die 64 "--jobs needs N"; jobs=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 0 ;;
	*) die 64 "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "${PB_BASE_SOURCE[$base]:-}" ] || die 64 "unknown base '$base' (known: ${!PB_BASE_SOURCE[*]})"

# make's ARCH and the configuration target of each configuration
declare -A CONF_ARCH=([x86_64_defconfig]=x86_64 [x86_64_thp]=x86_64 [x86_64_nothp]=x86_64
	[x86_64_allnoconfig]=x86_64 [i386_defconfig]=i386)
declare -A CONF_TARGET=([x86_64_defconfig]=defconfig [x86_64_thp]=defconfig [x86_64_nothp]=defconfig
	[x86_64_allnoconfig]=allnoconfig [i386_defconfig]=defconfig)
# scripts/config's switch for TRANSPARENT_HUGEPAGE on top of the target, where named
declare -A CONF_THP=([x86_64_thp]=-e [x86_64_nothp]=-d)
for c in $configs $bisect_config; do
	[ -n "${CONF_ARCH[$c]:-}" ] || die 64 "unknown configuration '$c' (known: ${!CONF_ARCH[*]})"
done

# every series of the base, each whole, in name order (they apply in any order)
[ -n "$patches_arg" ] || patches_arg=$(cd "$repo/patches/$base" && for d in */; do printf '%s ' "${d%/}"; done)
patch_list=$(pb_patch_files "$repo" "$base" "$patches_arg") || die 5 "see above"
[ -n "$patch_list" ] || die 64 "no patches to test in patches/$base/"
mapfile -t patch_files <<<"$patch_list"

mkdir -p "$cache/debs"
rc=0
deb=$(pb_source_deb "$base" "$cache/debs") || rc=$?
[ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || die "$rc" "the Debian archive is unreachable"
[ "$rc" -eq 0 ] || die "$rc" "downloading ${PB_BASE_SOURCE[$base]} failed"
src_version=$(dpkg-deb -f "$deb" Version)
key_input="base=$base source=${PB_BASE_SOURCE[$base]} $src_version"
for f in "${patch_files[@]}"; do
	key_input+=$'\n'"$(basename "$f") $(sed -n '/^\(diff --git \|--- a\/\)/,$p' "$f" | sha256sum | cut -c1-16)"
done
key=$(printf '%s\n' "$key_input" | sha256sum | cut -c1-16)
out=$cache/build-test/$key
mkdir -p "$out"
printf '%s\n' "$key_input" >"$out/key.txt"
touch "$out/results.txt"

# The steps: the whole series per configuration, then each prefix of it.
steps=()
for c in $configs; do steps+=("series:$c"); done
if [ "$bisect" = 1 ]; then
	for i in "${!patch_files[@]}"; do
		# the whole series in that configuration is a step already
		[ $((i + 1)) -lt ${#patch_files[@]} ] || [[ " $configs " != *" $bisect_config "* ]] || continue
		steps+=("upto$((i + 1)):$bisect_config")
	done
fi

done_ok() { grep -q "^$1 ok " "$out/results.txt"; }

if [ "$dry" = 1 ]; then
	say "$out (${#patch_files[@]} patches on ${PB_BASE_SOURCE[$base]} $src_version)"
	for s in "${steps[@]}"; do
		if done_ok "$s"; then st=ok; else st=to-build; fi
		printf '%-40s %s\n' "$s" "$st"
	done
	exit 0
fi

exec 9>"$out/.lock"
flock -n 9 || { say "another build-test of $key is running; waiting"; flock 9; }
tarball=$cache/${PB_BASE_SOURCE[$base]}.tar.xz
pb_source_tarball "$base" "$deb" "$tarball" || die 1 "cannot extract the tarball from $deb"
export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache} CCACHE_NOHASHDIR=1
export KBUILD_BUILD_USER=pudbench KBUILD_BUILD_HOST=pudbench

# Tree @1 (series, bisect) of the base with exactly the first @2 patches
# applied: unpacked once, then patched forward or back, so the bisect steps
# build incrementally in one tree.
tree_at() {
	local t=$out/tree-$1 n=$2 have=0
	[ -f "$t/.applied" ] && have=$(cat "$t/.applied")
	if [ ! -f "$t/.applied" ]; then
		rm -rf "$t"
		mkdir -p "$t"
		say "unpacking ${PB_BASE_SOURCE[$base]} $src_version into $t"
		tar -xJf "$tarball" -C "$t" --strip-components=1
		echo 0 >"$t/.applied"
	fi
	while [ "$have" -lt "$n" ]; do
		patch -d "$t" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch \
			<"${patch_files[$have]}" >>"$t/.patch.log" 2>&1 ||
			die 2 "$(basename "${patch_files[$have]}") does not apply (log: $t/.patch.log)"
		have=$((have + 1))
		echo "$have" >"$t/.applied"
	done
	while [ "$have" -gt "$n" ]; do
		have=$((have - 1))
		patch -d "$t" -p1 -R --batch --fuzz=0 --no-backup-if-mismatch \
			<"${patch_files[$have]}" >>"$t/.patch.log" 2>&1 ||
			die 2 "$(basename "${patch_files[$have]}") does not revert (log: $t/.patch.log)"
		echo "$have" >"$t/.applied"
	done
	printf '%s\n' "$t"
}

# Build step @1 (series:CONF or uptoN:CONF); its result line into results.txt.
build_step() {
	local step=$1 conf=${1#*:} what=${1%%:*} t o start rc=0 compiled
	if [ "$what" = series ]; then
		t=$(tree_at series ${#patch_files[@]})
		o=$out/obj/${step//:/_}	# make takes no ":" in O=
	else
		t=$(tree_at bisect "${what#upto}")
		o=$out/obj/bisect_$conf	# one object tree: each step builds what its patch changed
	fi
	mkdir -p "$o"
	export CCACHE_BASEDIR=$t
	local mk=(make -C "$t" O="$o" ARCH="${CONF_ARCH[$conf]}" CC="ccache gcc" HOSTCC="ccache gcc")
	say "$step: ${CONF_TARGET[$conf]}, then make -j$jobs (log: $out/${step//:/_}.log)"
	start=$(date +%s)
	{
		"${mk[@]}" "${CONF_TARGET[$conf]}" &&
		# a configuration named for THP has it as named: set, then checked in the .config
		if [ -n "${CONF_THP[$conf]:-}" ]; then
			"$t/scripts/config" --file "$o/.config" "${CONF_THP[$conf]}" TRANSPARENT_HUGEPAGE &&
			"${mk[@]}" olddefconfig &&
			if [ "${CONF_THP[$conf]}" = -e ]; then
				grep -q '^CONFIG_TRANSPARENT_HUGEPAGE=y' "$o/.config" &&
					grep -q '^CONFIG_HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD=y' "$o/.config"
			else
				! grep -q '^CONFIG_TRANSPARENT_HUGEPAGE=y' "$o/.config"
			fi
		fi &&
		"${mk[@]}" -j"$jobs"
	} >"$out/${step//:/_}.log" 2>&1 || rc=$?
	sed -i "/^$step /d" "$out/results.txt"
	compiled=$(grep -c '^  CC ' "$out/${step//:/_}.log" || :)
	if [ "$rc" -eq 0 ]; then
		printf '%s ok %d compiled %d\n' "$step" $(($(date +%s) - start)) "$compiled" >>"$out/results.txt"
		[ "$what" = series ] || [ "$compiled" -gt 0 ] ||
			say "$step: its patch changes nothing $conf compiles: this step tests nothing"
	else
		printf '%s failed %d\n' "$step" $(($(date +%s) - start)) >>"$out/results.txt"
		tail -n 20 "$out/${step//:/_}.log" >&2
	fi
	return "$rc"
}

failed=0
for s in "${steps[@]}"; do
	if done_ok "$s"; then say "$s: built before ($(grep "^$s ok " "$out/results.txt" | cut -d' ' -f3) s)"; continue; fi
	build_step "$s" || failed=$((failed + 1))
done
say "results: $out/results.txt"
cat "$out/results.txt"
[ "$failed" -eq 0 ] || die 1 "$failed step(s) failed"
