#!/bin/bash
# Reproducer: multi-threaded TCG and kernel text patching.
#
# usage: tools/vm/tcg-poke-race.sh KERNEL PUDBENCH_BIN [--boots N] [--cycles N]
#            [--held 0,1] [--timeout SEC] [--out DIR]
#   KERNEL  a dir from fetch-kernel.sh, or its debian:<package> SPEC (fetched
#           into $PUDBENCH_VM_CACHE, default ~/.cache/pudbench/vm)
#
# Boots the kernel N times each way under multi-threaded TCG (boot.sh
# --accel tcg; the guest starts with maxcpus=1 and its init brings CPU 1
# online).  In the guest, CPU 1 forks /bin/true in a loop while CPU 0 runs
# `pudbench-bin hold-counters --cycles N`, which opens and closes the
# counters' perf events and so flips static keys (text patching: int3, then
# IPIs).
#   held=0: pudbench.hold_counters=0; init brings CPU 1 online without
#           holding anything, and every cycle patches text.
#   held=1: init.sh holds the keys on first, CPU 1 not yet online; the
#           cycles then only take references.
# --held picks the ways (default both); --timeout bounds each boot (default
# 300 s: an unheld 6.1 guest can hang in a soft lockup instead of oopsing).
# A boot "oopsed" when the console has "Oops: int3"; "hung" when it has a
# soft lockup or did not power off in time.  Prints one line per
# boot and a summary; exits 1 if a held=1 boot oopsed or hung, 3 if the kernel
# could not be fetched, 2 on bad arguments, else 0.
set -euo pipefail
die() { echo "tcg-poke-race: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: $0 KERNEL_DIR PUDBENCH_BIN [--boots N] [--cycles N] [--out DIR]"
kdir=$1 bin=$2
shift 2
boots=3 cycles=2000 out='' ways='0,1' timeout=300
while [ $# -gt 0 ]; do
    case $1 in
        --boots) boots=$2; shift 2 ;;
        --cycles) cycles=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --held) ways=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        *) die "unknown argument '$1'" ;;
    esac
done
[[ $boots =~ ^[1-9][0-9]*$ ]] || die "--boots wants a positive integer, not '$boots'"
[[ $cycles =~ ^[1-9][0-9]*$ ]] || die "--cycles wants a positive integer, not '$cycles'"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout wants seconds, not '$timeout'"
case $ways in 0|1|0,1|1,0) ;; *) die "--held wants 0, 1 or 0,1, not '$ways'" ;; esac
[ -x "$bin" ] || die "no executable $bin"
here=$(cd "$(dirname "$0")" && pwd)
if [[ $kdir == debian:* ]]; then
    spec=$kdir
    kdir=$("$here/fetch-kernel.sh" "$spec" "${PUDBENCH_VM_CACHE:-$HOME/.cache/pudbench/vm}") || {
        echo "tcg-poke-race: cannot fetch $spec" >&2
        exit 3
    }
fi
[ -f "$kdir/kernel.env" ] || die "no kernel.env in '$kdir'"
[ -n "$out" ] || out=$(mktemp -d /tmp/tcg-poke-race.XXXXXX)
mkdir -p "$out"

cat > "$out/race.sh" <<'GUEST'
#!/bin/sh
taskset -c 1 sh -c 'while :; do /bin/true; done' &
load=$!
taskset -c 0 pudbench-bin hold-counters --cycles "$(pudbench-param cycles 2000)"
rc=$?
kill $load
exit $rc
GUEST
chmod +x "$out/race.sh"
"$here/mkinitramfs.sh" "$kdir" "$out/initrd.gz" --bin "$bin" --file "$out/race.sh:/etc/pudbench/run.sh" 2>/dev/null

declare -A panics=([0]=0 [1]=0)
for held in ${ways/,/ }; do
    for i in $(seq 1 "$boots"); do
        b=$out/held$held-boot$i
        rc=0
        "$here/boot.sh" --kernel "$kdir" --initrd "$out/initrd.gz" --out "$b" --align 0 --timeout "$timeout" \
            --accel tcg --accel-reason "the race is multi-threaded TCG's" \
            --append "pudbench.cycles=$cycles pudbench.hold_counters=$held" 2>/dev/null || rc=$?
        oops=$(grep -m1 -o 'RIP: 0010:[^ ]*' "$b/console.log" 2>/dev/null || true)
        if grep -q 'Oops: int3' "$b/console.log"; then
            panics[$held]=$((panics[$held] + 1))
            echo "held=$held boot $i: Oops: int3 at ${oops#RIP: 0010:}"
        elif grep -q 'soft lockup' "$b/console.log" || grep -qx 'qemu_rc=124' "$b/host-timing.txt"; then
            panics[$held]=$((panics[$held] + 1))
            echo "held=$held boot $i: hung: $(grep -m1 -o 'soft lockup.*' "$b/console.log" ||
                echo "no power-off within ${timeout}s")"
        else
            echo "held=$held boot $i: rc=$rc, $(grep -h -e counters_held -e '^cpus_' "$b/results/timing.txt" 2>/dev/null | tr "\n" " ")"
        fi
    done
done
accel=$(head -n1 "$out/held${ways%%,*}-boot1/accel.txt" 2>/dev/null || echo unknown)
summary=''
for held in ${ways/,/ }; do summary="$summary, held=$held ${panics[$held]}/$boots"; done
echo "tcg-poke-race: $cycles key cycles per boot, accel $accel; boots that oopsed or hung:${summary#,} (boots in $out)"
[ "${panics[1]}" -eq 0 ]
