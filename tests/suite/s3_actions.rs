//! The catalog against its data (spec M-2, M-5, M-6), the destructive
//! classification, and `s3guard actions` (patterns and `--policy`).

use serde_json::Value;

use crate::support::{repo, run, temp_file};
use s3guard::catalog::{self, Scope};

const RAILS: &str = "policies/rails-app.json";
const FULL: &str = "policies/amazon-s3-full-access.json";

fn data() -> Value {
    let text = std::fs::read_to_string(repo("data/s3-actions.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_action_of_the_data_file_is_looked_up_with_its_level_and_types_spec_m2() {
    let d = data();
    let mut n = 0;
    for (svc, s) in d["services"].as_object().unwrap() {
        for a in s["actions"].as_array().unwrap() {
            let name = a["iamAction"].as_str().unwrap();
            let info = catalog::lookup(&name.to_uppercase()).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(&info.service, svc);
            assert_eq!(
                info.access_level.as_str(),
                a["accessLevel"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(
                info.wildcard_only,
                a["wildcardOnly"].as_bool().unwrap(),
                "{name}"
            );
            let types: Vec<&str> = a["resourceTypes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["name"].as_str().unwrap())
                .collect();
            let ours: Vec<&str> = info.resource_types.iter().map(|r| r.name).collect();
            assert_eq!(ours, types, "{name}");
            n += 1;
        }
    }
    assert_eq!(n, 180 + 28 + 26);
    assert_eq!(catalog::catalog().actions().len(), n);
}

#[test]
fn destructive_actions_follow_the_data_rules_over_the_whole_catalog() {
    for a in catalog::catalog().actions() {
        let d = catalog::destructive(a);
        let perms = a.access_level_raw.contains("Permissions management");
        // tag deletions are tag edits (access level Tagging), not deletions
        let delete = (a.name.starts_with("Delete") || a.name == "ReplicateDelete")
            && a.access_level != catalog::AccessLevel::Tagging;
        assert_eq!(
            d.is_some(),
            perms || delete || catalog::INDIRECT_DELETES.iter().any(|(n, _)| *n == a.name),
            "{}",
            a.iam_action
        );
    }
}

#[test]
fn actions_patterns_list_levels_and_types() {
    let (code, out, err) = run(&["actions", "s3:*Object*"]);
    assert_eq!(code, 0, "{err}");
    let expected = catalog::expand("s3:*Object*").len();
    assert!(
        out.starts_with(&format!("s3:*Object* matches {expected} catalog actions")),
        "{out}"
    );
    assert!(out.contains("  s3:DeleteObject "), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("s3:DeleteObject ") && l.ends_with("! deletes (object)")),
        "{out}"
    );
    let (_, out, _) = run(&["actions", "s3:Get*", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["count"], 63, "spec M-2: s3:Get* = 63 actions");
    assert!(v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["access_level"] == "Read"));
}

#[test]
fn a_pattern_that_matches_nothing_warns_with_did_you_mean() {
    let (code, out, err) = run(&["actions", "s3:GetObjects"]);
    assert_eq!(code, 1);
    assert!(out.contains("matches 0 catalog actions"), "{out}");
    assert!(
        err.contains(
            "warning: `s3:GetObjects` matches no catalog action (did you mean s3:GetObject?)"
        ),
        "{err}"
    );
    let (code, _, err) = run(&["actions"]);
    assert_eq!(code, 2);
    assert!(err.contains("give action patterns or --policy"), "{err}");
}

#[test]
fn rails_app_allows_exactly_five_object_actions_and_list_bucket_issue5() {
    let (code, out, err) = run(&["actions", "--policy", RAILS]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("policies/rails-app.json allows 6 catalog actions (s3: 6 of 180,"),
        "{out}"
    );
    assert!(
        out.contains("destructive (!): 2 — 2 on objects; none at bucket or account level"),
        "{out}"
    );
    let (_, json, _) = run(&["actions", "--policy", RAILS, "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:ListBucket",
            "s3:PutObject",
            "s3:PutObjectAcl"
        ]
    );
    assert_eq!(v["destructive"]["bucket"], 0);
    assert_eq!(v["destructive"]["account"], 0);
    assert_eq!(v["destructive"]["object"], 2);
    let list = &v["actions"][3];
    assert_eq!(list["allowed_on"][0]["resource_type"], "bucket");
    assert_eq!(
        list["allowed_on"][0]["scopes"][0],
        "arn:aws:s3:::another-test-bucket"
    );
}

#[test]
fn full_access_allows_all_180_s3_actions_with_the_destructive_ones_marked_issue5() {
    let (_, json, _) = run(&["actions", "--policy", FULL, "--format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["counts"]["s3"]["allowed"], 180);
    assert_eq!(v["counts"]["s3"]["total"], 180);
    assert_eq!(v["counts"]["s3-object-lambda"]["allowed"], 26);
    assert_eq!(
        v["counts"]["s3express"]["allowed"], 0,
        "s3:* does not cover s3express (M-1)"
    );
    let s3: Vec<&Value> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"].as_str().unwrap().starts_with("s3:"))
        .collect();
    let marked = s3.iter().filter(|a| !a["destructive"].is_null()).count();
    let expected = catalog::catalog()
        .actions()
        .iter()
        .filter(|a| a.service == "s3" && catalog::destructive(a).is_some())
        .count();
    assert_eq!(marked, expected);
    let bucket_level = catalog::catalog()
        .actions()
        .iter()
        .filter(|a| {
            a.service == "s3" && catalog::destructive(a).is_some_and(|d| d.scope == Scope::Bucket)
        })
        .count();
    assert_eq!(
        v["destructive"]["bucket"], bucket_level,
        "s3 only: s3:* covers no s3express action"
    );
    let (_, text, _) = run(&["actions", "--policy", FULL]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("  s3:DeleteBucket ") && l.ends_with("! deletes (bucket)")),
        "{text}"
    );
}

#[test]
fn a_resource_limits_actions_to_its_type_spec_m6_m7() {
    let (_, json, _) = run(&[
        "actions",
        "--policy",
        FULL,
        "--resource",
        "arn:aws:s3:::prod",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"s3:ListBucket") && names.contains(&"s3:DeleteBucket"));
    assert!(
        !names.contains(&"s3:GetObject"),
        "GetObject applies to objects (M-7)"
    );
    let (_, json, _) = run(&[
        "actions",
        "--policy",
        FULL,
        "--resource",
        "*",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["counts"]["s3"]["allowed"], 15,
        "the 15 wildcard-only actions (M-6)"
    );
}

#[test]
fn conditions_are_reported_as_conditional() {
    let (code, out, _) = run(&[
        "actions",
        "--policy",
        "tests/fixtures/policies/office-only.json",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("s3:GetObject  object on arn:aws:s3:::reports/* (conditional: aws:SourceIp)"),
        "{out}"
    );
    let (_d, p) = temp_file(
        "deny.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#,
    );
    let (_, json, _) = run(&[
        "actions",
        "--policy",
        p.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("s3:Delete")),
        "explicit deny wins (E-2)"
    );
    assert_eq!(v["counts"]["s3"]["allowed"], 180 - 23);
}

#[test]
fn can_warns_that_get_object_applies_to_objects_spec_m7() {
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::bucket",
        "--policy",
        RAILS,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("s3:GetObject applies to accesspointobject / object resources, but arn:aws:s3:::bucket is a bucket"), "{err}");
}
