#!/bin/busybox sh
# pudbench-param NAME DEFAULT: the value of pudbench.NAME=... on the kernel
# cmdline (before any "--"), or DEFAULT.  The host passes the run's
# parameters there (tools/vm/boot.sh).
# shellcheck shell=sh
read -r cmdline < /proc/cmdline
# Word splitting of the cmdline is intended.
for w in $cmdline; do
    case $w in
        "pudbench.$1="*) echo "${w#pudbench.$1=}"; exit 0 ;;
        --) break ;;
    esac
done
echo "$2"
