#!/bin/sh
# Guest run script of `pudbench kernels` (installed as /etc/pudbench/run.sh;
# init.sh runs it with pudbench.align=0, so the namespace is set up here).
# For each alignment on the cmdline (pudbench.aligns=1G,2M): dax-setup
# converts the namespace, then pudbench-bin runs the suite on that devdax.
# Each align's results.json goes to the host as results-<align>.json as
# soon as it is written (pudbench-frame), not only at poweroff.
# shellcheck shell=sh
set -u
aligns=$(pudbench-param aligns 1G)
# A test kernel's knob ([kernel:LABEL] debugfs = NAME=VALUE): set before
# the suite, or no run at all (a kernel without it is not the one meant).
knob=$(pudbench-param debugfs '')
if [ -n "$knob" ]; then
    f=/sys/kernel/debug/pudbench/${knob%%=*}
    if ! echo "${knob#*=}" > "$f" 2>/dev/null; then
        echo "debugfs knob $f cannot be set to ${knob#*=}: this kernel lacks it"
        exit 1
    fi
    echo "debugfs knob $f = $(cat "$f")"
fi
rc=0
for a in $(echo "$aligns" | tr ',' ' '); do
    echo "== align $a"
    if ! dax-setup --align "$a" > "$RESULTS/dax-$a.txt" 2>> "$RESULTS/dax-setup.err"; then
        echo "dax-setup --align $a failed: $(cat "$RESULTS/dax-setup.err")"
        rc=1
        continue
    fi
    cat "$RESULTS/dax-$a.txt"
    dev=$(awk '/^DAX /{print $2}' "$RESULTS/dax-$a.txt")
    i=0
    while [ ! -e "$dev" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    read -r t0 _ < /proc/uptime
    pudbench-bin run --config /etc/pudbench/suite.conf --device "$dev" --destructive \
        --out "/results/$a" > "$RESULTS/run-$a.log" 2>&1
    r=$?
    read -r t1 _ < /proc/uptime
    echo "align_${a}_rc=$r align_${a}_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >> "$RESULTS/timing.txt"
    tail -n 5 "$RESULTS/run-$a.log"
    # Sent now, so a hang in a later align loses nothing of this one.
    if [ -f "/results/$a/results.json" ]; then
        cp "/results/$a/results.json" "/tmp/results-$a.json"
        pudbench-frame "/tmp/results-$a.json" ||
            cp "/tmp/results-$a.json" "$RESULTS/"   # no channel: init.sh reports
    fi
    [ "$r" = 0 ] || rc=$r
done
exit $rc
