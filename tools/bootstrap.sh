#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install what pudbench needs to build and run on Debian 12, then libperf.
# Idempotent: installs only missing packages and runs "apt-get update" only
# when something must be installed.  Never adds apt sources.
#
# Exit: 0 ready, 2 packages missing and we are not root (the command to run
# is printed), other non-zero on failure.
set -euo pipefail

DEBIAN_PACKAGES=(
	build-essential cmake pkg-config	# toolchain (make, gcc, ar for libperf)
	libjson-c-dev libinih-dev libnuma-dev libgsl-dev
	libndctl-dev libdaxctl-dev		# devdax namespace setup
	gnuplot-nox				# plots
	flex bison bc libelf-dev		# guest kernel build (tools/kernel/build-kernel.sh)
	libssl-dev ccache patch
	xz-utils				# linux-source tarball (libperf, kernel)
	dpkg-dev debian-archive-keyring		# tools/lib/apt.sh: Debian version order, the suites' keys
	gpg					# test_apt_archive: signs its recorded archive
	# pudbench kernels: QEMU guests with an emulated NVDIMM
	qemu-system-x86 busybox-static cpio kmod file
	qemu-system-ppc				# configs/kernels-ppc64.conf (pseries); its cross gcc: build-kernel.sh
	uuid-dev				# dax-setup (guest namespace setup)
	# ./pudbench test: sanitizer build, fuzzers, memcheck
	clang libclang-rt-14-dev valgrind
	python3 python3-yaml			# tests/integrations: the LKP, LAVA and CI files
)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { printf 'bootstrap: %s\n' "$*" >&2; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[[ $status == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	say "all ${#DEBIAN_PACKAGES[@]} Debian packages present"
elif ((EUID != 0)); then
	say "missing Debian packages: ${missing[*]}"
	say "run this, then re-run $0:"
	echo "sudo apt-get install -y --no-install-recommends ${missing[*]}"
	exit 2
else
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends "${missing[@]}"
fi

if pkg-config --exists libperf; then
	say "libperf $(pkg-config --modversion libperf) found by pkg-config"
else
	"$here/build-libperf.sh" >/dev/null
fi
