#!/bin/bash
# Which accelerator a kernel matrix runs under, found in seconds instead of
# a boot timeout.
#
# usage: tools/vm/accel-probe.sh --kernel KERNEL_DIR --initrd INITRD --out DIR
#            [--need-1g] [--bound SEC]
#   KERNEL_DIR, INITRD  a kernel of the matrix and its pudbench initramfs
#   --need-1g   the matrix maps 1 GiB pages (align 1G, hugepages_1g)
#   --bound     seconds a KVM guest gets to show its marker (default
#               $PUDBENCH_ACCEL_PROBE_S, else 20: TCG, slower than any KVM,
#               shows it after 7 s on a loaded 2-CPU host)
# Boots the kernel once under KVM through boot.sh with pudbench.probe=1: the
# guest's init prints "pudbench-probe: pdpe1gb=0|1 ..." first thing and powers
# off (guest/init.sh).  KVM is chosen only if
#   - the KVM device ($PUDBENCH_KVM_DEVICE, default /dev/kvm) is there and
#     readable and writable,
#   - QEMU neither exits at once nor stops on "KVM internal error",
#   - the marker is on the console within the bound,
#   - with --need-1g: the guest's CPU has pdpe1gb (the marker says so and
#     QEMU did not warn "host doesn't support requested feature: ...pdpe1gb").
# Else TCG.  Prints accel.txt's lines: the accelerator, then "reason: WHY".
# DIR keeps the probe boot (DIR/boot: console.log, qemu.err).
#
# What a probe saw is cached in ${PUDBENCH_CACHE:-~/.cache/pudbench}/accel/,
# one file per host CPU model, host kernel, QEMU version and KVM device (not
# per guest kernel: one choice per host and QEMU).  Removing the file
# probes again.  A missing or inaccessible device is checked every time and
# never cached.
# Exit status: 0 with a choice, 2 on bad arguments.
set -euo pipefail

die() { echo "accel-probe: $*" >&2; exit 2; }

kdir='' initrd='' out='' need_1g=0 bound=${PUDBENCH_ACCEL_PROBE_S:-20}
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kdir=$2; shift 2 ;;
        --initrd) initrd=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --need-1g) need_1g=1; shift ;;
        --bound) bound=$2; shift 2 ;;
        *) die "unknown argument '$1'" ;;
    esac
done
if [ -z "$kdir" ] || [ -z "$initrd" ] || [ -z "$out" ]; then die "need --kernel, --initrd and --out"; fi
[[ $bound =~ ^[1-9][0-9]*$ ]] || die "the bound wants whole seconds, not '$bound'"
here=$(cd "$(dirname "$0")" && pwd)
device=${PUDBENCH_KVM_DEVICE:-/dev/kvm}

verdict() { # accel reason
    printf '%s\nreason: %s\n' "$1" "$2"
    exit 0
}

if [ ! -e "$device" ]; then
    verdict tcg "KVM device $device missing"
elif [ ! -r "$device" ] || [ ! -w "$device" ]; then
    verdict tcg "KVM device $device not readable and writable by uid $(id -u)"
fi
command -v qemu-system-x86_64 > /dev/null ||
    verdict tcg "qemu-system-x86_64 missing"

# One cache file per what decides KVM's behaviour.
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
qemu_version=$(qemu-system-x86_64 --version 2>&1 | head -n1)
key="cpu=${cpu_model:-?}|host_kernel=$(uname -r)|qemu=$qemu_version|device=$device $(stat -L -c %t:%T "$device")"
cache=${PUDBENCH_CACHE:-$HOME/.cache/pudbench}/accel
cache_file=$cache/probe-$(printf '%s' "$key" | sha256sum | cut -c1-16).txt

cached() { # field
    sed -n "s/^$1=//p" "$cache_file" | head -n1
}

# The probe boot: its observations as KVM=ok|failed, PDPE1GB=0|1|? and WHY.
probe() {
    local b=$out/boot rc=0 t0 t1 marker qrc err last
    mkdir -p "$out"
    t0=$(date +%s.%N)
    # in the background: a SIGTERM stops boot.sh (and its QEMU) too, and caches nothing
    "$here/boot.sh" --kernel "$kdir" --initrd "$initrd" --out "$b" --accel kvm \
        --accel-reason "the accelerator probe" --align 0 --timeout "$bound" \
        --append "pudbench.probe=1" > "$out/boot.log" 2>&1 &
    bpid=$!
    trap 'kill "$bpid" 2>/dev/null; wait "$bpid"; exit 130' INT TERM
    wait "$bpid" || rc=$?
    trap - INT TERM
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    marker=$(tr -d '\r' < "$b/console.log" 2>/dev/null | grep -m1 '^pudbench-probe:' || true)
    qrc=$(sed -n 's/^qemu_rc=//p' "$b/host-timing.txt" 2>/dev/null || echo "?")
    err=$(grep -m1 -v '^\s*$' "$b/qemu.err" 2>/dev/null || true)
    last=$(tr -d '\r' < "$b/console.log" 2>/dev/null | grep -v '^\s*$' | tail -n1 | cut -c1-160 || true)
    if [ -n "$marker" ]; then
        KVM=ok PDPE1GB=$(sed -n 's/.*pdpe1gb=\([01]\).*/\1/p' <<< "$marker")
        WHY="a KVM guest reached init in ${secs}s, pdpe1gb=${PDPE1GB:-?} in its cpuinfo"
        if grep -q "host doesn't support requested feature.*pdpe1gb" "$b/qemu.err" 2>/dev/null; then
            PDPE1GB=0
            WHY="$WHY; QEMU: $(grep -m1 "pdpe1gb" "$b/qemu.err")"
        fi
        return 0
    fi
    KVM=failed PDPE1GB='?'
    if grep -q 'KVM internal error' "$b/qemu.err" 2>/dev/null; then
        WHY="KVM stopped the guest after ${secs}s: $(grep -m1 'KVM internal error' "$b/qemu.err")"
        ! grep -q 'emulation failure' "$b/qemu.err" || WHY="$WHY (emulation failure)"
    elif [ "$qrc" = 124 ]; then
        WHY="no sign of life from a KVM guest within ${bound}s (hang; console's last line: '${last:-none}')"
    elif [ "$qrc" != 0 ]; then
        WHY="QEMU under KVM exited $qrc after ${secs}s: ${err:-no message} (boot.sh rc $rc)"
    else
        WHY="the KVM guest powered off without the probe's marker (console's last line: '${last:-none}')"
    fi
}

if [ -f "$cache_file" ]; then
    KVM=$(cached KVM) PDPE1GB=$(cached PDPE1GB) WHY="$(cached WHY) (cached $(cached PROBED) in $cache_file)"
else
    probe
    mkdir -p "$cache"
    tmp=$(mktemp "$cache/.probe.XXXXXX")
    printf 'KEY=%s\nKVM=%s\nPDPE1GB=%s\nWHY=%s\nPROBED=%s\nKERNEL=%s\n' "$key" "$KVM" \
        "$PDPE1GB" "$WHY" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$kdir" > "$tmp"
    mv "$tmp" "$cache_file"
fi
if [ "$KVM" != ok ]; then
    verdict tcg "$WHY"
elif [ "$need_1g" = 1 ] && [ "$PDPE1GB" != 1 ]; then
    verdict tcg "the KVM guest's CPU lacks pdpe1gb, which the matrix's 1 GiB pages need: $WHY"
fi
verdict kvm "$WHY"
