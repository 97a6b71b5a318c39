#!/usr/bin/env bash
# Issue 8: `eval --requests` on a 1,000,000-line file for the Rails policy,
# timed end to end, then a random sample of 200 lines checked against
# `s3guard can` one by one. Usage: scripts/million-requests.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/s3guard
python3 - "$lines" > "$work/requests.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
           "s3:DeleteBucket", "s3:GetObjectAcl", "s3:PutBucketPolicy", "ec2:RunInstances"]
buckets = ["another-test-bucket", "prod", "media"]
for i in range(n):
    a = actions[i % len(actions)]
    b = buckets[(i // len(actions)) % len(buckets)]
    r = f"arn:aws:s3:::{b}" if "Bucket" in a else f"arn:aws:s3:::{b}/uploads/{i}.png"
    d = {"action": a, "resource": r}
    if i % 5 == 0:
        d["principal"] = "arn:aws:iam::111122223333:user/app"
    print(json.dumps(d, separators=(",", ":")))
PY
echo "requests: $lines lines, $(du -h "$work/requests.jsonl" | cut -f1)"
# ec2:RunInstances is not in the catalog: evaluate it anyway, as can does
# below. Wall time, and CPU time (user + system: less moved by other work
# on the machine) with the load average.
python3 - "$lines" "$bin" "$work" <<'PY'
import os, resource, subprocess, sys, time
n, bin, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
load = os.getloadavg()[0]
with open(f"{work}/decisions.jsonl", "wb") as o:
    t = time.perf_counter()
    subprocess.run([bin, "eval", "--requests", f"{work}/requests.jsonl", "--policy",
                    "policies/rails-app.json", "--allow-unknown-action"], stdout=o, check=True)
    wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = r.ru_utime + r.ru_stime
print(f"eval --requests: {wall:.2f} s, {n / wall:,.0f} requests/s; CPU {cpu:.2f} s "
      f"({cpu / n * 1e6:.2f} µs a line); load average {load:.1f}")
PY
test "$(wc -l < "$work/decisions.jsonl")" -eq "$lines"
python3 - "$work" "$bin" <<'PY'
import json, random, subprocess, sys
work, bin = sys.argv[1], sys.argv[2]
reqs = open(f"{work}/requests.jsonl").read().splitlines()
outs = open(f"{work}/decisions.jsonl").read().splitlines()
random.seed(8)
bad = 0
sample = random.sample(range(len(reqs)), min(200, len(reqs)))
for i in sample:
    r, o = json.loads(reqs[i]), json.loads(outs[i])
    assert o["line"] == i + 1, o
    cmd = [bin, "can", r["action"], r["resource"], "--policy", "policies/rails-app.json", "--format", "json", "--allow-unknown-action"]
    if "principal" in r:
        cmd += ["--principal", r["principal"]]
    doc = json.loads(subprocess.run(cmd, capture_output=True, text=True).stdout)
    if doc["EvaluationResults"][0]["s3guard"]["decision"] != o["decision"]:
        bad += 1
        print("mismatch:", i + 1, r, o["decision"])
print(f"sample of {len(sample)} lines: {len(sample) - bad} identical to `s3guard can`, {bad} different")
sys.exit(1 if bad else 0)
PY
