#!/usr/bin/env bash
# Issue 20: `s3guard eval --cases` against the differential oracle (the
# iam-simulate wrapper `label.mjs`, Node) on the same 2,600-case corpus,
# both timed end to end in the same run, and the ratio.
#
#   scripts/bench-oracle.sh ORACLE_DIR [CASES] [RUNS]
#
# ORACLE_DIR holds `label.mjs`, `package.json` and `sample.jsonl` (the
# oracle's labelled cases); it is copied to a scratch folder and `npm ci`
# is run there when it has no node_modules. CASES (default 2600) lines are
# made by repeating sample.jsonl; each program runs RUNS times (default 5
# for s3guard, 3 for the oracle) and the median wall time counts (the
# median CPU time, less moved by other work on the machine, and the load
# average are printed too). Needs
# cargo, python3, node and npm; not part of scripts/test.sh (CI does not
# need Node). docs/performance.md reports its numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
oracle_src="${1:?usage: scripts/bench-oracle.sh ORACLE_DIR [CASES] [RUNS]}"
cases="${2:-2600}"
runs="${3:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin="$PWD/target/release/s3guard"

oracle="$oracle_src"
if [ ! -d "$oracle/node_modules" ]; then
    cp -r "$oracle_src" "$work/oracle"
    oracle="$work/oracle"
    (cd "$oracle" && npm ci --silent --no-audit --no-fund >/dev/null)
fi

python3 - "$oracle/sample.jsonl" "$cases" > "$work/cases.jsonl" <<'PY'
import itertools, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.strip()]
n = int(sys.argv[2])
sys.stdout.write("\n".join(l for l, _ in zip(itertools.cycle(lines), range(n))) + "\n")
PY
echo "corpus: $cases cases, $(wc -c < "$work/cases.jsonl") bytes; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# median wall time, median CPU time (user + system, children) and least
# wall time in seconds of RUNS runs of a command: "WALL CPU MIN" (the
# least is the run that other work on the machine disturbed least)
median() {
    local n="$1"
    shift
    python3 - "$n" "$@" <<'PY'
import resource, statistics, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
times, cpus = [], []
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    times.append(time.perf_counter() - t)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode())
        sys.exit(f"{cmd[0]} exited with {r.returncode}")
print(f"{statistics.median(times):.4f} {statistics.median(cpus):.4f} {min(times):.4f}")
PY
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
s3guard_s="$(median "$runs" "$bin" eval --cases "$work/cases.jsonl")"
"$bin" eval --cases "$work/cases.jsonl" | tail -1
oracle_s="$(median "$(( runs < 3 ? runs : 3 ))" node "$oracle/label.mjs" "$work/cases.jsonl" --out /dev/null)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - $s3guard_s $oracle_s "$cases" <<'PY'
import sys
s, sc, smin, o, oc, omin, n = *map(float, sys.argv[1:7]), int(sys.argv[7])
print(f"s3guard eval --cases: {s * 1000:.1f} ms wall (least {smin * 1000:.1f}), {sc * 1000:.0f} ms CPU ({n / s:,.0f} cases/s)")
print(f"oracle (node label.mjs): {o * 1000:.0f} ms wall (least {omin * 1000:.0f}), {oc * 1000:.0f} ms CPU ({n / o:,.0f} cases/s)")
print(f"ratio: s3guard is {o / s:.0f}x faster (wall; {omin / smin:.0f}x by the least runs), {oc / sc:.0f}x less CPU")
PY
