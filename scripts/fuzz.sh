#!/usr/bin/env bash
# Fuzzes s3guard with cargo-fuzz (libFuzzer): builds seed corpora from the
# bundled policies and test fixtures, runs each target for a set time, one
# after another (one process, one core), and prints a summary.
#
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS  run time per target (default 600)
#   TARGET   policy_load, pattern_match, condition_eval, case_runner,
#            prove_patterns (default: all five)
#
# needs: the nightly toolchain, `cargo install cargo-fuzz`, python3 (seeds).
# env:   FUZZ_LOG_DIR   where libFuzzer's output goes (default fuzz/logs)
#        FUZZ_SEEDS=0   skip building seed corpora
#        FUZZ_ARGS      extra libFuzzer arguments (e.g. "-max_len=8192")
# exit:  0 when no target crashed, 1 when one did, 2 on a usage or build error.
# Crashes land in fuzz/artifacts/TARGET/ (crash-*, timeout-*, oom-*, leak-*);
# see docs/fuzzing.md for turning one into a regression test.
set -euo pipefail

cd "$(dirname "$0")/.."
ALL_TARGETS=(policy_load pattern_match condition_eval case_runner prove_patterns)

seconds=600
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  seconds="$1"
  shift
fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=("${ALL_TARGETS[@]}")
fi
for t in "${targets[@]}"; do
  if [[ ! " ${ALL_TARGETS[*]} " =~ " $t " ]]; then
    echo "unknown target \`$t\` (known: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
done
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz not found: rustup toolchain install nightly && cargo install cargo-fuzz" >&2
  exit 2
fi

log_dir="${FUZZ_LOG_DIR:-fuzz/logs}"
mkdir -p "$log_dir"

# --- seed corpora ----------------------------------------------------------
# Generated at run time (file names are content hashes, so re-running only
# adds what is new). Policies and case lines come from the repository; the
# pattern and condition seeds are taken out of them.
if [[ "${FUZZ_SEEDS:-1}" != 0 ]]; then
  python3 - <<'PY'
import glob, hashlib, json, os, urllib.parse

root = "fuzz/corpus"
counts = {}

# Pattern seeds are pairs (pattern x subject) and multiply quickly: at most
# this many per target, a fixed pseudo-random choice (by content hash).
CAP = {"pattern_match": 3000, "condition_eval": 3000}
pending = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    if target in CAP:
        pending.setdefault(target, set()).add(data)
        return
    write(target, data)

def write(target, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    name = os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest())
    if not os.path.exists(name):
        with open(name, "wb") as f:
            f.write(data)
    counts[target] = counts.get(target, 0) + 1

def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]

policy_files = sorted(glob.glob("policies/*.json")) + sorted(
    glob.glob("tests/fixtures/**/*.json", recursive=True))
case_lines = []
for path in sorted(glob.glob("tests/fixtures/**/*.jsonl", recursive=True)):
    with open(path, "rb") as f:
        for line in f.read().split(b"\n"):
            if line.strip():
                case_lines.append(line)

policies = []   # parsed policy documents
for path in policy_files:
    with open(path, "rb") as f:
        raw = f.read()
    put("policy_load", raw)
    try:
        policies.append(json.loads(raw))
    except ValueError:
        pass

cases = []
for line in case_lines:
    put("case_runner", line)
    try:
        case = json.loads(line)
    except ValueError:
        continue
    if not isinstance(case, dict):
        continue
    cases.append(case)
    for field in ("identity", "boundary", "session", "scp", "rcp", "resource_policy"):
        for p in as_list(case.get(field)):
            # scp/rcp may be lists of levels
            for q in (p if isinstance(p, list) else [p]):
                if isinstance(q, dict):
                    put("policy_load", json.dumps(q))
                    policies.append(q)

# AWS CLI output around a few policies: the unwrapping paths.
for p in [p for p in policies if isinstance(p, dict)][:12]:
    text = json.dumps(p)
    put("policy_load", json.dumps({"PolicyVersion": {"Document": p, "VersionId": "v1"}}))
    put("policy_load", json.dumps({"PolicyVersion": {"Document": urllib.parse.quote(text)}}))
    put("policy_load", json.dumps({"PolicyVersion": {"Document": text}}))
    put("policy_load", json.dumps({"Policy": text}))
    put("policy_load", json.dumps({"Policy": {"Content": text}}))
    put("policy_load", json.dumps({"PolicyDocument": p, "PolicyName": "n"}))

def statements(p):
    if not isinstance(p, dict):
        return []
    return [s for s in as_list(p.get("Statement")) if isinstance(s, dict)]

def conditions(p):
    for s in statements(p):
        cond = s.get("Condition")
        if not isinstance(cond, dict):
            continue
        for op, block in cond.items():
            if isinstance(block, dict):
                for key, values in block.items():
                    yield op, key, values

def context_lines(ctx):
    out = []
    if isinstance(ctx, dict):
        for k, v in ctx.items():
            vs = v if isinstance(v, list) else [v]
            out.append("\t".join([k] + [x if isinstance(x, str) else json.dumps(x) for x in vs]))
    return out

# condition_eval: OPERATOR \n KEY \n VALUES(JSON) \n CONTEXT lines
default_ctx = ["aws:username\talice", "aws:SecureTransport\ttrue", "aws:SourceIp\t10.0.0.1",
               "aws:CurrentTime\t2025-01-01T00:00:00Z", "aws:PrincipalTag/team\tblue"]
for case in cases:
    ctx = context_lines(case.get("context"))
    for field in ("identity", "boundary", "session", "scp", "rcp", "resource_policy"):
        for p in as_list(case.get(field)):
            for q in (p if isinstance(p, list) else [p]):
                for op, key, values in conditions(q):
                    put("condition_eval", "\n".join([op, key, json.dumps(values)] + ctx))
for p in policies:
    for op, key, values in conditions(p):
        put("condition_eval", "\n".join([op, key, json.dumps(values)] + default_ctx))

# pattern_match: PATTERN \n SUBJECT
subjects = {"s3:GetObject", "arn:aws:s3:::bucket/key", "*"}
for case in cases:
    a, r = case.get("action"), case.get("resource")
    if isinstance(a, str):
        subjects.add(a)
    if isinstance(r, str):
        subjects.add(r)
    for p in as_list(case.get("identity")) + as_list(case.get("resource_policy")):
        for s in statements(p):
            for pat in as_list(s.get("Action")) + as_list(s.get("NotAction")):
                if isinstance(pat, str) and isinstance(a, str):
                    put("pattern_match", f"{pat}\n{a}")
            for pat in as_list(s.get("Resource")) + as_list(s.get("NotResource")):
                if isinstance(pat, str) and isinstance(r, str):
                    put("pattern_match", f"{pat}\n{r}")
subjects = sorted(subjects)[:40]
for p in policies:
    for s in statements(p):
        for pat in as_list(s.get("Action")) + as_list(s.get("Resource")):
            if isinstance(pat, str):
                for subj in subjects[:5]:
                    put("pattern_match", f"{pat}\n{subj}")
    for op, key, values in conditions(p):
        if "Like" in op:
            for v in as_list(values):
                if isinstance(v, str):
                    put("pattern_match", f"{v}\nalice/home/x")

# prove_patterns: three repetition counts (a byte each, times 12), then
# units, tail, one a line: the long pattern shapes of issue 15
for counts_, units in [
    (b"\xff\xff\x10", "*a\n*a\na\nb"),
    (b"\xff\x01\x01", "a\n*a\n*\nb"),
    (b"\x80\x80\x80", "?*\n*ab\n*a*\nc"),
    (b"\x40\xff\x20", "a*\naa\n?\nz"),
    (b"\x10\x10\x10", "${aws:username}*\n*/\n*\nx"),
]:
    put("prove_patterns", counts_ + units.encode())

for target, items in pending.items():
    for data in sorted(items, key=lambda d: hashlib.sha1(d).digest())[:CAP[target]]:
        write(target, data)

for t in sorted(counts):
    n = len(os.listdir(os.path.join(root, t)))
    print(f"seeds: {t}: {n} files in {root}/{t}")
PY
fi

# --- build once, then run each target --------------------------------------
# -a: debug assertions (integer overflow panics, as in `cargo test`).
build_flags=(-a)
echo "building fuzz targets (nightly, -a)..."
if ! cargo +nightly fuzz build "${build_flags[@]}" >"$log_dir/build.log" 2>&1; then
  tail -30 "$log_dir/build.log" >&2
  echo "build failed (log: $log_dir/build.log)" >&2
  exit 2
fi

declare -a summary
crashed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t" | wc -l)
  log="$log_dir/$t.log"
  echo "fuzzing $t for ${seconds}s (log: $log)"
  set +e
  # shellcheck disable=SC2086
  cargo +nightly fuzz run "${build_flags[@]}" "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  runs="${runs:-$(grep -o '#[0-9]*' "$log" | tail -1 | tr -d '#')}"
  corpus=$(ls "fuzz/corpus/$t" | wc -l)
  after=$(ls "fuzz/artifacts/$t" | wc -l)
  if [[ $rc -ne 0 || $after -gt $before ]]; then
    crashed=1
    artifact=$(ls -t "fuzz/artifacts/$t" | head -1)
    status="CRASH (exit $rc) fuzz/artifacts/$t/${artifact:-?}"
  else
    status="ok"
  fi
  summary+=("$(printf '%-15s %6ss %12s runs %7s corpus  %s' "$t" "$seconds" "${runs:-?}" "$corpus" "$status")")
done

echo
echo "summary ($(date -u +%Y-%m-%dT%H:%MZ)):"
printf '  %s\n' "${summary[@]}"
if [[ $crashed -ne 0 ]]; then
  echo "a target crashed: see the artifacts above and docs/fuzzing.md" >&2
  exit 1
fi
