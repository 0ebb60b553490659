#!/bin/sh
# Guest run script for the mprotect probe (installed as /etc/pudbench/run.sh):
# run the probe on the 1 GiB devdax and count "bad pud" in the kernel log.
set -eu
cat "$RESULTS/dax.txt"
probe-mprotect --dev "$(awk '/^DAX /{print $2}' "$RESULTS/dax.txt")" | tee "$RESULTS/probe.txt"
# dmesg reads the same ring buffer as /dev/kmsg, without blocking at its end.
n=$(dmesg | grep -c 'bad pud' || true)
echo "bad_pud_lines=$n" | tee -a "$RESULTS/probe.txt"
dmesg | grep 'bad pud' | head -n 5 > "$RESULTS/bad-pud.txt" || true
