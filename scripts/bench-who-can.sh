#!/usr/bin/env bash
# Times `who-can` and `review --account` on a generated account of 2,000
# users, 5,000 roles, 200 groups and 1,000 managed policies (~5 MB), with
# 500 bucket policies for the review (examples/gen_account.rs). The numbers
# of docs/who-can.md come from here. Wall time, user and system CPU time
# and peak memory of each run, best of RUNS (default 5).
#
# usage: scripts/bench-who-can.sh [WORKDIR]   (outputs in WORKDIR/out)
set -euo pipefail

cd "$(dirname "$0")/.."
work="${1:-target/bench-who-can}"
runs="${RUNS:-5}"
mkdir -p "$work/buckets"
cargo build --quiet --release --bin s3guard --example gen_account
bin=target/release/s3guard
gen=target/release/examples/gen_account
[[ -f "$work/account.json" ]] || "$gen" --users 2000 --roles 5000 --groups 200 --policies 1000 --seed 1 >"$work/account.json"
[[ -f "$work/account500.json" ]] || "$gen" --users 2000 --roles 5000 --groups 200 --policies 1000 --seed 1 \
  --buckets 494 --bucket-dir "$work/buckets" >"$work/account500.json"
bucket_flags=()
for f in "$work"/buckets/*.json; do
  bucket_flags+=(--bucket-policy "$(basename "$f" .json)=$f")
done
# A fixed time (`--at`): runs compare byte for byte (`aws:CurrentTime` is
# in every witness).
at=(--at 2026-01-01T00:00:00Z)
echo "account: $(du -h "$work/account.json" | cut -f1), cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"

# Each command's output (of its last run) goes to $work/out/N.txt, to
# compare two revisions byte for byte (diff -r).
mkdir -p "$work/out"
count=0
best() {
  local n="$1" label="$2"
  shift 2
  count=$((count + 1))
  local best_line="" best_wall=999999
  for _ in $(seq "$n"); do
    local line
    /usr/bin/time -o "$work/time.txt" -f "%e %U %S %M" "$@" >"$work/out/$count.txt" 2>&1
    line=$(tail -1 "$work/time.txt")
    local wall="${line%% *}"
    if awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
      best_wall="$wall"
      best_line="$line"
    fi
  done
  read -r wall user sys rss <<<"$best_line"
  printf '%-62s %6.2f s wall  %6.2f s user  %5.2f s sys  %5d MB\n' "$label" "$wall" "$user" "$sys" "$((rss / 1024))"
}

best "$runs" "who-can s3:DeleteBucket prod --no-escalation" \
  "$bin" who-can s3:DeleteBucket arn:aws:s3:::prod --account "$work/account.json" --no-escalation "${at[@]}"
best "$runs" "who-can s3:DeleteBucket prod (with escalation paths)" \
  "$bin" who-can s3:DeleteBucket arn:aws:s3:::prod --account "$work/account.json" "${at[@]}"
best "$runs" "who-can s3:DeleteBucket prod, 1 thread" \
  env S3GUARD_THREADS=1 "$bin" who-can s3:DeleteBucket arn:aws:s3:::prod --account "$work/account.json" --no-escalation "${at[@]}"
best "$runs" "who-can 's3:Delete*' 'arn:aws:s3:::prod*' --no-escalation" \
  "$bin" who-can 's3:Delete*' 'arn:aws:s3:::prod*' --account "$work/account.json" --no-escalation "${at[@]}"
best 1 "review --account, 500 bucket policies (--no-escalation)" \
  "$bin" review --account "$work/account500.json" "${bucket_flags[@]}" --no-escalation --format json "${at[@]}"
