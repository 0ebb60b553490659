# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# apt for the kernel scripts (tools/vm/fetch-kernel.sh,
# tools/kernel/build-kernel.sh, the bisect), which must tell "the Debian
# archive could not be reached" (a test may skip on it: the machine lacks the
# network) from every other failure (a FAIL).  Source it.
#
# Host apt (its own sources and lists; build-kernel.sh installs build
# packages with it):
#   PB_EXIT_UNREACHABLE   75 (sysexits.h EX_TEMPFAIL): the archive was not reached
#   pb_apt_get DIR ARGS...
#                         apt-get ARGS in DIR, its output to stderr; 0 ok,
#                         75 apt could not reach the archive, 1 otherwise
#   pb_apt_no_lists       true when the host has no package lists at all
#
# The suite's own apt (never the host's sources): a sources list, lists,
# cache and an empty dpkg status under $PB_APT_DIR
# (${PUDBENCH_CACHE:-~/.cache/pudbench}/apt; set PB_APT_DIR and PB_APT_ARCH,
# e.g. ppc64el, before sourcing it for another architecture's packages:
# tools/cross/sysroot.sh), one list file per suite of
# $PB_APT_SUITES (bookworm bookworm-security trixie trixie-backports sid),
# every suite Signed-By $PB_APT_KEYRING (Debian 12's debian-archive-keyring):
# apt verifies each Release signature and each .deb's hash.
#   pb_apt_update [SUITE...]
#                         update the suites (default all) whose lists are
#                         older than PUDBENCH_APT_MAX_AGE seconds (default
#                         21600; PUDBENCH_APT_REFRESH=1 forces).  A suite that
#                         fails is named on stderr and the others go on:
#                         0 when at least one asked-for suite has lists,
#                         75 all failed on the network, 1 all failed otherwise
#   pb_apt_versions GLOB [SUITE]
#                         "PACKAGE VERSION SUITE" lines of every package whose
#                         name matches the shell GLOB (in SUITE only, if
#                         given), oldest first in Debian version order
#                         (Dpkg::Version); one line per PACKAGE=VERSION (the
#                         first suite of $PB_APT_SUITES that has it); names
#                         matching the ERE $PB_APT_EXCLUDE are left out; 1 if none
#   pb_apt_resolve [SUITE/]GLOB[=VERSION]
#                         "PACKAGE VERSION SUITE" of the newest match (the
#                         given VERSION if any); 66 (PB_EXIT_NOT_IN_ARCHIVE)
#                         with the versions that are listed on stderr
#   pb_apt_depends PACKAGE=VERSION
#                         its Depends, one "NAME [OP VERSION]" a line
#   pb_apt_satisfying NAME [OP VERSION]
#                         newest "NAME VERSION SUITE" meeting the relation; 1 if none
#   pb_apt_download PACKAGE=VERSION DESTDIR
#                         the .deb into DESTDIR (kept there: a verified one is
#                         not downloaded again), checked against the SHA256
#                         of the signed index; prints its path; 0, 75, 1
#   pb_apt_own_get DIR ARGS... / pb_apt_own_cache ARGS...
#                         apt-get / apt-cache with the suite's own apt

PB_EXIT_UNREACHABLE=75
PB_EXIT_NOT_IN_ARCHIVE=66 # sysexits EX_NOINPUT

# apt's words for a network failure: name lookup, connect, timeout, route.
# A 404 or a hash mismatch is not among them: the archive answered.
PB_APT_NET_ERRORS='Could not resolve|Temporary failure resolving|Could not connect|Unable to connect|Failed to connect|Connection failed|Connection timed out|Connection refused|Network is unreachable|No route to host'

PB_APT_DIR=${PB_APT_DIR:-${PUDBENCH_CACHE:-$HOME/.cache/pudbench}/apt}
PB_APT_SUITES=${PUDBENCH_APT_SUITES:-bookworm bookworm-security trixie trixie-backports sid}
PB_APT_MIRROR=${PUDBENCH_APT_MIRROR:-http://deb.debian.org/debian}
PB_APT_SECURITY_MIRROR=${PUDBENCH_APT_SECURITY_MIRROR:-http://security.debian.org/debian-security}
PB_APT_KEYRING=${PUDBENCH_APT_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

pb_apt_log() { echo "pudbench-apt: $*" >&2; }

# An apt command in DIR; output to stderr; 0, 75 (network) or 1.  apt-get
# exits 0 when an index could not be fetched (a warning): a "Failed to
# fetch" or an error line fails the command all the same.
pb_apt_run() {
	local dir=$1 log rc=0
	shift
	log=$(mktemp)
	(cd "$dir" && "$@") >"$log" 2>&1 || rc=$?
	cat "$log" >&2
	! grep -Eq '^(E: |W: Failed to fetch|W: Some index files failed)' "$log" || rc=1
	if [ "$rc" -ne 0 ]; then
		grep -Eq "$PB_APT_NET_ERRORS" "$log" && rc=$PB_EXIT_UNREACHABLE || rc=1
	fi
	rm -f "$log"
	return "$rc"
}

pb_apt_get() {
	local dir=$1
	shift
	pb_apt_run "$dir" apt-get "$@"
}

pb_apt_no_lists() {
	local LISTS=/var/lib/apt/lists/
	eval "$(apt-config shell LISTS Dir::State::lists/d 2>/dev/null)"
	! compgen -G "${LISTS%/}/*_Packages*" >/dev/null
}

# The source line of a suite: security suites live on their own mirror.
pb_apt_source_line() {
	local uri=$PB_APT_MIRROR
	[[ $1 != *-security ]] || uri=$PB_APT_SECURITY_MIRROR
	echo "deb [signed-by=$PB_APT_KEYRING] $uri $1 main"
}

# The options that make apt use only $PB_APT_DIR (sources, lists, cache, an
# empty status: nothing counts as installed) and no host pinning.
# SOURCES: one suite's list file, or empty for all of them.
pb_apt_opts() {
	local sources=${1:-}
	PB_APT_OPTS=(
		-o "Dir::Etc::SourceList=${sources:-/dev/null}"
		-o "Dir::Etc::SourceParts=$([ -n "$sources" ] && echo /dev/null || echo "$PB_APT_DIR/sources")"
		-o "Dir::State=$PB_APT_DIR/state" -o "Dir::State::Lists=$PB_APT_DIR/lists"
		-o "Dir::State::status=$PB_APT_DIR/state/status"
		-o "Dir::Cache=$PB_APT_DIR/cache"
		# a host may turn the binary caches off (docker-clean): each query
		# would then parse every Packages file again (seconds)
		-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o Acquire::Languages=none -o APT::Sandbox::User=root
		-o APT::Get::List-Cleanup=false
	)
	# another architecture's packages (a cross sysroot), in a PB_APT_DIR of
	# their own: never the host's dpkg architectures
	[ -z "${PB_APT_ARCH:-}" ] ||
		PB_APT_OPTS+=(-o "APT::Architecture=$PB_APT_ARCH" -o "APT::Architectures=$PB_APT_ARCH")
}

# Write the sources (one file per suite) and the state dirs; idempotent.
pb_apt_setup() {
	local s line
	mkdir -p "$PB_APT_DIR"/{sources,lists/partial,state,cache/archives/partial,stamps}
	[ -e "$PB_APT_DIR/state/status" ] || : >"$PB_APT_DIR/state/status"
	[ -r "$PB_APT_KEYRING" ] || { pb_apt_log "no keyring $PB_APT_KEYRING (apt-get install debian-archive-keyring)"; return 1; }
	for s in $PB_APT_SUITES; do
		line=$(pb_apt_source_line "$s")
		[ "$(cat "$PB_APT_DIR/sources/$s.list" 2>/dev/null)" = "$line" ] ||
			echo "$line" >"$PB_APT_DIR/sources/$s.list"
	done
}

pb_apt_own_get() {
	local dir=$1
	shift
	pb_apt_opts
	pb_apt_run "$dir" apt-get "${PB_APT_OPTS[@]}" "$@"
}

pb_apt_own_cache() {
	pb_apt_opts
	apt-cache "${PB_APT_OPTS[@]}" "$@"
}

# A suite's lists are fresh when its stamp (holding its source line) is
# younger than PUDBENCH_APT_MAX_AGE and names the same source.
pb_apt_fresh() {
	local stamp=$PB_APT_DIR/stamps/$1 age
	[ "${PUDBENCH_APT_REFRESH:-0}" != 1 ] && [ -f "$stamp" ] || return 1
	[ "$(cat "$stamp")" = "$(cat "$PB_APT_DIR/sources/$1.list")" ] || return 1
	age=$(($(date +%s) - $(stat -c %Y "$stamp")))
	[ "$age" -ge 0 ] && [ "$age" -lt "${PUDBENCH_APT_MAX_AGE:-21600}" ]
}

# Some Packages index of SUITE is in the lists (a failed update keeps the old).
pb_apt_suite_has_lists() {
	compgen -G "$PB_APT_DIR/lists/*_dists_${1}_*Packages*" >/dev/null
}

# Update one suite; 0, 75 or 1 as pb_apt_run.
pb_apt_update_suite() {
	local s=$1 rc=0
	pb_apt_opts "$PB_APT_DIR/sources/$s.list"
	pb_apt_run . apt-get "${PB_APT_OPTS[@]}" -q update || rc=$?
	[ "$rc" -ne 0 ] || cp "$PB_APT_DIR/sources/$s.list" "$PB_APT_DIR/stamps/$s"
	return "$rc"
}

pb_apt_update() {
	local suites=("$@") s rc usable=0 net=0 failed=0
	[ $# -gt 0 ] || read -r -a suites <<<"$PB_APT_SUITES"
	pb_apt_setup || return 1
	# one updater at a time: apt does not wait for the lists lock
	exec {_pb_apt_lock}>"$PB_APT_DIR/update.lock"
	flock "$_pb_apt_lock"
	for s in "${suites[@]}"; do
		[ -f "$PB_APT_DIR/sources/$s.list" ] || { pb_apt_log "unknown suite '$s' (known: $PB_APT_SUITES)"; failed=$((failed + 1)); continue; }
		rc=0
		pb_apt_fresh "$s" || pb_apt_update_suite "$s" 2>"$PB_APT_DIR/state/update-$s.log" || rc=$?
		if [ "$rc" -ne 0 ]; then
			failed=$((failed + 1))
			[ "$rc" -ne "$PB_EXIT_UNREACHABLE" ] || net=$((net + 1))
			pb_apt_log "suite $s failed to update (exit $rc$([ "$rc" -eq "$PB_EXIT_UNREACHABLE" ] && echo ", unreachable"); $(grep -E '^(E|W):' "$PB_APT_DIR/state/update-$s.log" | head -n 2 | tr '\n' ' ')); going on with the others"
		fi
		pb_apt_suite_has_lists "$s" && usable=$((usable + 1))
	done
	exec {_pb_apt_lock}>&-
	[ "$usable" -eq 0 ] || return 0
	[ "$failed" -gt 0 ] && [ "$net" -eq "$failed" ] && return "$PB_EXIT_UNREACHABLE"
	return 1
}

# Sort "PACKAGE VERSION SUITE" lines on stdin, oldest version first (ties:
# by name); drop a PACKAGE=VERSION seen before (the first suite stays).
pb_apt_sort_versions() {
	perl -MDpkg::Version=version_compare -ane '
		push @l, [@F] unless $seen{"$F[0]=$F[1]"}++;
		END { print "@$_\n" for sort { version_compare($a->[1], $b->[1]) || $a->[0] cmp $b->[0] } @l }'
}

pb_apt_versions() {
	local glob=$1 suite=${2:-} prefix names=() p
	# apt-cache pkgnames takes a prefix: the part before the first glob char
	prefix=${glob%%[\*\?\[]*}
	while read -r p; do
		# shellcheck disable=SC2053 # a glob match is meant
		[[ $p == $glob ]] || continue
		[ -z "${PB_APT_EXCLUDE:-}" ] || ! [[ $p =~ $PB_APT_EXCLUDE ]] || continue
		names+=("$p")
	done < <(pb_apt_own_cache pkgnames "$prefix" 2>/dev/null | sort)
	[ ${#names[@]} -gt 0 ] || return 1
	# madison: "pkg | version | URI SUITE/main ARCH Packages"; order the
	# lines by $PB_APT_SUITES so that the first suite of a duplicate stays
	pb_apt_own_cache madison "${names[@]}" 2>/dev/null | awk -F' [|] ' -v want="$suite" -v order="$PB_APT_SUITES" '
		BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
		$3 ~ / Packages$/ { split($3, w, " "); s = w[2]; sub(/\/.*/, "", s)
			if (want == "" || s == want) print rank[s] + 0, $1, $2, s }' |
		sort -k1,1n | cut -d' ' -f2- | pb_apt_sort_versions | grep . || return 1
}

# SPEC: [SUITE/]GLOB[=VERSION] -> PB_SPEC_SUITE, PB_SPEC_GLOB, PB_SPEC_VERSION.
pb_apt_parse_spec() {
	local spec=$1
	PB_SPEC_SUITE='' PB_SPEC_VERSION=''
	if [[ $spec == */* ]]; then
		PB_SPEC_SUITE=${spec%%/*}
		spec=${spec#*/}
	fi
	PB_SPEC_GLOB=${spec%%=*}
	[[ $spec != *=* ]] || PB_SPEC_VERSION=${spec#*=}
	[ -n "$PB_SPEC_GLOB" ] && [[ $PB_SPEC_SUITE != */* ]]
}

# Newest line of pb_apt_versions output on stdin that has VERSION (any if empty).
pb_apt_pick() {
	awk -v v="$1" 'v == "" || $2 == v { best = $0 } END { if (best == "") exit 1; print best }'
}

pb_apt_resolve() {
	local list where
	pb_apt_parse_spec "$1" || { pb_apt_log "bad spec '$1' (expected [SUITE/]PACKAGE[=VERSION])"; return 2; }
	where=${PB_SPEC_SUITE:-any of: $PB_APT_SUITES}
	list=$(pb_apt_versions "$PB_SPEC_GLOB" "$PB_SPEC_SUITE") || list=
	if [ -z "$list" ]; then
		pb_apt_log "no package matching '$PB_SPEC_GLOB' in $where (not in the archive any more?)"
		return "$PB_EXIT_NOT_IN_ARCHIVE"
	fi
	if ! pb_apt_pick "$PB_SPEC_VERSION" <<<"$list"; then
		pb_apt_log "$PB_SPEC_GLOB=$PB_SPEC_VERSION is not in $where (not in the archive any more?); the versions that are:"
		printf '  %s\n' "${list//$'\n'/$'\n'  }" >&2
		return "$PB_EXIT_NOT_IN_ARCHIVE"
	fi
}

pb_apt_depends() {
	pb_apt_own_cache show "$1" 2>/dev/null | awk '/^Depends:/ { sub(/^Depends: */, ""); print; exit }' |
		tr ',' '\n' | sed -E 's/^ +//; s/ +$//; s/ *\(([<>=]+) *([^)]*)\)/ \1 \2/; /^$/d'
}

pb_apt_satisfying() {
	local name=$1 op=${2:-} ver=${3:-} line best=
	while read -r line; do
		# shellcheck disable=SC2086 # the line is "PACKAGE VERSION SUITE"
		set -- $line
		[ "$1" = "$name" ] || continue
		[ -z "$op" ] || dpkg --compare-versions "$2" "$op" "$ver" || continue
		best=$line
	done < <(pb_apt_versions "$name" || true)
	[ -n "$best" ] && echo "$best"
}

# The SHA256 of PACKAGE=VERSION in the signed index.
pb_apt_sha256() {
	pb_apt_own_cache show "$1" 2>/dev/null | awk '/^SHA256:/ { print $2; exit }'
}

pb_apt_deb_ok() {
	[ -s "$1" ] && dpkg-deb --info "$1" >/dev/null 2>&1 && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

pb_apt_download() {
	local pv=$1 dest=$2 sha deb tmpd got rc=0
	sha=$(pb_apt_sha256 "$pv")
	[ -n "$sha" ] || { pb_apt_log "$pv is not in the package lists"; return 1; }
	mkdir -p "$dest"
	# kernel packages have no epoch (':' would be %3a in the file name)
	deb=$dest/${pv%%=*}_${pv#*=}_$(pb_apt_own_cache show "$pv" 2>/dev/null | awk '/^Architecture:/ { print $2; exit }').deb
	if pb_apt_deb_ok "$deb" "$sha"; then
		echo "$deb"
		return 0
	fi
	rm -f "$deb"
	tmpd=$(mktemp -d "$dest/.dl.XXXXXX")
	pb_apt_own_get "$tmpd" download -q "$pv" || rc=$?
	got=$(find "$tmpd" -maxdepth 1 -name '*.deb' | head -n1)
	if [ "$rc" -eq 0 ] && [ -n "$got" ]; then
		mv "$got" "$deb"
		pb_apt_deb_ok "$deb" "$sha" || { rm -f "$deb"; pb_apt_log "$deb fails its SHA256 $sha from the index"; rc=1; }
	fi
	rm -rf "$tmpd"
	[ "$rc" -ne 0 ] || [ -f "$deb" ] || rc=1
	[ "$rc" -ne 0 ] || echo "$deb"
	return "$rc"
}
