#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build a pudbench guest kernel (bzImage, or vmlinux for ppc64le; no
# modules) from one of Debian's linux-source packages (the base) with a list
# of patches from patches/<base>/ and a config fragment on top of `make
# tinyconfig`.
#
# usage: tools/kernel/build-kernel.sh [--base 7.3|6.12] [--arch x86_64|ppc64le]
#            [--patches "0001 0002"]
#            [--fragment configs/kernel/pudbench.fragment]
#            [--config-fragment configs/kernel/debug.fragment ...] [--cache DIR]
#            [--jobs N] [--keep-src] [--force]
#   --base      the source base (default 7.3): 7.3 is linux-source-7.3
#               (trixie-backports) with the series rebased on it, 6.12 is
#               linux-source-6.12 (bookworm) with its backport
#   --arch      the target architecture (default x86_64); ppc64le is a
#               cross build with Debian's gcc-powerpc64le-linux-gnu for
#               QEMU's pseries machine
#   --patches   names, applied in the order given: a series ("mprotect-pud":
#               all of patches/<base>/mprotect-pud/), one patch of it
#               ("mprotect-pud/0002"), a bench-only patch ("8001":
#               bench/kernel-patches/<base>/8001-*.patch) or a test-only one
#               ("9001": tests/kernel-patches/<base>/9001-*.patch); "" or
#               "none" = stock
#   --fragment  config fragment (default: the architecture's,
#               configs/kernel/pudbench.fragment for x86_64,
#               configs/kernel/ppc64le.fragment for ppc64le)
#   --config-fragment
#               a config variant merged after the fragment (repeatable, in
#               order; e.g. configs/kernel/debug.fragment); checked like it
#   --cache     default ${PUDBENCH_CACHE:-~/.cache/pudbench}
#   --keep-src  keep the patched, built tree beside the result
#   --force     rebuild even if the result is cached
#
# The result lives in CACHE/kernels-built/KEY/, KEY being a hash of the
# base, the architecture, the source package version, the name and the
# sha256 of each patch's diff (not its message), the fragment, the config
# variants and this script's version.  That directory holds the image
# (bzImage; vmlinux, an ELF, for ppc64le), config, build.env (BASE,
# ARCH, SOURCE_PACKAGE, SOURCE_VERSION, PATCHES, PATCH_SHA256,
# FRAGMENT_SHA256, CONFIG_FRAGMENTS, CONFIG_SHA256, KREL, KEY, ...) and the logs (*.log).  A cached result is
# returned at once.  The last line on stdout is the image's path; all else
# goes to stderr.
#
# Exit status (a test may skip on 75 only; lib/matrix/fetch.c marks it
# "unreachable" in matrix.json):
#   0   ok, the bzImage path last on stdout
#   1   any other failure: build tools missing and not installable, a
#       damaged source package or tarball
#   2   a patch does not apply
#   3   options of the fragment dropped by Kconfig
#   4   configuration or build failed
#   5   a named patch or the fragment is not in the project
#   64  usage: an unknown argument, base or architecture (sysexits EX_USAGE)
#   75  the Debian archive could not be reached (downloading the source
#       package or installing the build tools failed on the network)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
# shellcheck source-path=SCRIPTDIR source=../lib/kernel-source.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/kernel-source.sh"

SCRIPT_VERSION=3

# The bases (tools/lib/kernel-source.sh: PB_BASE_SOURCE, PB_BASE_SUITE) are
# also the directories of their patches (patches/<base>/,
# tests/kernel-patches/<base>/).  The architectures: make's ARCH, the image
# target and where it lands, the cross compiler's prefix and package (none:
# the host's gcc), the default fragment.
declare -A ARCH_MAKE=([x86_64]=x86_64 [ppc64le]=powerpc)
declare -A ARCH_IMAGE=([x86_64]=arch/x86/boot/bzImage [ppc64le]=vmlinux)
declare -A ARCH_CROSS=([x86_64]='' [ppc64le]=powerpc64le-linux-gnu-)
declare -A ARCH_CROSS_PKG=([x86_64]='' [ppc64le]=gcc-powerpc64le-linux-gnu)
declare -A ARCH_FRAGMENT=([x86_64]=pudbench.fragment [ppc64le]=ppc64le.fragment)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${PUDBENCH_CACHE:-$HOME/.cache/pudbench}
base=7.3 arch=x86_64
patches_arg='' fragment= variants=()
jobs=$(nproc) keep_src=0 force=0

say() { printf 'build-kernel: %s\n' "$*" >&2; }
die() { local rc=$1; shift; say "error: $*"; exit "$rc"; }

while [ $# -gt 0 ]; do
	case $1 in
	--base) [ $# -ge 2 ] || die 64 "--base needs a base"; base=$2; shift 2 ;;
	--arch) [ $# -ge 2 ] || die 64 "--arch needs an architecture"; arch=$2; shift 2 ;;
	--patches) [ $# -ge 2 ] || die 64 "--patches needs a list"; patches_arg=$2; shift 2 ;;
	--fragment) [ $# -ge 2 ] || die 64 "--fragment needs a file"; fragment=$2; shift 2 ;;
	--config-fragment) [ $# -ge 2 ] || die 64 "--config-fragment needs a file"; variants+=("$2"); shift 2 ;;
	--cache) [ $# -ge 2 ] || die 64 "--cache needs a dir"; cache=$2; shift 2 ;;
	--jobs|-j) [ $# -ge 2 ] || die 64 "--jobs needs N"; jobs=$2; shift 2 ;;
	--keep-src) keep_src=1; shift ;;
	--force) force=1; shift ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 0 ;;
	*) die 64 "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "${PB_BASE_SOURCE[$base]:-}" ] || die 64 "unknown base '$base' (known: ${!PB_BASE_SOURCE[*]})"
[ -n "${ARCH_MAKE[$arch]:-}" ] || die 64 "unknown architecture '$arch' (known: ${!ARCH_MAKE[*]})"
SRC_PKG=${PB_BASE_SOURCE[$base]}
cross=${ARCH_CROSS[$arch]}
image_name=$(basename "${ARCH_IMAGE[$arch]}")
[ -n "$fragment" ] || fragment=$repo/configs/kernel/${ARCH_FRAGMENT[$arch]}
abspath() { printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"; }
[ -f "$fragment" ] || die 5 "no fragment $fragment"
fragment=$(abspath "$fragment")
for i in "${!variants[@]}"; do
	[ -f "${variants[$i]}" ] || die 5 "no config fragment ${variants[$i]}"
	variants[i]=$(abspath "${variants[$i]}")
done
# the base fragment, then each variant: merged and checked in this order
fragments=("$fragment" ${variants[@]+"${variants[@]}"})
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# --- patches: resolve names ------------------------------------------------
patch_list=$(pb_patch_files "$repo" "$base" "$patches_arg") || die 5 "see above"
patch_files=()
[ -z "$patch_list" ] || mapfile -t patch_files <<<"$patch_list"

# --- tools -----------------------------------------------------------------
need_pkgs=()
for t in make:make gcc:gcc flex:flex bison:bison bc:bc ccache:ccache xz:xz-utils \
	dpkg-deb:dpkg cpio:cpio perl:perl ${cross:+${cross}gcc:${ARCH_CROSS_PKG[$arch]}}; do
	command -v "${t%%:*}" >/dev/null || need_pkgs+=("${t#*:}")
done
for h in /usr/include/libelf.h:libelf-dev /usr/include/openssl/ssl.h:libssl-dev; do
	[ -f "${h%%:*}" ] || need_pkgs+=("${h#*:}")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	[ "$EUID" -eq 0 ] || die 1 "missing packages: ${need_pkgs[*]} (apt-get install them)"
	say "installing ${need_pkgs[*]}"
	rc=0
	DEBIAN_FRONTEND=noninteractive pb_apt_get . install -y "${need_pkgs[@]}" || rc=$?
	[ "$rc" -eq 0 ] || die "$rc" "apt-get install ${need_pkgs[*]} failed"
fi

# --- the source package (the .deb and tarball tools/build-libperf.sh uses too) ---
debs=$cache/debs
tarball=$cache/$SRC_PKG.tar.xz
rc=0
deb=$(pb_source_deb "$base" "$debs") || rc=$?
[ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || die "$rc" "downloading $SRC_PKG failed: the Debian archive is unreachable"
[ "$rc" -eq 0 ] || die "$rc" "downloading $SRC_PKG from ${PB_BASE_SUITE[$base]} failed (apt's messages above)"
src_version=$(dpkg-deb -f "$deb" Version)
[ -n "$src_version" ] || die 1 "no Version in $deb"

# --- cache key ---------------------------------------------------------------
key_input="script=$SCRIPT_VERSION
base=$base
arch=$arch
source=$SRC_PKG $src_version
fragment=$(sha256sum <"$fragment" | cut -d' ' -f1)"
variant_names=''
for f in ${variants[@]+"${variants[@]}"}; do
	key_input+=$'\n'"config-fragment=$(basename "$f") $(sha256sum <"$f" | cut -d' ' -f1)"
	variant_names+="${variant_names:+ }$(basename "$f" .fragment)"
done
patch_names='' patch_sums=''
for f in "${patch_files[@]}"; do
	# the diff only: a reworded commit message builds the same kernel (a
	# plain diff without git's headers starts at its first "--- a/")
	s=$(sed -n '/^\(diff --git \|--- a\/\)/,$p' "$f" | sha256sum | cut -d' ' -f1)
	name=${f#"$repo/patches/$base/"}	# a series' patch keeps its series: "mremap-pud/0001-..."
	[ "$name" != "$f" ] || name=$(basename "$f")
	key_input+=$'\n'"patch=$name $s"
	patch_names+="${patch_names:+ }$name"
	patch_sums+="${patch_sums:+ }$s"
done
key=$(printf '%s\n' "$key_input" | sha256sum | cut -c1-16)
out=$cache/kernels-built/$key
mkdir -p "$out"

exec 9>"$out/.lock"
if ! flock -n 9; then
	say "another build of $key is running; waiting"
	flock 9
fi

if [ "$force" = 0 ] && [ -s "$out/$image_name" ] && [ -f "$out/build.env" ]; then
	say "cached: $out (${patch_names:-no patches})"
	echo "$out/$image_name"
	exit 0
fi

# --- a fresh tree ------------------------------------------------------------
rm -f "$out/$image_name" "$out/build.env" "$out"/*.log "$out/config"
printf '%s\n' "$key_input" >"$out/key.txt"
pb_source_tarball "$base" "$deb" "$tarball" || die 1 "cannot extract the tarball from $deb"
work=$out/src
rm -rf "$work"
mkdir -p "$work"
say "unpacking $SRC_PKG $src_version (about 30 s)"
tar -xJf "$tarball" -C "$work" --strip-components=1 || die 1 "cannot unpack $tarball"
start=$(date +%s)

cleanup_src() { [ "$keep_src" = 1 ] || rm -rf "$work"; }
# An interrupted build leaves no half tree behind (nor an image: it is
# moved into place last).
trap 'rc=$?; [ $rc -eq 0 ] || { cleanup_src; rm -f "$out/$image_name.tmp"; }' EXIT
trap 'exit 130' INT TERM

# --- patches ---------------------------------------------------------------
: >"$out/patch.log"
for f in "${patch_files[@]}"; do
	say "applying $(basename "$f")"
	if ! (cd "$work" && patch -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch <"$f") >>"$out/patch.log" 2>&1; then
		cat "$out/patch.log" >&2
		cleanup_src
		die 2 "patch $(basename "$f") does not apply to $SRC_PKG $src_version (log: $out/patch.log)"
	fi
done

# --- config ----------------------------------------------------------------
export CCACHE_BASEDIR=$work CCACHE_NOHASHDIR=1 CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}
export KBUILD_BUILD_USER=pudbench KBUILD_BUILD_HOST=pudbench
mk=(make -C "$work" ARCH="${ARCH_MAKE[$arch]}" CC="ccache ${cross}gcc" HOSTCC="ccache gcc")
[ -z "$cross" ] || mk+=(CROSS_COMPILE="$cross")
say "configuring: tinyconfig + $(basename "$fragment")${variant_names:+ + $variant_names}"
{
	"${mk[@]}" tinyconfig &&
	(cd "$work" && ./scripts/kconfig/merge_config.sh -m .config "${fragments[@]}") &&
	"${mk[@]}" olddefconfig
} >"$out/config.log" 2>&1 || { cleanup_src; die 4 "configuration failed (log: $out/config.log)"; }

# What the fragments ask for, the last one's word winning (a variant may turn
# an option of the base fragment off), and what Kconfig made of it.
declare -A wanted=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) wanted[${line%%=*}]=${line#*=} ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; wanted[${opt%% *}]='' ;;
	esac
done < <(cat "${fragments[@]}")
dropped=()
for opt in "${!wanted[@]}"; do
	want=${wanted[$opt]}
	got=$(grep -m1 "^$opt=" "$work/.config" | cut -d= -f2- || true)
	[ "$got" != "$want" ] || continue
	if [ -n "$want" ]; then dropped+=("$opt=$want (got ${got:-unset})"); else dropped+=("$opt off (got $got)"); fi
done
if [ ${#dropped[@]} -gt 0 ]; then
	printf '  %s\n' "${dropped[@]}" >&2
	cp "$work/.config" "$out/config.rejected"
	cleanup_src
	die 3 "${#dropped[@]} option(s) of $(basename "$fragment")${variant_names:+ + $variant_names} are not set after olddefconfig (unmet dependencies?); see $out/config.rejected"
fi

# --- build -----------------------------------------------------------------
say "building $image_name with -j$jobs (log: $out/build.log; a cold build takes 15-20 min on 2 cores)"
if ! "${mk[@]}" -j"$jobs" "$image_name" >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	cleanup_src
	die 4 "kernel build failed (log: $out/build.log)"
fi
krel=$("${mk[@]}" -s kernelrelease 2>/dev/null)
cp "$work/${ARCH_IMAGE[$arch]}" "$out/$image_name.tmp"
cp "$work/.config" "$out/config"
end=$(date +%s)
ccache -s >"$out/ccache-stats.log" 2>&1 || true
cat >"$out/build.env" <<EOF
# written by tools/kernel/build-kernel.sh v$SCRIPT_VERSION
KEY=$key
BASE=$base
ARCH=$arch
SOURCE_PACKAGE=$SRC_PKG
SOURCE_VERSION=$src_version
PATCHES="$patch_names"
PATCH_SHA256="$patch_sums"
FRAGMENT=$(basename "$fragment")
FRAGMENT_SHA256=$(sha256sum <"$fragment" | cut -d' ' -f1)
CONFIG_FRAGMENTS="$variant_names"
CONFIG_SHA256=$(sha256sum <"$out/config" | cut -d' ' -f1)
KREL=$krel
BZIMAGE=$out/$image_name
BUILD_SECONDS=$((end - start))
BUILT_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
mv -f "$out/$image_name.tmp" "$out/$image_name"
cleanup_src
say "built $krel in $((end - start)) s: $out"
echo "$out/$image_name"
