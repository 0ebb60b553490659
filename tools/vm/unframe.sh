#!/bin/bash
# Unpack the framed results stream written by guest/init.sh.
#
# usage: tools/vm/unframe.sh RAW_FILE OUT_DIR
# Stream format:
#   === BEGIN name=N len=BYTES sha256=HEX ===
#   <base64 lines>
#   === END name=N ===
#   ... === DONE files=K ===
# Prints "OK" when every file checks out and DONE was seen, else "INCOMPLETE"
# followed by the reasons; exit 0 / 1 accordingly.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 RAW_FILE OUT_DIR" >&2; exit 2; }
raw=$1 outdir=$2
mkdir -p "$outdir"
problems=()
ok=0 done_files=-1
name='' len='' sum=''
tmpb=$(mktemp)
trap 'rm -f "$tmpb"' EXIT

while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}   # a tty channel may add CRs
    case $line in
        '=== BEGIN '*)
            [ -z "$name" ] || problems+=("$name: no END")
            read -r name len sum <<< "$(sed -E 's/^=== BEGIN name=([^ ]+) len=([0-9]+) sha256=([0-9a-f]+) ===$/\1 \2 \3/' <<< "$line")"
            case $name in */*|.*|'') problems+=("bad name '$name'"); name='' ;; esac
            : > "$tmpb" ;;
        '=== END '*)
            if [ -n "$name" ]; then
                if base64 -d "$tmpb" > "$outdir/$name" 2>/dev/null &&
                    [ "$(wc -c < "$outdir/$name")" -eq "$len" ] &&
                    [ "$(sha256sum "$outdir/$name" | cut -d' ' -f1)" = "$sum" ]; then
                    ok=$((ok + 1))
                else
                    problems+=("$name: length/sha256 mismatch")
                fi
            fi
            name='' ;;
        '=== DONE files='*)
            done_files=${line#=== DONE files=}
            done_files=${done_files% ===} ;;
        *)
            [ -z "$name" ] || printf '%s\n' "$line" >> "$tmpb" ;;
    esac
done < "$raw"
[ -z "$name" ] || problems+=("$name: truncated (no END)")
[ "$done_files" -ge 0 ] || problems+=("no DONE marker")
[ "$done_files" -lt 0 ] || [ "$done_files" -eq "$ok" ] || problems+=("DONE says $done_files files, $ok verified")

if [ ${#problems[@]} -eq 0 ]; then
    echo OK
    echo "files=$ok"
    exit 0
fi
echo INCOMPLETE
printf '%s\n' "${problems[@]}"
exit 1
