#!/bin/bash
# Build the pudbench guest initramfs.
#
# usage: tools/vm/mkinitramfs.sh KERNEL_DIR OUT.cpio.gz [--bin PATH]...
#            [--file SRC:DST]... [--module NAME]... [--sysroot DIR]
#   KERNEL_DIR  a dir made by fetch-kernel.sh (has kernel.env); with MODDIR=
#               empty in kernel.env (a local bzImage) no modules are added
#   --bin PATH  host binary to put in /bin, with its shared-library closure
#   --file S:D  copy host file S to D inside the initramfs (e.g. a run script
#               to /etc/pudbench/run.sh); D ending in / keeps S's name
#   --module M  extra kernel module (with its modules.dep closure)
#   --sysroot D another architecture's guest (tools/cross/build-userland.sh):
#               the --bin binaries are cross-built, their shared libraries
#               (readelf's NEEDED, recursively) and busybox come from D
#
# Contents: busybox (static), the NVDIMM/devdax and virtio-console modules
# (decompressed: busybox insmod cannot read .ko.xz), the binaries, the
# guest marker /etc/pudbench-guest and guest/init.sh as /init.
set -euo pipefail

die() { echo "mkinitramfs: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
init_src="$here/../../guest/init.sh"

[ $# -ge 2 ] || die "usage: $0 KERNEL_DIR OUT.cpio.gz [--bin PATH]... [--file SRC:DST]... [--module NAME]..."
kdir=$1 out=$2
shift 2
bins=() files=() sysroot=
# Load order matters only through dependencies; these are what the guest
# needs: NVDIMM bus + ACPI NFIT, pmem, device-dax, and virtio-serial for the
# results channel (virtio_pci/virtio_console are =m on 6.1, =y on 6.12).
mods=(libnvdimm nd_btt nd_pmem nfit device_dax dax_pmem virtio_pci virtio_console)
while [ $# -gt 0 ]; do
    case $1 in
        --bin) [ $# -ge 2 ] || die "--bin needs PATH"; bins+=("$2"); shift 2 ;;
        --file) [ $# -ge 2 ] || die "--file needs SRC:DST"; files+=("$2"); shift 2 ;;
        --module) [ $# -ge 2 ] || die "--module needs NAME"; mods+=("$2"); shift 2 ;;
        --sysroot) [ $# -ge 2 ] || die "--sysroot needs DIR"; sysroot=$2; shift 2 ;;
        *) die "unknown argument '$1'" ;;
    esac
done

[ -f "$kdir/kernel.env" ] || die "$kdir/kernel.env missing (run fetch-kernel.sh)"
# shellcheck source=/dev/null
. "$kdir/kernel.env"
# A kernel dir with no modules (bzimage: specs, MODDIR empty) must have the
# drivers built in: the guest then loads nothing.
moddir=$kdir/lib/modules/$KREL
no_modules=0
if [ -z "${MODDIR-x}" ] || [ ! -d "$kdir/lib/modules" ]; then
    no_modules=1
    echo "mkinitramfs: $KREL has no modules: NVDIMM/devdax drivers must be built in" >&2
else
    [ -f "$moddir/modules.dep" ] || die "no modules.dep in $moddir"
fi
[ -f "$init_src" ] || die "missing $init_src"
busybox=$sysroot/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
    die "$busybox is not static (apt-get install busybox-static${sysroot:+; or add it to $sysroot})"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc/pudbench,proc,sys,dev,tmp,run,results,lib/modules}
cp "$busybox" "$stage/bin/busybox"
# Marker that dax-setup checks (together with pudbench.guest=1).
echo "pudbench guest initramfs for $KREL" > "$stage/etc/pudbench-guest"
install -m 0755 "$init_src" "$stage/init"
install -m 0755 "$here/../../guest/frame.sh" "$stage/bin/pudbench-frame"
install -m 0755 "$here/../../guest/param.sh" "$stage/bin/pudbench-param"

# --- modules -------------------------------------------------------------
# Map "name" to its modules.dep path; '-' and '_' are interchangeable.
mod_path() {
    local want=${1//-/_}
    awk -F: -v w="$want" '{
        n = $1; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n)
        gsub(/-/, "_", n); if (n == w) { print $1; exit }
    }' "$moddir/modules.dep"
}
mod_deps() {
    awk -F: -v p="$1" '$1 == p { print $2; exit }' "$moddir/modules.dep"
}
declare -A seen=()
order=()
# modules.dep lists the full closure, deepest last: add deps first (reversed).
add_mod() {
    local p=$1 d i deps=()
    [ -z "${seen[$p]:-}" ] || return 0
    seen[$p]=1
    read -r -a deps <<< "$(mod_deps "$p")"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
        d=${deps[i]}
        add_mod "$d"
    done
    order+=("$p")
}
[ "$no_modules" = 0 ] || mods=()
for m in "${mods[@]}"; do
    p=$(mod_path "$m")
    if [ -z "$p" ]; then
        if grep -qE "/${m//[-_]/[-_]}\.ko$" "$moddir/modules.builtin" 2>/dev/null; then
            echo "mkinitramfs: $m is built in" >&2
            continue
        fi
        # linux-base pruned from the archive and no modules.builtin: every
        # module is in modules.dep (depmod over all .ko), so $m is built in
        # or missing; a missing one shows in the guest (no NVDIMM region or
        # virtio port), never as a wrong count
        if [ "${LINUX_BASE:-}" = derived ] && [ ! -f "$moddir/modules.builtin" ]; then
            echo "mkinitramfs: $m is no module of $KREL: built in (no modules.builtin, linux-base derived)" >&2
            continue
        fi
        die "module $m neither in modules.dep nor modules.builtin of $KREL"
    fi
    add_mod "$p"
done
: > "$stage/etc/pudbench/modules"
for p in "${order[@]}"; do
    name=${p##*/}
    base=${name%.xz}; base=${base%.zst}; base=${base%.gz}
    case $name in
        *.ko.xz) xz -dc "$moddir/$p" > "$stage/lib/modules/$base" ;;
        *.ko.zst) zstd -qdc "$moddir/$p" > "$stage/lib/modules/$base" ;;
        *.ko.gz) gzip -dc "$moddir/$p" > "$stage/lib/modules/$base" ;;
        *.ko) cp "$moddir/$p" "$stage/lib/modules/$base" ;;
        *) die "odd module file $p" ;;
    esac
    echo "$base" >> "$stage/etc/pudbench/modules"
done

# --- binaries and their shared-library closure ----------------------------
# Libraries go to the same absolute path as on the host, so the interpreter
# path baked into the binary (/lib64/ld-linux-x86-64.so.2) resolves, and an
# ld.so.cache built for the stage finds the rest.
copy_host_file() {
    local src=$1 dst=$stage$1
    [ -e "$dst" ] && return 0
    mkdir -p "$(dirname "$dst")"
    cp -L "$src" "$dst"
}
# A cross-built binary: ldd cannot run its loader.  Its interpreter at its
# own path, every NEEDED library (recursively) at its path in the sysroot:
# Debian's multiarch directories, where its loader looks without an
# ld.so.cache.
sysroot_lib() {
    local d
    for d in "$sysroot"/lib/*-linux-gnu "$sysroot"/usr/lib/*-linux-gnu "$sysroot"/{lib64,usr/lib64,lib,usr/lib}; do
        [ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
copy_sysroot_closure() {
    local elf=$1 interp lib src dst
    interp=$(readelf -l "$elf" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    if [ -n "$interp" ] && [ ! -e "$stage$interp" ]; then
        mkdir -p "$stage$(dirname "$interp")"
        cp -L "$sysroot$interp" "$stage$interp" || die "no interpreter $interp in $sysroot"
    fi
    for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        src=$(sysroot_lib "$lib") || die "$(basename "$elf") needs $lib, which is not in $sysroot"
        dst=$stage${src#"$sysroot"}
        [ -e "$dst" ] && continue
        mkdir -p "$(dirname "$dst")"
        cp -L "$src" "$dst"
        copy_sysroot_closure "$dst"
    done
}
libdirs=()
for b in "${bins[@]}"; do
    [ -x "$b" ] || die "--bin $b is not an executable file"
    install -m 0755 "$b" "$stage/bin/$(basename "$b")"
    if [ -n "$sysroot" ]; then
        copy_sysroot_closure "$b"
        continue
    fi
    if ! ldd "$b" >/dev/null 2>&1; then
        continue    # static: nothing more to copy
    fi
    if ldd "$b" | grep -q 'not found'; then
        ldd "$b" >&2
        die "$b has unresolved libraries"
    fi
    while read -r lib; do
        copy_host_file "$lib"
        libdirs+=("$(dirname "$lib")")
    done < <(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
done
if [ ${#libdirs[@]} -gt 0 ]; then
    printf '%s\n' "${libdirs[@]}" | sort -u > "$stage/etc/ld.so.conf"
    ldconfig -r "$stage" -f /etc/ld.so.conf -C /etc/ld.so.cache
fi

for f in "${files[@]}"; do
    src=${f%%:*} dst=${f#*:}
    if [ "$src" = "$f" ] || [ -z "$dst" ]; then
        die "--file wants SRC:DST, got '$f'"
    fi
    [ -f "$src" ] || die "--file source $src missing"
    case $dst in */) dst=$dst$(basename "$src") ;; esac
    mkdir -p "$stage$(dirname "$dst")"
    cp -p "$src" "$stage$dst"
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --owner=0:0 --quiet) | gzip -6 > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1); modules: $(tr '\n' ' ' < "$stage/etc/pudbench/modules"))" >&2
