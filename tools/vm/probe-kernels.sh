#!/bin/bash
# End-to-end check of the guest runner: for each kernel SPEC, fetch it, build
# an initramfs with dax-setup + probe-mprotect, boot it with a 1 GiB devdax
# and print the probe's results.
#
# usage: tools/vm/probe-kernels.sh [SPEC...]
#   default SPECs: newest 6.1 and newest 6.12 Debian 12 kernels
# Env: CACHE (default .cache/vm), BUILD (default build/vm), TIMEOUT (600)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${CACHE:-$root/.cache/vm}
build=${BUILD:-$root/build/vm}
timeout=${TIMEOUT:-600}
[ $# -gt 0 ] || set -- 'debian:linux-image-6.1.0-*-amd64' 'debian:linux-image-6.12.*+deb12-amd64'

make -s -C "$root/guest" O="$build"
rc=0
for spec in "$@"; do
    kdir=$("$root/tools/vm/fetch-kernel.sh" "$spec" "$cache")
    # shellcheck source=/dev/null
    . "$kdir/kernel.env"
    initrd=$build/initrd-$KREL.cpio.gz
    out=$build/out-$KREL
    "$root/tools/vm/mkinitramfs.sh" "$kdir" "$initrd" \
        --bin "$build/dax-setup" --bin "$build/probe-mprotect" \
        --file "$root/guest/run-probe.sh:/etc/pudbench/run.sh"
    brc=0
    "$root/tools/vm/boot.sh" --kernel "$kdir" --initrd "$initrd" --out "$out" \
        --timeout "$timeout" || brc=$?
    echo "== $PACKAGE=$VERSION (boot rc=$brc, accel=$(cat "$out/accel.txt"))"
    cat "$out/results/probe.txt" "$out/results/timing.txt" "$out/host-timing.txt" 2>/dev/null || true
    [ "$brc" -eq 0 ] || rc=1
done
exit "$rc"
