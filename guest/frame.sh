#!/bin/busybox sh
# pudbench-frame FILE...: send files to the host on the results channel
# ($PUDBENCH_PORT, chosen by init.sh), each framed so the host can check it
# arrived whole (tools/vm/unframe.sh):
#   === BEGIN name=N len=BYTES sha256=HEX ===  <base64 lines>  === END name=N ===
# Every file sent is listed in /tmp/pudbench-sent; init.sh's closing
# "=== DONE files=K ===" counts them all, whoever sent them.  Sending a
# file as soon as it exists means a later hang loses nothing before it.
# shellcheck shell=sh
[ -n "${PUDBENCH_PORT:-}" ] || { echo "pudbench-frame: no results channel" >&2; exit 1; }
for f in "$@"; do
    [ -f "$f" ] || continue
    name=${f##*/}
    len=$(wc -c < "$f")
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    {
        echo "=== BEGIN name=$name len=$len sha256=$sum ==="
        base64 "$f"
        echo "=== END name=$name ==="
    } >> "$PUDBENCH_PORT"
    echo "$name" >> /tmp/pudbench-sent
done
