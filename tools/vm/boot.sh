#!/bin/bash
# Boot a kernel + pudbench initramfs under QEMU with an emulated NVDIMM and
# collect the framed results.
#
# usage: tools/vm/boot.sh --kernel KERNEL_DIR --initrd INITRD.cpio.gz --out OUT_DIR
#            --accel kvm|tcg [--accel-reason WHY] [--timeout SEC]
#            [--align 1G|2M|0] [--numa2] [--mem 4G] [--pmem 4G]
#            [--smp 2] [--append "EXTRA CMDLINE"] [-- CMD ARGS...]
#   KERNEL_DIR  from fetch-kernel.sh (kernel.env gives VMLINUZ, and ARCH:
#               x86_64 when absent, ppc64le for a cross-built kernel)
#   --accel     the caller's choice (tools/vm/accel-probe.sh); never guessed
#               here, so one matrix never mixes accelerators.  A KVM guest
#               that stops on "KVM internal error" is killed at once.
#   --accel-reason  why: the second line of accel.txt
#   --numa2     two NUMA nodes (one CPU and half the RAM each); NVDIMM on node 1
#   CMD ARGS    run in the guest (words only: passed on the kernel cmdline
#               after "--"); default is the initramfs' /etc/pudbench/run.sh
# The guest cmdline names the accelerator that ran: pudbench.accel=kvm|tcg.
# The kernel's ARCH picks the machine: x86_64 is qemu-system-x86_64 -M
# pc,nvdimm=on with an nvdimm device and console ttyS0; ppc64le is
# qemu-system-ppc64 -M pseries -cpu POWER9 (the radix MMU, 1 GiB pages)
# with an spapr-nvdimm (a uuid and a 128 KiB label area, which papr_scm
# needs) and console hvc0.
# The guest boots with maxcpus=1: its init brings the other CPUs online once
# the counters are held (guest/init.sh), so no vCPU runs beside the kernel's
# boot-time text patching (multi-threaded TCG's "Oops: int3" race).
# OUT_DIR gets: console.log, accel.txt (the accelerator; "reason: WHY"),
# qemu.txt (command line), qemu.err, results/
# (the guest's files, checked against their length and sha256),
# results.status (OK/INCOMPLETE), host-timing.txt.
# Exit status: the guest command's rc if results are complete, else 3
# (incomplete / timeout).
set -euo pipefail

die() { echo "boot: $*" >&2; exit 1; }

kdir='' initrd='' out='' accel='' accel_reason='' timeout=900 align=1G numa2=0 mem=4G pmem=4G smp=2 extra=''
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kdir=$2; shift 2 ;;
        --initrd) initrd=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --accel) accel=$2; shift 2 ;;
        --accel-reason) accel_reason=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --align) align=$2; shift 2 ;;
        --numa2) numa2=1; shift ;;
        --mem) mem=$2; shift 2 ;;
        --pmem) pmem=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --append) extra=$2; shift 2 ;;
        --) shift; break ;;
        *) die "unknown argument '$1'" ;;
    esac
done
if [ -z "$kdir" ] || [ -z "$initrd" ] || [ -z "$out" ]; then die "need --kernel, --initrd and --out"; fi
[ -f "$kdir/kernel.env" ] || die "$kdir/kernel.env missing"
[ -f "$initrd" ] || die "no initrd $initrd"
# shellcheck source=/dev/null
. "$kdir/kernel.env"
[ -f "$VMLINUZ" ] || die "no kernel image $VMLINUZ"
# The machine by the kernel's architecture: QEMU's binary and package, its
# machine, CPU, NVDIMM device, console and what the cmdline adds.
label_size=0
case ${ARCH:-x86_64} in
    x86_64)
        qemu=qemu-system-x86_64 qemu_pkg=qemu-system-x86 machine='pc,nvdimm=on'
        # -cpu max: pdpe1gb (1 GiB PUD mappings) where the accelerator has it
        cpu=max console=ttyS0 arch_append='clocksource=tsc tsc=reliable'
        nvdimm_dev=nvdimm ;;
    ppc64le)
        qemu=qemu-system-ppc64 qemu_pkg=qemu-system-ppc machine=pseries
        cpu=POWER9 console=hvc0 arch_append=''
        # papr_scm's DIMMs have labels; QEMU wants the rest a multiple of 256 MiB
        label_size=$((128 << 10))
        nvdimm_dev="spapr-nvdimm,label-size=128k,uuid=$(cat /proc/sys/kernel/random/uuid)" ;;
    *) die "kernel.env names ARCH=$ARCH: no QEMU machine for it (x86_64, ppc64le)" ;;
esac
case $accel in
    kvm) accel_args=(-accel kvm -cpu "$cpu") ;;
    tcg) accel_args=(-accel 'tcg,thread=multi' -cpu "$cpu") ;;
    *) die "need --accel kvm or tcg, not '$accel' (tools/vm/accel-probe.sh chooses)" ;;
esac
command -v "$qemu" >/dev/null || die "$qemu missing (apt-get install $qemu_pkg)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/results" "$out/results.status"
mkdir -p "$out/results"

tmp=$(mktemp -d)
qpid=''
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    if [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; then
        # the backing file is open until QEMU is gone
        wait "$qpid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh sparse backing file each boot: no stale namespace info block, and
# about 1 GiB of real disk after a run.
img=$tmp/nvdimm.img
truncate -s "$pmem" "$img"
[ "$label_size" = 0 ] || truncate -s "+$label_size" "$img"
pmem_bytes=$(stat -c %s "$img")

append="console=$console loglevel=3 panic=-1${arch_append:+ $arch_append} maxcpus=1 pudbench.guest=1 pudbench.align=$align"
[ -z "$extra" ] || append="$append $extra"
cmd_tail=''
[ $# -eq 0 ] || cmd_tail=" -- $*"

mem_args=(-m "$mem,slots=2,maxmem=64G")
numa_args=()
nv_node=''
if [ "$numa2" = 1 ]; then
    [ "$smp" -ge 2 ] || die "--numa2 needs --smp >= 2"
    memg=${mem%G}
    if [ "$memg" = "$mem" ] || [ $((memg % 2)) -ne 0 ]; then die "--numa2 wants --mem as an even number of G"; fi
    half=$((memg / 2))G
    numa_args=(-object "memory-backend-ram,id=ram0,size=$half"
               -object "memory-backend-ram,id=ram1,size=$half"
               -numa "node,nodeid=0,cpus=0-$((smp / 2 - 1)),memdev=ram0"
               -numa "node,nodeid=1,cpus=$((smp / 2))-$((smp - 1)),memdev=ram1")
    nv_node=',node=1'
fi

# Results leave on a virtio-serial port (file chardev on the host), apart
# from the console; ttyS1 is the guest's fallback channel.
qemu_common=(
    -machine "$machine" -smp "$smp" "${mem_args[@]}" "${numa_args[@]}"
    -object "memory-backend-file,id=mem1,share=on,mem-path=$img,size=$pmem_bytes,align=1G"
    -device "$nvdimm_dev,id=nv1,memdev=mem1${nv_node}"
    -display none -monitor none -no-reboot
    -serial "file:$out/console.log"
    -serial "file:$tmp/ttyS1.raw"
    -device 'virtio-serial-pci,id=vser'
    -chardev "file,id=res,path=$tmp/results.raw"
    -device 'virtserialport,bus=vser.0,chardev=res,name=pudbench.results'
    -kernel "$VMLINUZ" -initrd "$initrd"
)

stop_qemu() {
    kill "$qpid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$qpid" 2>/dev/null || break
        sleep 0.2
    done
    kill -9 "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
    qpid=''
}

run_qemu() { # accel args...
    local accel=$1; shift
    # The guest learns the accelerator from its cmdline (lib/env.c).
    local app=("-append" "$append pudbench.accel=$accel$cmd_tail")
    : > "$out/console.log"
    printf '%q ' "$qemu" "$@" "${qemu_common[@]}" "${app[@]}" > "$out/qemu.txt"
    echo >> "$out/qemu.txt"
    # made here: the background job opens it after the fork, maybe after the first grep below
    : > "$tmp/qemu.err"
    "$qemu" "$@" "${qemu_common[@]}" "${app[@]}" </dev/null 2>> "$tmp/qemu.err" &
    qpid=$!
    # Bounded: kill QEMU when the guest does not power off in time.
    local waited=0
    while kill -0 "$qpid" 2>/dev/null; do
        if [ "$waited" -ge "$timeout" ]; then
            echo "boot: timeout after ${timeout}s ($accel), killing QEMU" >&2
            stop_qemu
            return 124
        fi
        # QEMU stops the guest and waits forever: no use waiting with it
        if grep -q 'KVM internal error' "$tmp/qemu.err"; then
            echo "boot: KVM internal error after ${waited}s, killing QEMU" >&2
            stop_qemu
            return 125
        fi
        sleep 1
        waited=$((waited + 1))
    done
    local rc=0
    wait "$qpid" || rc=$?
    qpid=''
    return "$rc"
}

t0=$(date +%s.%N)
qrc=0
run_qemu "$accel" "${accel_args[@]}" || qrc=$?
t1=$(date +%s.%N)
{
    echo "$accel"
    echo "reason: ${accel_reason:-given by the caller (--accel $accel)}"
} > "$out/accel.txt"
cp "$tmp/qemu.err" "$out/qemu.err"
{
    echo "accel=$accel"
    echo "qemu_rc=$qrc"
    echo "wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
} > "$out/host-timing.txt"

# Unpack the framed results; prefer virtio, fall back to ttyS1.
raw=$tmp/results.raw
[ -s "$raw" ] || raw=$tmp/ttyS1.raw
cp "$raw" "$out/results.raw"
"$(dirname "$0")/unframe.sh" "$raw" "$out/results" > "$out/results.status" || true
status=$(head -n1 "$out/results.status")
echo "boot: $PACKAGE=$VERSION accel=$accel qemu_rc=$qrc results=$status ($(tr '\n' ' ' < "$out/host-timing.txt"))" >&2
if [ "$status" = OK ] && [ -f "$out/results/rc" ]; then
    exit "$(cat "$out/results/rc")"
fi
exit 3
