#!/bin/busybox sh
# /init of the pudbench guest initramfs (built by tools/vm/mkinitramfs.sh).
#
# Kernel cmdline:
#   pudbench.guest=1        required by dax-setup (with /etc/pudbench-guest)
#   pudbench.hold_counters=0  do not hold the counters' keys on (see below)
#   pudbench.align=1G|2M|0  devdax alignment; 0 skips dax-setup (default 1G)
#   pudbench.probe=1        print "pudbench-probe: pdpe1gb=0|1 ..." and power
#                           off at once (tools/vm/accel-probe.sh)
#   maxcpus=1               (boot.sh) the other CPUs come online here, after
#                           the counters are held
#   ... -- CMD ARGS         command to run (the kernel hands words after
#                           "--" to init); else /etc/pudbench/run.sh
# The command runs with RESULTS=/results; every regular file there is sent
# to the host, framed, on the virtio-serial port "pudbench.results" (ttyS1,
# or hvc1 on pseries, if there is no such port).  Then the guest powers off.  The command may
# send files earlier itself with pudbench-frame (guest/frame.sh).
# shellcheck shell=sh

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export RESULTS=/results
export HOME=/root
umask 022

log() { echo "pudbench-init: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
mkdir -p /dev/pts /dev/shm /root
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
read -r up_init _ < /proc/uptime
# The accelerator probe's marker: init runs, and the CPU has or lacks 1 GiB pages.
if [ "$(pudbench-param probe 0)" = 1 ]; then
    echo "pudbench-probe: pdpe1gb=$(grep -qw pdpe1gb /proc/cpuinfo && echo 1 || echo 0) uptime=$up_init"
    poweroff -f
fi
echo "init_uptime=$up_init" > "$RESULTS/timing.txt"
# "0" under maxcpus=1: no other CPU ran while the kernel booted
echo "cpus_online_at_init=$(cat /sys/devices/system/cpu/online)" >> "$RESULTS/timing.txt"

align=$(pudbench-param align 1G)

# Modules in dependency order (one per line, made by mkinitramfs.sh).
while read -r m; do
    insmod "/lib/modules/$m" 2>/tmp/insmod.err ||
        log "insmod $m failed: $(cat /tmp/insmod.err)"
done < /etc/pudbench/modules

# The counters' static keys go on while CPU 0 runs alone: flipping a key
# patches kernel text, and multi-threaded TCG races with that (the other
# vCPU runs an int3 already patched away: "Oops: int3").  The holder keeps
# the keys on and is never stopped (closing would flip them back, the same
# race); the harness's own opens only take references
# (src/cmd_hold_counters.c, tools/vm/tcg-poke-race.sh).  boot.sh boots with
# maxcpus=1 (the kernel patches text at boot too), so CPU 0 is usually
# alone already; any other online CPU goes offline here.
hold_counters() {
    command -v pudbench-bin > /dev/null || return 0
    # pudbench.hold_counters=0: the race's reproducer (tools/vm/tcg-poke-race.sh)
    [ "$(pudbench-param hold_counters 1)" = 1 ] || return 0
    n=0
    for f in /sys/devices/system/cpu/cpu[1-9]*/online; do
        [ -e "$f" ] || continue
        [ "$(cat "$f")" = 1 ] || continue
        if echo 0 > "$f"; then
            n=$((n + 1))
        else
            log "cannot take ${f%/online} offline"
        fi
    done
    pudbench-bin hold-counters --ready /tmp/counters-held > /tmp/hold-counters.log 2>&1 &
    wait_for /tmp/counters-held 30 ||
        log "hold-counters did not get ready: $(cat /tmp/hold-counters.log)"
    echo "counters_held=$([ -e /tmp/counters-held ] && echo 1 || echo 0)" >> "$RESULTS/timing.txt"
    echo "cpus_offlined=$n" >> "$RESULTS/timing.txt"
}

# Every present CPU online (held counters or not), so the suite gets the
# CPUs the host gave (-smp); one that cannot come up fails the run.
online_cpus() {
    n=0 stuck=''
    for f in /sys/devices/system/cpu/cpu[1-9]*/online; do
        [ -e "$f" ] || continue
        [ "$(cat "$f")" = 0 ] || continue
        if echo 1 > "$f" && [ "$(cat "$f")" = 1 ]; then
            n=$((n + 1))
        else
            stuck="$stuck ${f%/online}"
        fi
    done
    echo "cpus_onlined=$n" >> "$RESULTS/timing.txt"
    echo "cpus_online=$(cat /sys/devices/system/cpu/online)" >> "$RESULTS/timing.txt"
    [ -z "$stuck" ] && return 0
    # run.log's last line is the failed kernel's reason in matrix.json
    log "cannot bring CPUs online:$stuck" | tee -a "$RESULTS/run.log"
    return 1
}

# Pick the results channel now, so a failing run still reports.
port=
for d in /sys/class/virtio-ports/vport*; do
    [ -e "$d/name" ] || continue
    if [ "$(cat "$d/name")" = pudbench.results ]; then
        port=/dev/${d##*/}
    fi
done
# the second -serial: ttyS1 on x86, hvc1 (an spapr-vty) on pseries
for tty in /dev/ttyS1 /dev/hvc1; do
    if [ -z "$port" ] && [ -e "$tty" ]; then
        port=$tty
        stty -F "$port" raw -echo 115200 2>/dev/null || true
    fi
done
log "results channel: ${port:-none}"
# pudbench-frame (guest/frame.sh) sends on it; so may the command.
export PUDBENCH_PORT="$port"
: > /tmp/pudbench-sent

wait_for() { # path seconds
    i=0
    while [ ! -e "$1" ] && [ "$i" -lt $(($2 * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -e "$1" ]
}

rc=0
if [ "$align" != 0 ]; then
    if wait_for /sys/bus/nd/devices/region0 10; then
        if dax-setup --align "$align" > "$RESULTS/dax.txt" 2> "$RESULTS/dax-setup.err"; then
            cat "$RESULTS/dax.txt"
            dev=$(awk '/^DAX /{print $2}' "$RESULTS/dax.txt")
            wait_for "$dev" 5 || log "$dev did not appear"
        else
            rc=$?
            log "dax-setup failed rc=$rc: $(cat "$RESULTS/dax-setup.err")"
        fi
    else
        rc=1
        log "no NVDIMM region0 (is -machine nvdimm=on and nfit loaded?)"
    fi
fi
hold_counters
if ! online_cpus && [ "$rc" = 0 ]; then rc=1; fi
read -r up_ready _ < /proc/uptime
echo "ready_uptime=$up_ready" >> "$RESULTS/timing.txt"

if [ "$rc" = 0 ]; then
    if [ $# -gt 0 ]; then
        log "running: $*"
        "$@" > "$RESULTS/run.log" 2>&1
        rc=$?
    elif [ -x /etc/pudbench/run.sh ]; then
        log "running /etc/pudbench/run.sh"
        /etc/pudbench/run.sh > "$RESULTS/run.log" 2>&1
        rc=$?
    else
        log "nothing to run"
    fi
fi
echo "$rc" > "$RESULTS/rc"
read -r up_done _ < /proc/uptime
echo "done_uptime=$up_done" >> "$RESULTS/timing.txt"
log "command rc=$rc"
# The kernel log (e.g. "bad pud") goes out with the results.
dmesg > "$RESULTS/dmesg.txt" 2>&1
uname -a > "$RESULTS/uname.txt"

# Send every file left in $RESULTS (pudbench-frame: framed, checked on the
# host), then "=== DONE files=K ===" with K counting the files the command
# already sent itself.
send_results() {
    for f in "$RESULTS"/*; do
        [ -f "$f" ] && pudbench-frame "$f"
    done
    echo "=== DONE files=$(wc -l < /tmp/pudbench-sent) ===" >> "$port"
}
if [ -n "$port" ]; then
    send_results
    # Give the port a moment to drain before the power goes.
    sleep 1
else
    log "no results channel; results only on the console"
    cat "$RESULTS/run.log" 2>/dev/null
fi
sync
log "poweroff"
poweroff -f
