#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034 # check() evals its condition (the variables it reads)
# SPDX-License-Identifier: MIT
#
# The suite's own apt (tools/lib/apt.sh) and tools/vm/fetch-kernel.sh over a
# recorded archive: a local file: mirror signed by a key made here (apt
# verifies it as it verifies Debian's), no network.  Debian version order,
# split packages (linux-binary/-modules/-base under usr/lib/modules), a
# version not in the archive (66, the versions that are listed), an
# incomplete version (69), a pruned linux-base (derived, said so), a suite whose index fails (the others go on), an
# unreachable mirror (75), a tampered .deb, fresh lists not updated again.
#   test_apt_archive.sh SOURCE_DIR
set -uo pipefail

src=$1
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
for tool in gpg dpkg-scanpackages dpkg-deb xz; do
	command -v "$tool" >/dev/null || { echo "not ok - $tool is not installed (tools/bootstrap.sh)"; exit 1; }
done

arch=$(dpkg --print-architecture)
mirror=$tmp/debian
export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg -q --batch --passphrase '' --quick-gen-key 'pudbench test archive' ed25519 sign never 2>/dev/null
gpg -q --export >"$tmp/keyring.gpg"

# fake_pkg SUITE NAME VERSION [DEPENDS] -- PATH... (files inside the package)
fake_pkg() {
	local suite=$1 name=$2 ver=$3 deps=$4 d f
	shift 5
	d=$tmp/build/${name}_$ver
	mkdir -p "$d/DEBIAN" "$mirror/pool/$suite"
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@t>\nDescription: fake\n%s' \
		"$name" "$ver" "$arch" "${deps:+Depends: $deps
}" >"$d/DEBIAN/control"
	for f in "$@"; do
		mkdir -p "$d/$(dirname "$f")"
		case $f in
			*.ko.xz) echo "module $f" | xz >"$d/$f" ;;
			*/modules.dep) printf '%s\n' "${MODDEP[@]}" >"$d/$f" ;;
			# what mkinitramfs.sh wants besides the two fake modules
			*/modules.builtin) printf 'kernel/%s.ko\n' nd_btt nfit device_dax dax_pmem virtio_pci virtio_console >"$d/$f" ;;
			*) echo "file $f" >"$d/$f" ;;
		esac
	done
	dpkg-deb --root-owner-group --build "$d" "$mirror/pool/$suite/${name}_${ver}_$arch.deb" >/dev/null
}

# Packages + a signed InRelease for SUITE (what apt verifies)
sign_suite() {
	local suite=$1 dir=$mirror/dists/$1
	mkdir -p "$dir/main/binary-$arch"
	(cd "$mirror" && dpkg-scanpackages -m "pool/$suite" 2>/dev/null) >"$dir/main/binary-$arch/Packages"
	{
		printf 'Origin: pudbench-test\nSuite: %s\nCodename: %s\nDate: %s\n' "$suite" "$suite" "$(date -Ru)"
		printf 'Architectures: %s\nComponents: main\nSHA256:\n' "$arch"
		printf ' %s %s main/binary-%s/Packages\n' "$(sha256sum <"$dir/main/binary-$arch/Packages" | cut -d' ' -f1)" \
			"$(stat -c %s "$dir/main/binary-$arch/Packages")" "$arch"
	} >"$dir/Release"
	gpg -q --batch --yes --clearsign -o "$dir/InRelease" "$dir/Release"
}

# bookworm: one-package images (boot/ + lib/modules), the 6.12.y order
MODDEP=('kernel/nd_pmem.ko.xz: kernel/libnvdimm.ko.xz' 'kernel/libnvdimm.ko.xz:')
for v in 99 100 118; do
	k=6.12.$v+deb12-amd64
	fake_pkg bookworm "linux-image-$k" "6.12.$v-1~deb12u1" "" -- "boot/vmlinuz-$k" \
		"lib/modules/$k/kernel/nd_pmem.ko.xz" "lib/modules/$k/kernel/libnvdimm.ko.xz" "lib/modules/$k/modules.dep"
done
fake_pkg bookworm linux-image-6.12.118+deb12-cloud-amd64 6.12.118-1~deb12u1 "" -- boot/vmlinuz-6.12.118+deb12-cloud-amd64
sign_suite bookworm
# trixie-backports: 7.2.13 and split 7.3.4; 6.19.6 without its modules
k=7.3.4+deb13-amd64 v=7.3.4-1~bpo13+1
fake_pkg trixie-backports "linux-image-$k" "$v" \
	"initramfs-tools, linux-base-$k (= $v), linux-binary-$k (= $v), linux-modules-$k (= $v)" --
fake_pkg trixie-backports "linux-binary-$k" "$v" "" -- "usr/lib/modules/$k/vmlinuz"
fake_pkg trixie-backports "linux-base-$k" "$v" "" -- "usr/lib/modules/$k/modules.builtin"
fake_pkg trixie-backports "linux-modules-$k" "$v" "" -- "usr/lib/modules/$k/kernel/nd_pmem.ko.xz" \
	"usr/lib/modules/$k/kernel/libnvdimm.ko.xz" "usr/lib/modules/$k/modules.dep"
fake_pkg trixie-backports linux-image-7.2.13+deb13-amd64 7.2.13-1~bpo13+1 "" -- boot/vmlinuz-7.2.13+deb13-amd64 \
	lib/modules/7.2.13+deb13-amd64/modules.dep
k=6.19.6+deb13-amd64 v=6.19.6-2~bpo13+1
fake_pkg trixie-backports "linux-image-$k" "$v" "linux-binary-$k (= $v), linux-modules-$k (= $v)" --
fake_pkg trixie-backports "linux-binary-$k" "$v" "" -- "usr/lib/modules/$k/vmlinuz"
# linux-base pruned from the archive (6.18 ... 7.1): a one-package 6.18.15
# that carries modules.builtin itself, a split 7.0.4; a 7.1.3 whose
# linux-binary is gone too
k=6.18.15+deb13-amd64 v=6.18.15-1~bpo13+1
fake_pkg trixie-backports "linux-image-$k" "$v" "kmod, linux-base-$k (= $v)" -- "boot/vmlinuz-$k" \
	"usr/lib/modules/$k/kernel/nd_pmem.ko.xz" "usr/lib/modules/$k/kernel/libnvdimm.ko.xz" "usr/lib/modules/$k/modules.builtin"
k=7.0.4+deb13-amd64 v=7.0.4-1~bpo13+1
fake_pkg trixie-backports "linux-image-$k" "$v" "linux-base-$k (= $v), linux-binary-$k (= $v), linux-modules-$k (= $v)" --
fake_pkg trixie-backports "linux-binary-$k" "$v" "" -- "usr/lib/modules/$k/vmlinuz"
fake_pkg trixie-backports "linux-modules-$k" "$v" "" -- "usr/lib/modules/$k/kernel/nd_pmem.ko.xz" \
	"usr/lib/modules/$k/kernel/libnvdimm.ko.xz" "usr/lib/modules/$k/modules.dep"
k=7.1.3+deb13-amd64 v=7.1.3-1~bpo13+1
fake_pkg trixie-backports "linux-image-$k" "$v" "linux-base-$k (= $v), linux-binary-$k (= $v), linux-modules-$k (= $v)" --
fake_pkg trixie-backports "linux-modules-$k" "$v" "" -- "usr/lib/modules/$k/kernel/nd_pmem.ko.xz"
sign_suite trixie-backports
# sid mid-sync: its Packages no longer matches the signed Release
fake_pkg sid linux-image-7.3.4+deb14-amd64 7.3.4-1 "" -- boot/vmlinuz-7.3.4+deb14-amd64
sign_suite sid
echo >>"$mirror/dists/sid/main/binary-$arch/Packages"

export PUDBENCH_CACHE=$tmp/cache PUDBENCH_APT_MIRROR=file://$mirror PUDBENCH_APT_KEYRING=$tmp/keyring.gpg
export PUDBENCH_APT_SUITES='bookworm trixie-backports sid'
# shellcheck source=/dev/null
. "$src/tools/lib/apt.sh"

# --- Debian version order (no archive) ---
sorted=$(printf '%s\n' 'a 6.12.118-1~deb12u1 s' 'a 7.3.4-1 s' 'a 6.12.100-1~deb12u1 s' 'a 7.2.13-1 s' \
	'a 6.12.99-1~deb12u1 s' 'a 7.3.4-1~bpo13+1 s' | pb_apt_sort_versions | cut -d' ' -f2 | tr '\n' ' ')
check "Debian version order: 6.12.99 < 6.12.100 < 6.12.118, 7.2.13 < 7.3.4, ~bpo13 before -1 ($sorted)" \
	'[ "$sorted" = "6.12.99-1~deb12u1 6.12.100-1~deb12u1 6.12.118-1~deb12u1 7.2.13-1 7.3.4-1~bpo13+1 7.3.4-1 " ]'
lex=$(printf '%s\n' 6.12.99 6.12.100 | sort | tr '\n' ' ')
check "negative control: plain sort gets 6.12.99/6.12.100 wrong ($lex)" '[ "$lex" = "6.12.100 6.12.99 " ]'

# --- update: sid fails, the others go on ---
pb_apt_update 2>"$tmp/update.err"
rc=$?
check "update exits 0 with one suite failing (exit $rc)" '((rc == 0))'
check "update names the failing suite" 'grep -q "suite sid failed to update" "$tmp/update.err"'
check "update names no other suite" '! grep -Eq "suite (bookworm|trixie-backports) failed" "$tmp/update.err"'
check "the lists of the good suites are there" 'pb_apt_suite_has_lists bookworm && pb_apt_suite_has_lists trixie-backports'
check "the failed suite has no lists" '! pb_apt_suite_has_lists sid'
stamp=$(stat -c %Y "$PUDBENCH_CACHE/apt/stamps/bookworm")
touch -d '-1 hour' "$PUDBENCH_CACHE/apt/stamps/bookworm"
pb_apt_update bookworm 2>/dev/null
check "fresh lists are not updated again" '[ "$(stat -c %Y "$PUDBENCH_CACHE/apt/stamps/bookworm")" -lt "$stamp" ]'
PUDBENCH_APT_REFRESH=1 pb_apt_update bookworm 2>/dev/null
check "PUDBENCH_APT_REFRESH=1 updates them" '[ "$(stat -c %Y "$PUDBENCH_CACHE/apt/stamps/bookworm")" -ge "$stamp" ]'

# --- versions, resolution ---
got=$(PB_APT_EXCLUDE=-cloud- pb_apt_versions 'linux-image-6.12.*+deb12-amd64' | cut -d' ' -f2 | tr '\n' ' ')
check "versions oldest first ($got)" '[ "$got" = "6.12.99-1~deb12u1 6.12.100-1~deb12u1 6.12.118-1~deb12u1 " ]'
got=$(pb_apt_versions 'linux-image-*' trixie-backports | cut -d' ' -f1 | tr '\n' ' ')
check "a suite's versions only ($got)" '[ "$got" = "linux-image-6.18.15+deb13-amd64 linux-image-6.19.6+deb13-amd64 linux-image-7.0.4+deb13-amd64 linux-image-7.1.3+deb13-amd64 linux-image-7.2.13+deb13-amd64 linux-image-7.3.4+deb13-amd64 " ]'
got=$(pb_apt_resolve 'linux-image-*+deb13-amd64')
check "newest match wins across suites ($got)" '[ "$got" = "linux-image-7.3.4+deb13-amd64 7.3.4-1~bpo13+1 trixie-backports" ]'

# --- fetch-kernel.sh ---
fetch() { "$src/tools/vm/fetch-kernel.sh" "$@" >"$tmp/out" 2>"$tmp/err"; }
fetch 'debian:linux-image-6.12.*+deb12-amd64' "$tmp/vm"
rc=$?
check "a one-package image (exit $rc)" '((rc == 0)) && grep -q "^PACKAGE=linux-image-6.12.118+deb12-amd64$" "$(cat "$tmp/out")/kernel.env"'
fetch 'debian:trixie-backports/linux-image-7.3.*+deb13-amd64' "$tmp/vm"
rc=$?
kdir=$(cat "$tmp/out")
check "a split image (exit $rc)" '((rc == 0)) && [ -f "$kdir/kernel.env" ]'
check "its vmlinuz from linux-binary, moved out of usr/" '[ "$(sed -n "s/^VMLINUZ=//p" "$kdir/kernel.env")" = "$kdir/lib/modules/7.3.4+deb13-amd64/vmlinuz" ]'
check "its modules and linux-base's modules.builtin in lib/modules" \
	'[ -f "$kdir/lib/modules/7.3.4+deb13-amd64/kernel/nd_pmem.ko.xz" ] && [ -f "$kdir/lib/modules/7.3.4+deb13-amd64/modules.builtin" ]'
check "the parts are named" 'grep -q "^PARTS=.*linux-modules-7.3.4+deb13-amd64=7.3.4-1~bpo13+1" "$kdir/kernel.env"'
check "and the linux-base it has" 'grep -qx "LINUX_BASE=linux-base-7.3.4+deb13-amd64=7.3.4-1~bpo13+1" "$kdir/kernel.env"'
# the modules of kernel dir $1's initramfs, one line
initrd_modules() {
	rm -rf "$tmp/x" "$tmp/initrd.gz"
	"$src/tools/vm/mkinitramfs.sh" "$1" "$tmp/initrd.gz" 2>"$tmp/mk.err" || return
	zcat "$tmp/initrd.gz" | (mkdir "$tmp/x" && cd "$tmp/x" && cpio -id 2>/dev/null && tr '\n' ' ' <etc/pudbench/modules)
}
static_busybox=0
! file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || static_busybox=1
if ((static_busybox)); then
	got=$(initrd_modules "$kdir")
	rc=$?
	check "mkinitramfs takes the split modules, decompressed (exit $rc; $got)" \
		'((rc == 0)) && [ "$got" = "libnvdimm.ko nd_pmem.ko " ] && grep -q "module usr/lib/modules" "$tmp/x/lib/modules/nd_pmem.ko"'
else
	echo "ok - # SKIP mkinitramfs: no static busybox"
fi

# --- linux-base pruned from the archive: derived, and said so ---
fetch 'debian:linux-image-7.0.4+deb13-amd64' "$tmp/vm"
rc=$?
pruned=$(cat "$tmp/out")
check "a split image whose linux-base is pruned is fetched (exit $rc)" '((rc == 0)) && [ -f "$pruned/kernel.env" ]'
check "kernel.env says linux-base was derived, with no modules.builtin" \
	'grep -qx LINUX_BASE=derived "$pruned/kernel.env" && grep -qx MODULES_BUILTIN=none "$pruned/kernel.env"'
check "the parts are the image, linux-binary and linux-modules" \
	'grep -qx "PARTS=\"linux-image-7.0.4+deb13-amd64=7.0.4-1~bpo13+1 linux-binary-7.0.4+deb13-amd64=7.0.4-1~bpo13+1 linux-modules-7.0.4+deb13-amd64=7.0.4-1~bpo13+1\"" "$pruned/kernel.env"'
check "and the stderr names the pruned package" 'grep -q "needs linux-base-7.0.4+deb13-amd64 .*not in the archive any more" "$tmp/err"'
if ((static_busybox)); then
	got=$(initrd_modules "$pruned")
	rc=$?
	check "mkinitramfs takes the modules there are, the rest as built in (exit $rc; $got)" \
		'((rc == 0)) && [ "$got" = "libnvdimm.ko nd_pmem.ko " ] && grep -q "virtio_pci is no module of 7.0.4+deb13-amd64: built in" "$tmp/mk.err"'
	cp -r "$pruned" "$tmp/kbase" && sed -i "/^LINUX_BASE=/d; s|$pruned|$tmp/kbase|" "$tmp/kbase/kernel.env"
	got=$(initrd_modules "$tmp/kbase")
	rc=$?
	check "negative control: without LINUX_BASE=derived a module in neither list fails (exit $rc)" \
		'((rc != 0)) && grep -q "module nd_btt neither in modules.dep nor modules.builtin" "$tmp/mk.err"'
fi
fetch 'debian:linux-image-6.18.15+deb13-amd64' "$tmp/vm"
rc=$?
pruned=$(cat "$tmp/out")
check "a one-package image whose linux-base is pruned is fetched (exit $rc)" \
	'((rc == 0)) && [ "$(sed -n "s/^VMLINUZ=//p" "$pruned/kernel.env")" = "$pruned/boot/vmlinuz-6.18.15+deb13-amd64" ]'
check "its own modules.builtin is named, modules.dep made by depmod" \
	'grep -qx MODULES_BUILTIN=linux-image-6.18.15+deb13-amd64 "$pruned/kernel.env" && [ -f "$pruned/lib/modules/6.18.15+deb13-amd64/modules.dep" ]'
fetch 'debian:linux-image-7.1.3+deb13-amd64' "$tmp/vm"
rc=$?
check "an image whose linux-binary is pruned too exits 69 (exit $rc)" \
	'((rc == 69)) && grep -q "incomplete: .*needs linux-binary-7.1.3+deb13-amd64" "$tmp/err"'
PUDBENCH_APT_MIRROR=http://127.0.0.1:9/debian PUDBENCH_CACHE=$tmp/cache-none \
	fetch 'debian:trixie-backports/linux-image-7.3.4+deb13-amd64=7.3.4-1~bpo13+1' "$tmp/vm"
rc=$?
check "an exact version already extracted needs no archive (exit $rc)" '((rc == 0)) && [ "$(cat "$tmp/out")" = "$kdir" ]'
fetch --list 'debian:linux-image-*+deb13-amd64'
check "--list orders the images" '[ "$(cut -d" " -f2 "$tmp/out" | tr "\n" " ")" = "6.18.15-1~bpo13+1 6.19.6-2~bpo13+1 7.0.4-1~bpo13+1 7.1.3-1~bpo13+1 7.2.13-1~bpo13+1 7.3.4-1~bpo13+1 " ]'

fetch 'debian:linux-image-6.12.100+deb12-amd64=6.12.100-9' "$tmp/vm"
rc=$?
check "a version not in the archive exits 66 (exit $rc)" '((rc == 66))'
check "and lists the versions that are" 'grep -q "linux-image-6.12.100+deb12-amd64 6.12.100-1~deb12u1 bookworm" "$tmp/err"'
fetch 'debian:linux-image-6.19.6+deb13-amd64' "$tmp/vm"
rc=$?
check "an image whose modules have no version exits 69 (exit $rc)" '((rc == 69))'
check "and names the missing package" 'grep -q "incomplete: .*needs linux-modules-6.19.6+deb13-amd64" "$tmp/err"'
fetch 'debian:sid/linux-image-7.3.4+deb14-amd64' "$tmp/vm"
rc=$?
check "a spec in the failed suite only: no lists, a failure (exit $rc)" '((rc == 1)) && grep -q "suite sid failed to update" "$tmp/err"'

# --- the .deb is checked against the signed index ---
deb=$(ls "$tmp/vm/debs/"linux-image-6.12.118+deb12-amd64_*.deb)
echo tampered >>"$deb"
d=$(pb_apt_download linux-image-6.12.118+deb12-amd64=6.12.118-1~deb12u1 "$tmp/vm/debs" 2>/dev/null)
check "a tampered cached .deb is downloaded again" '[ "$d" = "$deb" ] && pb_apt_deb_ok "$deb" "$(pb_apt_sha256 linux-image-6.12.118+deb12-amd64=6.12.118-1~deb12u1)"'
cp "$deb" "$tmp/good.deb" && echo tampered >>"$mirror/pool/bookworm/linux-image-6.12.118+deb12-amd64_6.12.118-1~deb12u1_$arch.deb"
rm -f "$deb"
pb_apt_download linux-image-6.12.118+deb12-amd64=6.12.118-1~deb12u1 "$tmp/vm/debs" >/dev/null 2>&1
rc=$?
check "negative control: a tampered .deb in the archive fails (exit $rc)" '((rc == 1)) && [ ! -e "$deb" ]'

# --- no suite reachable: 75 ---
PUDBENCH_CACHE=$tmp/cache2 PUDBENCH_APT_MIRROR=http://127.0.0.1:9/debian fetch 'debian:linux-image-*' "$tmp/vm"
rc=$?
check "an unreachable archive exits 75 (exit $rc)" '((rc == 75))'
exit $fail
