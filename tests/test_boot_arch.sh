#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034,SC2317 # check() evals its condition (the variables and functions it uses)
# SPDX-License-Identifier: MIT
#
# tools/vm/boot.sh picks QEMU's machine from the kernel's architecture
# (kernel.env ARCH): fake qemu-system-x86_64 and qemu-system-ppc64 first in
# PATH record their arguments and exit, so no VM boots and no QEMU is
# needed.  x86_64 (and no ARCH: a Debian kernel) is -M pc,nvdimm=on with an
# nvdimm device and console ttyS0; ppc64le is -M pseries -cpu POWER9 with an
# spapr-nvdimm (uuid=, a 128 KiB label area on top of the size asked) and
# console hvc0; another ARCH is refused by name.
#   test_boot_arch.sh SOURCE_DIR
set -uo pipefail

src=$1
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

mkdir -p "$tmp/bin"
for q in qemu-system-x86_64 qemu-system-ppc64; do
	printf '#!/bin/sh\nprintf "%%s\\n" "$0" "$@" > "%s/args.%s"\n' "$tmp" "$q" >"$tmp/bin/$q"
	chmod +x "$tmp/bin/$q"
done
: >"$tmp/image" && : >"$tmp/initrd"

# boot ARCH_LINE NAME: boot.sh on a kernel.env with ARCH_LINE; its exit status
boot() {
	mkdir -p "$tmp/k-$2"
	printf 'PACKAGE=fake\nVERSION=0\nKREL=0-fake\nVMLINUZ=%s/image\nMODDIR=\n%s\n' "$tmp" "$1" \
		>"$tmp/k-$2/kernel.env"
	rm -f "$tmp"/args.*
	PATH=$tmp/bin:$PATH "$src/tools/vm/boot.sh" --kernel "$tmp/k-$2" --initrd "$tmp/initrd" \
		--out "$tmp/out-$2" --accel tcg --timeout 30 --pmem 2G >"$tmp/boot-$2.log" 2>&1
}
arg() { grep -qx -- "$2" "$tmp/args.$1"; }
arg_re() { grep -qE -- "$2" "$tmp/args.$1"; }

boot 'ARCH=ppc64le' ppc
check "ppc64le runs qemu-system-ppc64 only" '[ -f "$tmp/args.qemu-system-ppc64" ] && [ ! -f "$tmp/args.qemu-system-x86_64" ]'
check "ppc64le: -machine pseries" 'arg qemu-system-ppc64 pseries'
check "ppc64le: -cpu POWER9" 'arg qemu-system-ppc64 POWER9'
check "ppc64le: an spapr-nvdimm with a uuid and a 128k label area" \
	'arg_re qemu-system-ppc64 "^spapr-nvdimm,label-size=128k,uuid=[0-9a-f]{8}-[0-9a-f-]{27},id=nv1,memdev=mem1$"'
check "ppc64le: the backing file is 2 GiB + 128 KiB" \
	'arg_re qemu-system-ppc64 "^memory-backend-file,.*,size=$(((2 << 30) + (128 << 10))),align=1G$"'
check "ppc64le: console hvc0, no x86 clocksource" \
	'arg_re qemu-system-ppc64 "^console=hvc0 " && ! grep -q "clocksource=tsc" "$tmp/args.qemu-system-ppc64"'
check "ppc64le: qemu.txt names qemu-system-ppc64" 'grep -q "^qemu-system-ppc64 " "$tmp/out-ppc/qemu.txt"'

for a in '' 'ARCH=x86_64'; do
	boot "$a" x86
	check "${a:-no ARCH} runs qemu-system-x86_64 only" '[ -f "$tmp/args.qemu-system-x86_64" ] && [ ! -f "$tmp/args.qemu-system-ppc64" ]'
	check "${a:-no ARCH}: -machine pc,nvdimm=on, -cpu max" 'arg qemu-system-x86_64 pc,nvdimm=on && arg qemu-system-x86_64 max'
	check "${a:-no ARCH}: an nvdimm device, a 2 GiB backing file" \
		'arg qemu-system-x86_64 nvdimm,id=nv1,memdev=mem1 && arg_re qemu-system-x86_64 ",size=$((2 << 30)),align=1G$"'
	check "${a:-no ARCH}: console ttyS0" 'arg_re qemu-system-x86_64 "^console=ttyS0 .*clocksource=tsc"'
done

boot 'ARCH=arm64' arm
rc=$?
check "ARCH=arm64 is refused by name, no QEMU run" \
	'[ "$rc" -ne 0 ] && grep -q "ARCH=arm64: no QEMU machine for it" "$tmp/boot-arm.log" && ! ls "$tmp"/args.* >/dev/null 2>&1'
exit "$fail"
