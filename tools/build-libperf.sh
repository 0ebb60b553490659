#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build libperf (tools/lib/perf of Debian's linux-source-7.3, the test
# kernel's base: PB_LIBPERF_BASE in tools/lib/kernel-source.sh) into the
# repo-local prefix .deps/libperf, unless pkg-config already finds one.
# Only the static library is kept, so benchmark binaries stay self-contained
# (they also run inside minimal guest initrds).
#
#   PUDBENCH_CACHE   cache for the .deb and the extracted tools/ tree
#                    (default ~/.cache/pudbench)
#   LIBPERF_FORCE=1  rebuild even if the installed copy is up to date
#
# On success the last line printed is the PKG_CONFIG_PATH entry to use.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
# shellcheck source-path=SCRIPTDIR source=lib/kernel-source.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/kernel-source.sh"

SRC_PKG=${PB_BASE_SOURCE[$PB_LIBPERF_BASE]}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=$repo/.deps/libperf
cache=${PUDBENCH_CACHE:-$HOME/.cache/pudbench}
debs=$cache/debs
tarball=$cache/$SRC_PKG.tar.xz
srcdir=$cache/src/$SRC_PKG

say() { printf 'build-libperf: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The installed copy's pkgconfig dir, if it was installed here from
# $SRC_PKG: a .deps/ copied or moved from another tree names that tree's
# prefix (and the build would look for headers there), and one built from
# another source package is another libperf, so either counts as not installed.
installed_pc() {
	local d
	if [[ $(cat "$prefix/SOURCE" 2>/dev/null) != "$SRC_PKG" ]]; then
		[[ ! -d $prefix ]] || say "$prefix is not from $SRC_PKG; rebuilding"
		return 1
	fi
	for d in "$prefix/lib64/pkgconfig" "$prefix/lib/pkgconfig"; do
		[[ -f $d/libperf.pc ]] || continue
		grep -qxF "prefix=$prefix" "$d/libperf.pc" && { echo "$d"; return 0; }
		say "$d/libperf.pc names another tree's prefix ($(sed -n 's/^prefix=//p' "$d/libperf.pc")); rebuilding"
	done
	return 1
}

if [[ ${LIBPERF_FORCE:-0} != 1 ]]; then
	if pkg-config --exists libperf; then
		say "pkg-config already finds libperf $(pkg-config --modversion libperf); nothing to do"
		exit 0
	fi
	# Up to date: installed and newer than the source it came from.  With the
	# cache gone there is nothing to compare against; keep what we have.
	if pcdir=$(installed_pc) && [[ -f $pcdir/../libperf.a && -f $pcdir/../libapi.a ]] &&
		{ [[ ! -e $tarball ]] || [[ $pcdir/libperf.pc -nt $tarball ]]; }; then
		say "up to date: $prefix"
		echo "$pcdir"
		exit 0
	fi
fi

for tool in make gcc ar tar xz dpkg-deb apt-get; do
	command -v "$tool" >/dev/null || die "$tool not found (run tools/bootstrap.sh)"
done

# 1. The .deb: a cached one that dpkg-deb accepts, else downloaded (verified
# by apt; from the base's suite, which the host's sources may not list).
deb=$(pb_source_deb "$PB_LIBPERF_BASE" "$debs") || die "downloading $SRC_PKG failed (apt's messages above)"
say "using $deb"

# 2. The source tarball from the .deb (only that member).
pb_source_tarball "$PB_LIBPERF_BASE" "$deb" "$tarball" || die "cannot extract the tarball from $deb"

# 3. Only tools/ of the kernel tree: tools/lib/perf builds from tools/ alone.
if [[ ! -f $srcdir/tools/lib/perf/Makefile || $tarball -nt $srcdir/tools/lib/perf/Makefile ]]; then
	say "unpacking $SRC_PKG/tools into $cache/src (about 30 s)"
	rm -rf "$srcdir"
	mkdir -p "$cache/src"
	tar -xJf "$tarball" -C "$cache/src" "$SRC_PKG/tools"
	touch "$srcdir/tools/lib/perf/Makefile"
fi

# 4. Build and install.  Not plain "install": that also builds the docs.
say "building libperf into $prefix"
rm -rf "$prefix"
# The source (and its objects) is shared by every tree on this machine; the
# .pc it generates names the prefix of the tree that built first: remake it.
rm -f "$srcdir/tools/lib/perf/libperf.pc"
make -C "$srcdir/tools/lib/perf" -j"$(nproc)" \
	install_lib install_headers install_pkgconfig prefix="$prefix" >&2
echo "$SRC_PKG" >"$prefix/SOURCE"
pcdir=$(installed_pc) || die "make succeeded but installed no libperf.pc"
libdir=$(dirname "$pcdir")
# libperf.a references libapi (fdarray__*, used by evlist polling) without
# containing it, so a static link also needs libapi.a.  Its Makefile does not
# know about lib64: give it libperf's libdir.
make -C "$srcdir/tools/lib/api" install_lib libdir="$libdir" >&2
[[ -f $libdir/libapi.a ]] || die "libapi.a not installed into $libdir"
# Static only: drop the .so so that -lperf cannot pick it (no rpath games),
# and make the .pc self-sufficient for that static archive.
rm -f "$libdir"/libperf.so*
# shellcheck disable=SC2016 # ${libdir} is for pkg-config
sed -i 's/^Libs:.*/Libs: -L${libdir} -lperf -lapi/' "$pcdir/libperf.pc"
touch "$pcdir/libperf.pc"
say "installed; use PKG_CONFIG_PATH=$pcdir"
echo "$pcdir"
