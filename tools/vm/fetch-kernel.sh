#!/bin/bash
# Fetch and unpack a Debian kernel image package for guest boots.
#
# usage: tools/vm/fetch-kernel.sh SPEC CACHE_DIR
#        tools/vm/fetch-kernel.sh --list SPEC
#   SPEC      debian:[<suite>/]<package>[=<version>]; <package> may be a glob
#             such as 'linux-image-6.1.0-*-amd64' or
#             'linux-image-7.3.*+deb13-amd64': the newest matching signed
#             generic image (Debian version order), in <suite> if given, else
#             in any suite of the suite's own apt (tools/lib/apt.sh: bookworm,
#             bookworm-security, trixie, trixie-backports, sid).
#   CACHE_DIR debs are kept in CACHE_DIR/debs, trees in CACHE_DIR/kernels/<pkg>_<ver>
#   --list    print every image SPEC matches, "PACKAGE VERSION SUITE" a
#             line, oldest first (what a bisect walks); downloads nothing
# Prints the extracted kernel dir (which holds kernel.env) on stdout.
#
# From 6.19 on linux-image-X is a small package that depends on
# linux-binary-X (usr/lib/modules/X/vmlinuz), linux-modules-X (.ko.xz) and
# linux-base-X (modules.builtin; from 6.18 on); those are fetched with it.
# A linux-base pruned from the archive is derived (LINUX_BASE=derived in
# kernel.env; LINUX_BASE=<package>=<version> when fetched, empty when the
# image needs none).  A merged-/usr tree (usr/lib/modules) is moved
# to lib/modules, where tools/vm/mkinitramfs.sh (which decompresses the
# modules it takes) looks.  Never installs the kernel on the host: apt-get
# download + dpkg-deb -x only; apt verifies the Release signature and each
# .deb's hash, and the .deb is checked again against the index's SHA256.
#
# Exit status (a test may skip on 75 only; lib/matrix/fetch.c marks it
# "unreachable" in matrix.json):
#   0   ok, the kernel dir (or the --list) on stdout
#   1   any other failure: the .deb fails its SHA256, no vmlinuz or modules
#       in it, every suite failed to update for another reason, ...
#   64  usage: wrong arguments or an unsupported SPEC (sysexits EX_USAGE)
#   66  no such package or version in the archive (any more): the versions
#       that are are listed on stderr (EX_NOINPUT)
#   69  incomplete: the image depends on a linux-binary- or -modules-
#       package that has no installable version (EX_UNAVAILABLE); a bisect
#       skips such a version
#   75  the Debian archive could not be reached (every suite's update or
#       the download failed on the network)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"

EXIT_INCOMPLETE=69
die() { echo "fetch-kernel: $*" >&2; exit 1; }
usage() { echo "fetch-kernel: $*" >&2; exit 64; }
unreachable() { echo "fetch-kernel: $* (the Debian archive is unreachable)" >&2; exit "$PB_EXIT_UNREACHABLE"; }
log() { echo "fetch-kernel: $*" >&2; }

# The signed generic flavour only: no debug symbols, cloud/rt flavours or
# -unsigned builds (same code, but the signed one is what Debian users boot).
export PB_APT_EXCLUDE='-dbg$|-unsigned$|-cloud-|-rt-'

list=0
[ "${1:-}" != --list ] || { list=1; shift; }
[ $# -eq $((2 - list)) ] || usage "usage: $0 debian:[<suite>/]<package>[=<version>] CACHE_DIR | --list SPEC"
spec=$1
case $spec in
    debian:*) spec=${spec#debian:} ;;
    *) usage "unsupported SPEC '$spec' (only debian:[<suite>/]<package>[=<version>])" ;;
esac
pb_apt_parse_spec "$spec" || usage "bad SPEC 'debian:$spec' (expected debian:[<suite>/]<package>[=<version>])"
if [ -n "$PB_SPEC_SUITE" ] && [[ " $PB_APT_SUITES " != *" $PB_SPEC_SUITE "* ]]; then
    usage "unknown suite '$PB_SPEC_SUITE' in 'debian:$spec' (known: $PB_APT_SUITES)"
fi

# An exact package=version already extracted needs no archive at all.
cached_dir() {
    local kdir=$1
    [ -f "$kdir/kernel.env" ] && [ -f "$(sed -n 's/^VMLINUZ=//p' "$kdir/kernel.env")" ]
}
if [ "$list" = 0 ] && [ -n "$PB_SPEC_VERSION" ] && [[ $PB_SPEC_GLOB != *[\*\?\[]* ]] &&
    cached_dir "$2/kernels/${PB_SPEC_GLOB}_$PB_SPEC_VERSION"; then
    log "cached: $2/kernels/${PB_SPEC_GLOB}_$PB_SPEC_VERSION"
    (cd "$2/kernels/${PB_SPEC_GLOB}_$PB_SPEC_VERSION" && pwd)
    exit 0
fi

rc=0
# shellcheck disable=SC2086 # an empty suite means all of them
pb_apt_update $PB_SPEC_SUITE || rc=$?
[ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || unreachable "no suite's package lists could be updated"
[ "$rc" -eq 0 ] || die "no suite's package lists could be updated (see above)"

if [ "$list" = 1 ]; then
    pb_apt_versions "$PB_SPEC_GLOB" "$PB_SPEC_SUITE" ||
        { log "no image matching '$PB_SPEC_GLOB' in ${PB_SPEC_SUITE:-$PB_APT_SUITES}"; exit "$PB_EXIT_NOT_IN_ARCHIVE"; }
    exit 0
fi

rc=0
resolved=$(pb_apt_resolve "$spec") || rc=$?
[ "$rc" -eq 0 ] || { log "debian:$spec: nothing to fetch"; exit "$rc"; }
read -r pkg ver suite <<<"$resolved"
log "resolved debian:$spec -> $pkg=$ver ($suite)"

mkdir -p "$2/debs" "$2/kernels"
cache=$(cd "$2" && pwd)
kdir="$cache/kernels/${pkg}_${ver}"
if cached_dir "$kdir"; then
    log "cached: $kdir"
    echo "$kdir"
    exit 0
fi

# The packages that hold the kernel: the image, and from 6.19 on the
# linux-binary-/linux-modules- packages it depends on (an exact version
# each), and linux-base- (modules.builtin, modules.order) where there is one.
# trixie-backports keeps the images of 6.18 ... 7.1 but pruned their
# linux-base: it holds no code (modules.builtin/.order/.builtin.modinfo,
# config, a System.map stub, docs; 6.18's images carry those files
# themselves), so its absence is recorded (LINUX_BASE=derived: modules.dep by
# depmod below) and mkinitramfs.sh takes a wanted module found in no .ko as
# built in, which the guest's checks see if not.  No vmlinuz or no modules: 69.
parts=("$pkg=$ver")
linux_base=
while read -r name op dver; do
    [[ $name =~ ^linux-(binary|modules|base)- ]] || continue
    found=$(pb_apt_satisfying "$name" "$op" "$dver") || {
        if [[ $name == linux-base-* ]]; then
            log "$pkg=$ver ($suite) needs $name${op:+ ($op $dver)}, which is not in the archive any more: deriving its files"
            linux_base=derived
            continue
        fi
        log "incomplete: $pkg=$ver ($suite) needs $name${op:+ ($op $dver)}, which has no installable version in $PB_APT_SUITES"
        exit "$EXIT_INCOMPLETE"
    }
    read -r dname dv _ <<<"$found"
    parts+=("$dname=$dv")
    [[ $dname != linux-base-* ]] || linux_base=$dname=$dv
done < <(pb_apt_depends "$pkg=$ver")

tmpk=$(mktemp -d "$cache/kernels/.x.XXXXXX")
trap 'rm -rf "$tmpk"' EXIT
for part in "${parts[@]}"; do
    log "fetching $part"
    rc=0
    deb=$(pb_apt_download "$part" "$cache/debs") || rc=$?
    [ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || unreachable "apt-get download $part failed"
    [ "$rc" -eq 0 ] || die "apt-get download $part failed (see above)"
    # extract into a temp dir renamed at the end: a half tree is never cached
    dpkg-deb -x "$deb" "$tmpk"
done

# merged /usr: the modules (and from 6.19 vmlinuz) under usr/lib/modules
if [ -d "$tmpk/usr/lib/modules" ] && [ ! -d "$tmpk/lib/modules" ]; then
    mkdir -p "$tmpk/lib"
    mv "$tmpk/usr/lib/modules" "$tmpk/lib/modules"
fi
vmlinuz=$(find "$tmpk/boot" -maxdepth 1 -name "vmlinuz-*" 2>/dev/null | head -n1 || true)
[ -n "$vmlinuz" ] || vmlinuz=$(find "$tmpk/lib/modules" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null | head -n1 || true)
[ -n "$vmlinuz" ] || die "no boot/vmlinuz-* or usr/lib/modules/*/vmlinuz in ${parts[*]}"
if [[ $vmlinuz == */boot/* ]]; then krel=${vmlinuz##*/vmlinuz-}; else krel=$(basename "$(dirname "$vmlinuz")"); fi
find "$tmpk/lib/modules/$krel" -name '*.ko*' -print -quit 2>/dev/null | grep -q . ||
    die "no modules under lib/modules/$krel in ${parts[*]}"
# The package ships no modules.dep (depmod runs at install time): make one.
[ -s "$tmpk/lib/modules/$krel/modules.dep" ] || depmod -b "$tmpk" "$krel"
# the linux-base it has (only split images have one), and for a derived
# one where modules.builtin came from (6.18's images carry it)
base_env=
if [ "$linux_base" = derived ]; then
    builtin=none
    [ ! -f "$tmpk/lib/modules/$krel/modules.builtin" ] || builtin=$pkg
    log "linux-base derived: modules.dep by depmod; modules.builtin from: $builtin"
    base_env="LINUX_BASE=derived"$'\n'"MODULES_BUILTIN=$builtin"$'\n'
elif [ -n "$linux_base" ]; then
    base_env="LINUX_BASE=$linux_base"$'\n'
fi

cat > "$tmpk/kernel.env" <<EOF
PACKAGE=$pkg
VERSION=$ver
APT_SUITE=$suite
PARTS="${parts[*]}"
${base_env}KREL=$krel
VMLINUZ=$kdir/${vmlinuz#"$tmpk"/}
MODDIR=$kdir/lib/modules/$krel
EOF
rm -rf "$kdir"
mv "$tmpk" "$kdir"
trap - EXIT
log "extracted to $kdir"
echo "$kdir"
