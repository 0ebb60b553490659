#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Cross-build the guest's user land (pudbench-bin and dax-setup) for another
# architecture's guest kernel: Debian's cross gcc against a sysroot of that
# architecture's Debian packages, downloaded through an apt configuration
# of the suite's own (tools/lib/apt.sh with PB_APT_ARCH: the host's dpkg
# architectures and apt sources are never touched) and unpacked with
# dpkg-deb -x.  libperf is cross-built from the same linux-source as the
# host's (tools/build-libperf.sh) into the sysroot.
#
# usage: tools/cross/build-userland.sh --arch ppc64le [--cache DIR]
#
# Libraries: static where Debian ships the .a (json-c, inih, gsl, numa,
# uuid, libperf), shared otherwise (glibc, libdaxctl, libndctl and what
# they need): tools/vm/mkinitramfs.sh --sysroot copies those from the sysroot.
# The sysroot lives in CACHE/cross/ARCH/ (sysroot/, libperf-src/), the
# build in build-ARCH/ of the checkout.
# The last two lines on stdout: the sysroot, then the build directory
# (pudbench-bin and dax-setup in it).
#
# Exit status: 0; 1 a failure (a package, the build); 64 usage; 75 the
# Debian archive could not be reached.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${PUDBENCH_CACHE:-$HOME/.cache/pudbench}
arch=''

say() { printf 'build-userland: %s\n' "$*" >&2; }
die() { local rc=$1; shift; say "error: $*"; exit "$rc"; }

while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || die 64 "--arch needs an architecture"; arch=$2; shift 2 ;;
	--cache) [ $# -ge 2 ] || die 64 "--cache needs a dir"; cache=$2; shift 2 ;;
	*) die 64 "unknown argument '$1'" ;;
	esac
done

# pudbench's architecture names -> Debian's, the GNU triplet, make's ARCH
declare -A DEB_ARCH=([ppc64le]=ppc64el)
declare -A TRIPLET=([ppc64le]=powerpc64le-linux-gnu)
declare -A KARCH=([ppc64le]=powerpc)
[ -n "${DEB_ARCH[$arch]:-}" ] || die 64 "unknown architecture '$arch' (known: ${!DEB_ARCH[*]})"
triplet=${TRIPLET[$arch]}

# The sysroot's packages: the libraries and headers pudbench-bin and
# dax-setup link (CMakeLists.txt), glibc, the run-time closure of the
# shared ones, and the guest's busybox (tools/vm/mkinitramfs.sh --sysroot).  Debian 12's: the guest's user land is the host's release.
PKGS=(libc6 libc6-dev linux-libc-dev libgcc-s1
	libjson-c-dev libjson-c5 libinih-dev libinih1 libgsl-dev libgsl27 libgslcblas0
	libnuma-dev libnuma1 uuid-dev libuuid1
	libdaxctl-dev libdaxctl1 libndctl-dev libndctl6
	libkmod2 libudev1 liblzma5 libzstd1 libssl3 libcap2
	busybox-static)

# shellcheck disable=SC2034 # read by tools/lib/apt.sh
PB_APT_DIR=$cache/apt-${DEB_ARCH[$arch]} PB_APT_ARCH=${DEB_ARCH[$arch]}
# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$repo/tools/lib/apt.sh"
# shellcheck disable=SC2034 # read by tools/lib/apt.sh
PB_APT_SUITES="bookworm bookworm-security"
# shellcheck source-path=SCRIPTDIR source=../lib/kernel-source.sh
. "$repo/tools/lib/kernel-source.sh"

top=$cache/cross/$arch
sysroot=$top/sysroot
debs=$top/debs
mkdir -p "$top" "$debs"
exec 9>"$top/.lock"
flock 9

command -v "$triplet-gcc" >/dev/null || die 1 "no $triplet-gcc (apt-get install gcc-$triplet)"

# --- the sysroot: the newest of each package, unpacked; redone when the list changes
want=$(printf '%s\n' "${PKGS[@]}" | sha256sum | cut -c1-16)
if [ "$(cat "$sysroot/.pkgs" 2>/dev/null)" != "$want" ]; then
	rc=0
	pb_apt_update || rc=$?
	[ "$rc" -eq 0 ] || die "$rc" "apt update of the ${DEB_ARCH[$arch]} lists failed (log: $PB_APT_DIR/state/update-*.log)"
	rm -rf "$sysroot"
	mkdir -p "$sysroot"
	for p in "${PKGS[@]}"; do
		line=$(pb_apt_resolve "$p") || die 1 "$p:${DEB_ARCH[$arch]} is not in the package lists"
		read -r name ver _ <<<"$line"
		rc=0
		deb=$(pb_apt_download "$name=$ver" "$debs") || rc=$?
		[ "$rc" -eq 0 ] || die "$rc" "downloading $name=$ver:${DEB_ARCH[$arch]} failed"
		dpkg-deb -x "$deb" "$sysroot"
		# glibc stays shared (its static libm needs a static libc): drop its
		# archives but the *_nonshared.a that libc.so's linker script names
		[ "$name" != libc6-dev ] || dpkg-deb -c "$deb" | awk '{ print $6 }' |
			grep '\.a$' | grep -v '_nonshared\.a$' | (cd "$sysroot" && xargs rm -f)
		say "unpacked $(basename "$deb")"
	done
	# absolute symlinks (libfoo.so -> /lib/...) point into the host: make them relative
	while IFS= read -r l; do
		t=$(readlink "$l")
		ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$sysroot$t")" "$l"
	done < <(find "$sysroot" -type l -lname '/*')
	echo "$want" >"$sysroot/.pkgs"
fi

# --- libperf, cross-built from the host's linux-source into the sysroot
lp_src=$top/libperf-src
if [ ! -f "$sysroot/usr/local/lib64/libperf.a" ] && [ ! -f "$sysroot/usr/local/lib/libperf.a" ]; then
	rc=0
	deb=$(pb_source_deb "$PB_LIBPERF_BASE" "$cache/debs") || rc=$?
	[ "$rc" -eq 0 ] || die "$rc" "downloading ${PB_BASE_SOURCE[$PB_LIBPERF_BASE]} failed"
	tarball=$cache/${PB_BASE_SOURCE[$PB_LIBPERF_BASE]}.tar.xz
	pb_source_tarball "$PB_LIBPERF_BASE" "$deb" "$tarball" || die 1 "cannot extract $tarball"
	rm -rf "$lp_src"
	mkdir -p "$lp_src"
	say "unpacking tools/ of $(basename "$tarball") for libperf"
	tar -xJf "$tarball" -C "$lp_src" --strip-components=1 "${PB_BASE_SOURCE[$PB_LIBPERF_BASE]}/tools"
	lmk=(make ARCH="${KARCH[$arch]}" CROSS_COMPILE="$triplet-" CC="$triplet-gcc"
		EXTRA_CFLAGS="--sysroot=$sysroot" prefix=/usr/local DESTDIR="$sysroot")
	"${lmk[@]}" -C "$lp_src/tools/lib/perf" -j"$(nproc)" install_lib install_headers install_pkgconfig >&2 ||
		die 1 "libperf's cross build failed"
	libdir=$(dirname "$(find "$sysroot/usr/local" -name libperf.a | head -n1)")
	"${lmk[@]}" -C "$lp_src/tools/lib/api" install_lib libdir="${libdir#"$sysroot"}" >&2 ||
		die 1 "libapi's cross build failed"
	rm -f "$libdir"/libperf.so*
	# shellcheck disable=SC2016 # ${libdir} is for pkg-config
	sed -i 's/^Libs:.*/Libs: -L${libdir} -lperf -lapi/' "$libdir/pkgconfig/libperf.pc"
fi

# --- pudbench-bin and dax-setup
build=$repo/build-$arch
export PUDBENCH_SYSROOT=$sysroot
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_TOOLCHAIN_FILE="$repo/tools/cross/$arch.cmake" >&2 || die 1 "cmake (configure) failed"
cmake --build "$build" -j"$(nproc)" --target pudbench-bin dax-setup >&2 || die 1 "the build failed"
say "built $build/pudbench-bin and $build/dax-setup for $arch"
echo "$sysroot"
echo "$build"
