#!/bin/bash
# Peak RSS of one export and one merge at N events (default 1,000,000): the memory targets of
# docs/PERFORMANCE.md, without the five timed pairs of `make bench-full`. Needs the release
# build (`swift build -c release`) and GNU time; the same setup as Benchmarks/bench.py.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EVENTS=${1:-1000000}
FK=$ROOT/.build/release/fieldkit
HB=$ROOT/.build/release/fieldkit-bench
W=$ROOT/.build/bench/memory-$EVENTS
[ $((EVENTS % 100000)) -eq 0 ] || { echo "error: N must be a multiple of 100000" >&2; exit 64; }
[ -x "$FK" ] && [ -x "$HB" ] || { echo "error: build first: swift build -c release" >&2; exit 66; }
rm -rf "$W" && mkdir -p "$W" && cd "$W"
start=$(date +%s)
"$FK" hub init --root-out safe --data-dir hq >/dev/null
"$FK" init --device bench-laptop --site AMS-ZO-01 --technician "Bench Technician" \
    --hq-root safe/root.pub --data-dir dev >/dev/null
"$FK" guide search bridge --data-dir dev >/dev/null 2>&1
mkdir enrol-stick stick
"$FK" enrol --to enrol-stick --data-dir dev >/dev/null
fingerprint=$("$FK" status --json --data-dir dev | python3 -c 'import json, sys; print(json.load(sys.stdin)["fingerprint"])')
"$FK" hub enrol enrol-stick --fingerprint "$fingerprint" --by Bench --data-dir hq >/dev/null
"$FK" sync enrol-stick --data-dir dev >/dev/null
for ((done = 100000; done <= EVENTS; done += 100000)); do
    "$HB" generate --data-dir dev --events 100000 >/dev/null
    echo "generated $done at $(($(date +%s) - start)) s"
done
/usr/bin/time -v -o export.time "$FK" sync stick --data-dir dev >export.out 2>&1
echo "export: $(grep -E 'Maximum resident' export.time)"
/usr/bin/time -v -o merge.time "$FK" hub import stick --data-dir hq >merge.out 2>&1
echo "merge: $(grep -E 'Maximum resident' merge.time)"
tail -2 merge.out
