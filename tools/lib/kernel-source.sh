# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Debian's linux-source packages: the bases tools/kernel/build-kernel.sh
# builds on, and the tree tools/build-libperf.sh takes libperf from.  Source
# it after tools/lib/apt.sh; it defines:
#
#   PB_BASE_SOURCE[BASE]  the source package of a base ("7.3" -> linux-source-7.3)
#   PB_BASE_SUITE[BASE]   the Debian suite it comes from
#   PB_LIBPERF_BASE       the base libperf comes from: the test kernel's, so a
#                         cold CI downloads one source package
#   pb_source_deb BASE DIR
#                         the base's .deb in DIR, downloaded unless a sound one
#                         is there (verified by apt: the suite's signed
#                         Release, the .deb's hash); its path on stdout;
#                         0, 75 (PB_EXIT_UNREACHABLE) or 1
#   pb_source_tarball BASE DEB TARBALL
#                         the kernel tarball (usr/src/<package>.tar.xz) of
#                         BASE's .deb DEB extracted into TARBALL, unless it is
#                         there and newer than DEB; a DEB that cannot be read
#                         is removed (the next run downloads it); 0 or 1
#   pb_patch_files REPO BASE LIST
#                         the files of LIST's names for BASE, one a line, in
#                         order ("none" is skipped): SERIES, a directory of
#                         patches/BASE/, is all of it; SERIES/NNNN one patch
#                         of it; NNNN (a number or file-name prefix) one of
#                         bench/kernel-patches/BASE/ (bench-only) or
#                         tests/kernel-patches/BASE/ (test-only); 0, or 5
#                         with what did not name exactly one file

# shellcheck disable=SC2034 # used by the scripts that source this file
declare -A PB_BASE_SOURCE=([6.12]=linux-source-6.12 [7.3]=linux-source-7.3)
declare -A PB_BASE_SUITE=([6.12]=bookworm [7.3]=trixie-backports)
# shellcheck disable=SC2034
PB_LIBPERF_BASE=7.3

# pb_source_deb_download SUITE PACKAGE DIR: the newest PACKAGE of SUITE
# (for bookworm, of bookworm and bookworm-security: Debian 12's kernel
# sources are updated through its security suite) into DIR, through the
# suite's own apt configuration (tools/lib/apt.sh); 0, 75 or 1.
pb_source_deb_download() {
	local suite=$1 pkg=$2 dir=$3 s line p v best='' rc=0
	local suites=("$suite")
	[ "$suite" != bookworm ] || suites+=(bookworm-security)
	pb_apt_update "${suites[@]}" || return $?
	for s in "${suites[@]}"; do
		line=$(pb_apt_resolve "$s/$pkg" 2>/dev/null) || continue
		read -r p v _ <<<"$line"
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "${best#*=}"; then best=$p=$v; fi
	done
	[ -n "$best" ] || { printf '%s is in none of %s\n' "$pkg" "${suites[*]}" >&2; return 1; }
	pb_apt_download "$best" "$dir" >/dev/null || rc=$?
	return "$rc"
}

pb_source_deb() {
	local base=$1 dir=$2 pkg f deb='' rc=0
	pkg=${PB_BASE_SOURCE[$base]}
	mkdir -p "$dir"
	while read -r f; do
		[ -n "$f" ] || continue
		if dpkg-deb --info "$f" >/dev/null 2>&1; then deb=$f; else
			printf 'discarding damaged %s\n' "$f" >&2
			rm -f -- "$f"
		fi
	done < <(ls -1v "$dir"/"$pkg"_*.deb 2>/dev/null)
	if [ -z "$deb" ]; then
		printf 'downloading %s (%s, %s) into %s\n' "$pkg" "$base" "${PB_BASE_SUITE[$base]}" "$dir" >&2
		pb_source_deb_download "${PB_BASE_SUITE[$base]}" "$pkg" "$dir" || rc=$?
		[ "$rc" -eq 0 ] || return "$rc"
		deb=$(ls -1v "$dir"/"$pkg"_*.deb 2>/dev/null | tail -n1)
		[ -n "$deb" ] || return 1
	fi
	printf '%s\n' "$deb"
}

pb_patch_files() {
	local repo=$1 base=$2 p d
	local -a m
	for p in $3; do
		[ "$p" = none ] && continue
		if [ -f "$p" ]; then
			printf '%s\n' "$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
			continue
		fi
		if [ -d "$repo/patches/$base/$p" ] && [ "${p#*/}" = "$p" ]; then
			# a series: all of it, in order
			ls -1 "$repo/patches/$base/$p"/*.patch 2>/dev/null | sort | grep . ||
				{ printf "series '%s' in patches/%s/ has no patches\n" "$p" "$base" >&2; return 5; }
			continue
		fi
		if [ "${p#*/}" != "$p" ]; then
			set -- "$repo/patches/$base/${p%%/*}" "${p#*/}"
		else
			set -- "$repo/bench/kernel-patches/$base" "$p" "$repo/tests/kernel-patches/$base" "$p"
		fi
		mapfile -t m < <(while [ $# -ge 2 ]; do d=$1; ls -1 "$d/$2" "$d/$2".patch "$d/$2"-*.patch 2>/dev/null || :
			shift 2; done | grep '\.patch$' | sort -u)
		if [ ${#m[@]} -ne 1 ]; then
			printf "'%s' selects %d of the series in patches/%s/, SERIES/NNNN there, bench/kernel-patches/%s/ and tests/kernel-patches/%s/ (want exactly one)\n" \
				"$p" "${#m[@]}" "$base" "$base" "$base" >&2
			return 5
		fi
		printf '%s\n' "${m[0]}"
	done
}

pb_source_tarball() {
	local pkg=${PB_BASE_SOURCE[$1]} deb=$2 tarball=$3
	if [ -s "$tarball" ] && [ ! "$deb" -nt "$tarball" ]; then return 0; fi
	printf 'extracting usr/src/%s.tar.xz from %s\n' "$pkg" "$(basename "$deb")" >&2
	# --info checks only the control part; a truncated data part fails here
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" >"$tarball.tmp"; then
		rm -f -- "$deb" "$tarball.tmp"
		printf '%s is damaged; removed it, run again to download it anew\n' "$deb" >&2
		return 1
	fi
	mv -f "$tarball.tmp" "$tarball"
}

