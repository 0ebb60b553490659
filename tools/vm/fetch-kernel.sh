#!/bin/bash
# Fetch and unpack a Debian kernel image package for guest boots.
#
# usage: tools/vm/fetch-kernel.sh SPEC CACHE_DIR
#   SPEC      debian:<package>[=<version>]; <package> may be a glob such as
#             'linux-image-6.1.0-*-amd64' or 'linux-image-6.12.*+deb12-amd64',
#             meaning the newest matching signed generic amd64 image in the
#             configured Debian 12 sources.
#   CACHE_DIR debs are kept in CACHE_DIR/debs, trees in CACHE_DIR/kernels/<pkg>_<ver>
# Prints the extracted kernel dir (which holds kernel.env) on stdout.
#
# Never installs the kernel on the host: apt-get download + dpkg-deb -x only.
#
# Exit status (a test may skip on 75 only; lib/matrix/fetch.c marks it
# "unreachable" in matrix.json):
#   0   ok, the kernel dir on stdout
#   1   any other failure: no package matches SPEC, the .deb fails its
#       SHA256 from the archive index, no vmlinuz or modules in it, ...
#   64  usage: wrong arguments or an unsupported SPEC (sysexits EX_USAGE)
#   75  the Debian archive could not be reached: apt-get download failed on
#       the network, or this machine has no package lists at all
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"

die() { echo "fetch-kernel: $*" >&2; exit 1; }
usage() { echo "fetch-kernel: $*" >&2; exit 64; }
unreachable() { echo "fetch-kernel: $* (the Debian archive is unreachable)" >&2; exit "$PB_EXIT_UNREACHABLE"; }
log() { echo "fetch-kernel: $*" >&2; }

[ $# -eq 2 ] || usage "usage: $0 debian:<package>[=<version>] CACHE_DIR"
spec=$1
cache=$2
case $spec in
    debian:*) spec=${spec#debian:} ;;
    *) usage "unsupported SPEC '$spec' (only debian:<package>[=<version>])" ;;
esac
# no lists: apt-get update never reached an archive, nothing can resolve
! pb_apt_no_lists || unreachable "no apt package lists on this machine (apt-get update)"
pkg_glob=${spec%%=*}
want_ver=
[[ $spec == *=* ]] && want_ver=${spec#*=}

# Candidate (default-policy) version of a package, empty if none.
candidate() {
    apt-cache policy "$1" 2>/dev/null | awk '/^  Candidate:/ {print $2}' | grep -v '^(none)$' || true
}

# Resolve a glob to the newest matching package.  Only the signed generic
# flavour is wanted: drop debug symbols, cloud/rt flavours and -unsigned
# builds (same code, but the signed one is what Debian users boot).
resolve_glob() {
    local glob=$1 best_pkg='' best_ver='' p v names=()
    # apt-cache pkgnames takes a prefix: use the part before the first glob char.
    local prefix=${glob%%[\*\?\[]*}
    while read -r p; do
        # shellcheck disable=SC2053 # glob match is intended
        [[ $p == $glob ]] || continue
        case $p in *-dbg|*-unsigned|*-cloud-*|*-rt-*) continue ;; esac
        names+=("$p")
    done < <(apt-cache pkgnames "$prefix" | sort)
    [ ${#names[@]} -gt 0 ] || die "no package matches '$glob' (run apt-get update?)"
    # One apt-cache call for all candidates (one per name is slow).
    while read -r p v; do
        if [ -z "$best_ver" ] || dpkg --compare-versions "$v" gt "$best_ver"; then
            best_pkg=$p best_ver=$v
        fi
    done < <(apt-cache policy "${names[@]}" | awk '
        /^[^ ].*:$/ { pkg = substr($0, 1, length($0) - 1) }
        /^  Candidate:/ && $2 != "(none)" { print pkg, $2 }')
    [ -n "$best_pkg" ] || die "no installable package matches '$glob'"
    echo "$best_pkg $best_ver"
}

if [[ $pkg_glob == *[\*\?\[]* ]]; then
    # not < <(...): its exit status (no match) would be lost
    resolved=$(resolve_glob "$pkg_glob")
    read -r pkg ver <<<"$resolved"
    [ -z "$want_ver" ] || ver=$want_ver
else
    pkg=$pkg_glob
    ver=${want_ver:-$(candidate "$pkg")}
    [ -n "$ver" ] || die "package '$pkg' has no candidate version"
fi
log "resolved $spec -> $pkg=$ver"

mkdir -p "$cache/debs" "$cache/kernels"
cache=$(cd "$cache" && pwd)
kdir="$cache/kernels/${pkg}_${ver}"

# Fast path: already extracted and described (and not moved since).
if [ -f "$kdir/kernel.env" ] && [ -f "$(sed -n 's/^VMLINUZ=//p' "$kdir/kernel.env")" ]; then
    log "cached: $kdir"
    echo "$kdir"
    exit 0
fi
rm -rf "$kdir"

# Expected checksum from the archive index (signed Release -> Packages).
sha_expected=$(apt-cache show "$pkg=$ver" | awk '/^SHA256:/ {print $2; exit}')
[ -n "$sha_expected" ] || die "no SHA256 for $pkg=$ver in apt-cache show"
arch=$(dpkg --print-architecture)
# Debian file names encode ':' in epochs as %3a; kernel images have none, keep it simple.
deb="$cache/debs/${pkg}_${ver}_${arch}.deb"

verify_deb() {
    [ -s "$1" ] || return 1
    dpkg-deb --info "$1" >/dev/null 2>&1 || return 1
    [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha_expected" ]
}

if verify_deb "$deb"; then
    log "deb cached: $deb"
else
    rm -f "$deb"
    tmpd=$(mktemp -d "$cache/debs/.dl.XXXXXX")
    trap 'rm -rf "$tmpd"' EXIT
    log "downloading $pkg=$ver"
    # _apt cannot write into root-owned temp dirs; download as root explicitly.
    rc=0
    pb_apt_get "$tmpd" download -q -o APT::Sandbox::User=root "$pkg=$ver" || rc=$?
    [ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || unreachable "apt-get download $pkg=$ver failed"
    [ "$rc" -eq 0 ] || die "apt-get download $pkg=$ver failed (a stale index? apt-get update)"
    got=$(find "$tmpd" -maxdepth 1 -name '*.deb' | head -n1)
    [ -n "$got" ] || die "apt-get download produced no .deb"
    mv "$got" "$deb"
    verify_deb "$deb" || { rm -f "$deb"; die "downloaded $deb failed verification (SHA256 $sha_expected from the index)"; }
fi

# Extract into a temp dir and rename, so a half-extracted tree is never cached.
tmpk=$(mktemp -d "$cache/kernels/.x.XXXXXX")
trap 'rm -rf "$tmpk" ${tmpd:+"$tmpd"}' EXIT
dpkg-deb -x "$deb" "$tmpk"

vmlinuz=$(find "$tmpk/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n1)
[ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in $deb"
krel=${vmlinuz##*/vmlinuz-}
[ -d "$tmpk/lib/modules/$krel" ] || die "no lib/modules/$krel in $deb"
# The package ships no modules.dep (depmod runs at install time): make one.
if [ ! -s "$tmpk/lib/modules/$krel/modules.dep" ]; then
    depmod -b "$tmpk" "$krel"
fi

cat > "$tmpk/kernel.env" <<EOF
PACKAGE=$pkg
VERSION=$ver
KREL=$krel
VMLINUZ=$kdir/boot/vmlinuz-$krel
MODDIR=$kdir/lib/modules/$krel
EOF
rm -rf "$kdir"
mv "$tmpk" "$kdir"
trap - EXIT
[ -z "${tmpd:-}" ] || rm -rf "$tmpd"
log "extracted to $kdir"
echo "$kdir"
