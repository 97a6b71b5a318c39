#!/usr/bin/env python3
"""who-can against an independent simulator, principal by principal.

Generates accounts (examples/gen_account.rs, with bucket policies), asks
`s3guard who-can` a few questions about bucket `prod`, writes one case per
user/role and question in s3guard's `--cases` JSONL format (the request
`s3guard can` would build for that principal, with its complete context),
has an external labeller fill in `expect` (an IAM simulator wrapped to read
that format: ORACLE_DIR holds `label.mjs` and its node_modules), and
compares:

  who-can "allowed"      -> the simulator allows the request as built
  who-can "conditional"  -> the simulator allows the request with the
                            witness's key values (and, when who-can says the
                            keys must be absent, the request as built)
  not listed             -> the simulator does not allow the request as built

With --timing DUMP it also times `who-can` against labelling every user and
role of DUMP one request each (the speed claim of docs/who-can.md).

Not part of CI (it needs Node). usage:
  ORACLE_DIR=/path/to/oracle scripts/oracle-who-can.py [--seeds N] [--timing DUMP]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "s3guard")
GEN = os.path.join(ROOT, "target", "release", "examples", "gen_account")
ACCOUNT = "111122223333"
QUESTIONS = [
    ("s3:DeleteBucket", "arn:aws:s3:::prod"),
    ("s3:ListBucket", "arn:aws:s3:::prod"),
    ("s3:GetObject", "arn:aws:s3:::prod/report.csv"),
    ("s3:PutObject", "arn:aws:s3:::prod/report.csv"),
    ("s3:DeleteObject", "arn:aws:s3:::prod/report.csv"),
]


def run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def doc(d):
    return json.loads(urllib.parse.unquote(d)) if isinstance(d, str) else d


def principal_policies(dump):
    """ARN -> (identity documents, boundary documents)."""
    managed = {}
    for p in dump.get("Policies", []):
        for v in p.get("PolicyVersionList", []):
            if v.get("IsDefaultVersion"):
                managed[p["Arn"]] = doc(v["Document"])
    groups = {}
    for g in dump.get("GroupDetailList", []):
        docs = [doc(x["PolicyDocument"]) for x in g.get("GroupPolicyList", [])]
        docs += [managed[a["PolicyArn"]] for a in g.get("AttachedManagedPolicies", [])]
        groups[g["GroupName"]] = docs
    out = {}
    for lst, inline in (("UserDetailList", "UserPolicyList"), ("RoleDetailList", "RolePolicyList")):
        for e in dump.get(lst, []):
            docs = [doc(x["PolicyDocument"]) for x in e.get(inline, [])]
            docs += [managed[a["PolicyArn"]] for a in e.get("AttachedManagedPolicies", [])]
            for g in e.get("GroupList", []):
                docs += groups.get(g, [])
            b = e.get("PermissionsBoundary")
            boundary = [managed[b["PermissionsBoundaryArn"]]] if b else []
            tags = {t["Key"]: t["Value"] for t in e.get("Tags", [])}
            out[e["Arn"]] = (docs, boundary, tags)
    return out


def can_request(arn, tags, action, resource, extra):
    """The principal and complete context `s3guard can` builds."""
    args = [BIN, "can", action, resource, "--principal", arn, "--resource-account", ACCOUNT,
            "--format", "json", "--policy", os.path.join(ROOT, "policies", "rails-app.json")]
    for k, v in tags.items():
        args += ["--principal-tag", f"{k}={v}"]
    for k, v in extra:
        args += ["--context", f"{k}={v}"]
    out = subprocess.run(args, capture_output=True, text=True)
    r = json.loads(out.stdout)["EvaluationResults"][0]["s3guard"]
    ctx = {}
    for e in r["context"]:
        ctx[e["key"]] = e["value"]
    return r["principal"], ctx


def case(cid, policies, bucket_policy, principal, ctx, action, resource):
    identity, boundary, _ = policies
    c = {"id": cid, "identity": identity,
         "resource_policy": bucket_policy if resource.startswith("arn:aws:s3:::prod") else None,
         "principal": principal, "action": action, "resource": resource,
         "resource_account": ACCOUNT, "context": ctx, "expect": "ImplicitDeny"}
    if boundary:
        c["boundary"] = boundary
    return c


def label(cases, oracle, work):
    src = os.path.join(work, "cases.jsonl")
    dst = os.path.join(work, "labelled.jsonl")
    with open(src, "w") as f:
        for c in cases:
            f.write(json.dumps(c) + "\n")
    t = time.monotonic()
    run(["node", os.path.join(oracle, "label.mjs"), src, "--out", dst], cwd=oracle)
    took = time.monotonic() - t
    with open(dst) as f:
        return {json.loads(l)["id"]: json.loads(l)["expect"] for l in f if l.strip()}, took


def agreement(oracle, seeds, work):
    total = agree = 0
    disagreements = []
    for seed in range(1, seeds + 1):
        bp_dir = os.path.join(work, f"bp{seed}")
        os.makedirs(bp_dir, exist_ok=True)
        dump_path = os.path.join(work, f"acct{seed}.json")
        with open(dump_path, "w") as f:
            subprocess.run([GEN, "--users", "25", "--roles", "35", "--groups", "5", "--policies", "30",
                            "--seed", str(seed), "--buckets", "3", "--bucket-dir", bp_dir],
                           check=True, stdout=f)
        dump = json.load(open(dump_path))
        bucket_policy = json.load(open(os.path.join(bp_dir, "prod.json")))
        pols = principal_policies(dump)
        cases, expect = [], {}
        for qi, (action, resource) in enumerate(QUESTIONS):
            out = run([BIN, "who-can", action, resource, "--account", dump_path, "--bucket-policy",
                       f"prod={os.path.join(bp_dir, 'prod.json')}", "--no-escalation", "--format", "json"])
            listed = {e["principal"]: e for e in json.loads(out.stdout)["principals"]}
            for arn, p in pols.items():
                e = listed.get(arn)
                principal, ctx = can_request(arn, p[2], action, resource, [])
                cid = f"s{seed}-q{qi}-{arn.rsplit('/', 1)[-1]}"
                cases.append(case(cid, p, bucket_policy, principal, ctx, action, resource))
                if e is None:
                    expect[cid] = ("not listed", False)
                elif e["access"] == "allowed":
                    expect[cid] = ("allowed", True)
                elif e["access"] == "conditional":
                    values = [(k["key"], k["value"]) for k in e.get("keys", []) if k.get("value") is not None]
                    if values:
                        expect[cid] = ("conditional (as built)", False)
                        wid = cid + "-witness"
                        principal, wctx = can_request(arn, p[2], action, resource, values)
                        cases.append(case(wid, p, bucket_policy, principal, wctx, action, resource))
                        expect[wid] = ("conditional (witness)", True)
                    else:
                        expect[cid] = ("conditional (keys absent)", True)
                else:
                    expect[cid] = (e["access"], None)
        labels, _ = label(cases, oracle, work)
        for c in cases:
            what, allowed = expect[c["id"]]
            if allowed is None:
                continue
            total += 1
            if (labels.get(c["id"]) == "Allow") == allowed:
                agree += 1
            else:
                disagreements.append((c["id"], what, labels.get(c["id"]), c))
    return total, agree, disagreements


def timing(oracle, dump_path, work):
    """who-can's wall time (best and median of 5 runs) and the simulator's (one run)."""
    runs = []
    for _ in range(5):
        t = time.monotonic()
        run([BIN, "who-can", "s3:DeleteBucket", "arn:aws:s3:::prod", "--account", dump_path, "--no-escalation",
             "--format", "json"])
        runs.append(time.monotonic() - t)
    runs.sort()
    ours = (runs[0], runs[len(runs) // 2])
    dump = json.load(open(dump_path))
    pols = principal_policies(dump)
    # one `can` for a user and one for a role give the context's shape
    user_arn = next(a for a in pols if ":user/" in a)
    role_arn = next(a for a in pols if ":role/" in a)
    templates = {}
    for arn in (user_arn, role_arn):
        templates[arn.split(":")[5].split("/")[0]] = can_request(arn, {}, "s3:DeleteBucket", "arn:aws:s3:::prod", [])
    cases = []
    for arn, p in pols.items():
        kind = arn.split(":")[5].split("/")[0]
        name = arn.rsplit("/", 1)[-1]
        principal, ctx = templates[kind]
        sample = user_arn if kind == "user" else role_arn
        sample_name = sample.rsplit("/", 1)[-1]
        ctx = {k: (v.replace(sample, arn) if isinstance(v, str) else v) for k, v in ctx.items()}
        if "aws:username" in ctx:
            ctx["aws:username"] = name
        for k, v in p[2].items():
            ctx[f"aws:PrincipalTag/{k}"] = v
        principal = principal.replace(f"/{sample_name}/", f"/{name}/").replace(sample, arn)
        cases.append(case(name, p, None, principal, ctx, "s3:DeleteBucket", "arn:aws:s3:::prod"))
    _, theirs = label(cases, oracle, work)
    return ours, theirs, len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--timing", metavar="DUMP")
    ap.add_argument("--keep", metavar="DIR", help="keep the cases and the disagreements here")
    args = ap.parse_args()
    oracle = os.environ.get("ORACLE_DIR")
    if not oracle or not os.path.exists(os.path.join(oracle, "label.mjs")):
        sys.exit("set ORACLE_DIR to the labeller's directory (label.mjs, after npm ci)")
    run(["cargo", "build", "--release", "--bin", "s3guard", "--example", "gen_account"], cwd=ROOT)
    work = args.keep or tempfile.mkdtemp(prefix="s3guard-oracle-")
    os.makedirs(work, exist_ok=True)
    total, agree, dis = agreement(oracle, args.seeds, work)
    print(f"agreement: {agree}/{total} requests ({100.0 * agree / max(total, 1):.2f}%) over {args.seeds} generated accounts")
    for cid, what, label_, c in dis[:20]:
        print(f"  {cid}: who-can {what}, simulator {label_}")
    with open(os.path.join(work, "disagreements.jsonl"), "w") as f:
        for cid, what, label_, c in dis:
            f.write(json.dumps({"who_can": what, "simulator": label_, "case": c}) + "\n")
    if args.timing:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
        (best, median), theirs, n = timing(oracle, args.timing, work)
        print(f"timing (load {load}): who-can {best:.2f} s best, {median:.2f} s median of 5; simulator labelling "
              f"{n} principals one request each {theirs:.2f} s ({theirs / max(best, 1e-9):.0f}x best, "
              f"{theirs / max(median, 1e-9):.0f}x median)")


if __name__ == "__main__":
    main()
