//! `s3guard review`: pinned outputs on the bundled policies, the HTML page's
//! structure (parsed, no browser), exit codes, and the matrix checked
//! against the concrete evaluator (issue 6).

use std::path::PathBuf;

use proptest::prelude::*;
use s3guard::review::{Access, Review};
use s3guard::{Decision, Policy, PolicySet, Request};
use scraper::{Html, Selector};

use crate::support::{repo, run, temp_file};

const RAILS: &str = "policies/rails-app.json";
const FULL: &str = "policies/amazon-s3-full-access.json";
const TLS: &str = "policies/bucket-policy-tls-only.json";

/// Compares `actual` with `tests/fixtures/review/NAME`; with
/// `S3GUARD_BLESS=1` rewrites the file instead.
pub fn snapshot(name: &str, actual: &str) {
    let path: PathBuf = repo("tests/fixtures/review").join(name);
    if std::env::var_os("S3GUARD_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}: run with S3GUARD_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  expected: {:?}\n  actual:   {:?}\n(run with S3GUARD_BLESS=1 to accept the new output)",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            actual.lines().nth(first).unwrap_or("<end>")
        );
    }
}

fn review_ok(args: &[&str]) -> String {
    let mut all = vec!["review"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "review {args:?}: {err}");
    out
}

// ---- must-show (issue 6) -------------------------------------------------

#[test]
fn rails_app_cannot_delete_buckets_and_deletes_objects_only_in_its_bucket_issue6() {
    let out = review_ok(&[RAILS]);
    assert_eq!(verdict_row(&out, "delete buckets"), "no", "{out}");
    assert_eq!(
        verdict_row(&out, "delete objects"),
        "only in another-test-bucket (s3:DeleteObject)",
        "{out}"
    );
    assert_eq!(
        verdict_row(&out, "change object ACLs"),
        "only in another-test-bucket (s3:PutObjectAcl)"
    );
}

#[test]
fn full_access_can_delete_any_bucket_issue6() {
    let out = review_ok(&[FULL]);
    assert_eq!(
        verdict_row(&out, "delete buckets"),
        "yes (s3:DeleteBucket)",
        "{out}"
    );
}

#[test]
fn an_explicit_deny_is_named_with_its_statement_spec_e2() {
    let out = review_ok(&[FULL, "policies/deny-bucket-deletion.json"]);
    assert_eq!(verdict_row(&out, "delete buckets"), "no", "{out}");
    assert!(
        squash(&out).contains(
            "explicitly denied: s3:DeleteBucket, s3:DeleteBucketPolicy (by policies/deny-bucket-deletion.json:4:5 (Sid NoBucketDeletion))"
        ),
        "{out}"
    );
}

// ---- snapshots of every format on the bundled policies --------------------

#[test]
fn snapshots_of_review_outputs() {
    let cases: &[(&str, &[&str])] = &[
        ("rails-app.txt", &[RAILS]),
        ("rails-app.json", &[RAILS, "--format", "json"]),
        (
            "rails-app-tls.md",
            &[RAILS, "--bucket-policy", TLS, "--format", "markdown"],
        ),
        ("rails-app-tls.txt", &[RAILS, "--bucket-policy", TLS]),
        (
            "full-access-deny-deletion.txt",
            &[FULL, "policies/deny-bucket-deletion.json"],
        ),
        (
            "read-only.txt",
            &["policies/amazon-s3-read-only-access.json"],
        ),
        (
            "user-home-alice.txt",
            &[
                "policies/user-home-prefix.json",
                "--principal",
                "arn:aws:iam::111122223333:user/alice",
            ],
        ),
        (
            "user-home-any.md",
            &["policies/user-home-prefix.json", "--format", "markdown"],
        ),
        (
            "tls-bucket-anonymous.txt",
            &[
                "--bucket-policy",
                TLS,
                "--principal",
                "anonymous",
                "--bucket",
                "logs",
            ],
        ),
    ];
    for (name, args) in cases {
        snapshot(name, &review_ok(args));
    }
}

// ---- JSON ----------------------------------------------------------------

#[test]
fn json_has_the_stable_fields() {
    let out = review_ok(&[RAILS, "--bucket-policy", TLS, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policies"][0]["file"], RAILS);
    assert_eq!(v["policies"][1]["type"], "resource");
    assert!(v["verdict"]["text"]
        .as_str()
        .unwrap()
        .starts_with("can delete buckets: no."));
    assert_eq!(v["verdict"]["items"][0]["topic"], "delete buckets");
    assert_eq!(v["verdict"]["items"][0]["answer"], "no");
    assert_eq!(v["verdict"]["items"][1]["answer"], "some");
    assert_eq!(v["verdict"]["items"][1]["conditional"], true);
    let objects = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "objects:another-test-bucket")
        .unwrap();
    assert_eq!(objects["kind"], "objects");
    assert_eq!(
        objects["arn"],
        "arn:aws:s3:::another-test-bucket/s3guard-example-key"
    );
    let delete = objects["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "s3:DeleteObject")
        .unwrap();
    assert_eq!(delete["access"], "conditional");
    assert_eq!(delete["destructive"], true);
    assert_eq!(delete["requirements"][0]["kind"], "denied-if");
    assert_eq!(
        delete["requirements"][0]["statement"],
        "policies/bucket-policy-tls-only.json:4:5 (Sid DenyInsecureTransport)"
    );
    assert_eq!(
        delete["statements"][0],
        "policies/rails-app.json:10:5 (Sid ReadWriteAppObjects)"
    );
    // destructive actions come first in each class
    assert_eq!(objects["actions"][0]["destructive"], true);
}

// ---- HTML: parsed, no browser ---------------------------------------------

fn html_of(args: &[&str]) -> Html {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "html"]);
    Html::parse_document(&review_ok(&all))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text_of(e: scraper::ElementRef<'_>) -> String {
    squash(&e.text().collect::<Vec<_>>().join(" "))
}

/// Collapses runs of whitespace (line wrapping, indentation) to one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The answer on the verdict row `can TOPIC:` of a text review, its
/// wrapped lines joined.
fn verdict_row(out: &str, topic: &str) -> String {
    let head = format!("  can {topic}:");
    let mut lines = out.lines().skip_while(|l| !l.starts_with(&head));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("no verdict row `{head}` in:\n{out}"));
    let mut row = first[head.len()..].to_string();
    // continuation lines are indented past the row's own two spaces
    for l in lines.take_while(|l| l.starts_with("    ")) {
        row.push(' ');
        row.push_str(l);
    }
    squash(&row)
}

#[test]
fn the_verdict_is_one_aligned_line_per_question_issue14() {
    let out = review_ok(&[RAILS]);
    let rows: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "verdict:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let questions: Vec<&&str> = rows
        .iter()
        .filter(|l| l.starts_with("  can ") && !l.contains("other destructive"))
        .collect();
    assert_eq!(questions.len(), 10, "{out}");
    // every answer starts in the same column
    let columns: Vec<usize> = questions
        .iter()
        .map(|l| {
            l.find(": ").unwrap()
                + 2
                + l[l.find(": ").unwrap() + 2..]
                    .find(|c: char| c != ' ')
                    .unwrap()
        })
        .collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{out}");
    assert_eq!(
        verdict_row(&out, "run other destructive or permission-changing actions"),
        "no"
    );
}

/// The cell of an action row in the column of a class.
fn cell_class(doc: &Html, action: &str, class_id: &str) -> String {
    let row = doc
        .select(&sel(&format!("tr[data-action=\"{action}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no row for {action}"));
    let td = row
        .select(&sel(&format!("td[data-class=\"{class_id}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no {class_id} cell in the {action} row"));
    td.value().attr("class").unwrap().to_string()
}

#[test]
fn html_page_shows_the_verdict_and_a_colour_coded_matrix_issue6() {
    let doc = html_of(&[RAILS]);
    let verdict = doc
        .select(&sel("section#verdict li"))
        .map(text_of)
        .collect::<Vec<_>>();
    assert_eq!(
        verdict.first().map(String::as_str),
        Some("can delete buckets: no")
    );
    assert!(
        verdict.contains(
            &"can delete objects: only in another-test-bucket (s3:DeleteObject)".to_string()
        ),
        "{verdict:?}"
    );
    // the table rows the must-show is about, with the right classes
    assert_eq!(
        cell_class(&doc, "s3:DeleteBucket", "bucket:another-test-bucket"),
        "cell denied"
    );
    assert_eq!(
        cell_class(&doc, "s3:DeleteBucket", "bucket:*"),
        "cell denied"
    );
    assert_eq!(
        cell_class(&doc, "s3:DeleteObject", "objects:another-test-bucket"),
        "cell allowed"
    );
    assert_eq!(
        cell_class(&doc, "s3:DeleteObject", "objects:*"),
        "cell denied"
    );
    assert_eq!(
        cell_class(&doc, "s3:ListBucket", "bucket:another-test-bucket"),
        "cell allowed"
    );
    // column headers name the classes and their sample ARNs
    let heads = doc.select(&sel("th.col")).map(text_of).collect::<Vec<_>>();
    assert!(
        heads.contains(&"bucket another-test-bucket arn:aws:s3:::another-test-bucket".to_string()),
        "{heads:?}"
    );
    // a legend explains the colours
    let legend = doc
        .select(&sel(".legend .sw"))
        .map(|e| e.value().attr("class").unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        legend,
        [
            "sw allowed",
            "sw conditional",
            "sw denied",
            "sw explicit-deny"
        ]
    );
}

#[test]
fn html_conditional_cells_point_to_their_condition() {
    let doc = html_of(&[RAILS, "--bucket-policy", TLS]);
    assert_eq!(
        cell_class(&doc, "s3:DeleteObject", "objects:another-test-bucket"),
        "cell conditional"
    );
    let notes = doc
        .select(&sel("ol.conditions li"))
        .map(text_of)
        .collect::<Vec<_>>();
    assert!(
        notes.iter().any(|n| n == "denied if aws:SecureTransport is false — policies/bucket-policy-tls-only.json:4:5 (Sid DenyInsecureTransport)"),
        "{notes:?}"
    );
    let full = html_of(&[FULL, "policies/deny-bucket-deletion.json"]);
    assert_eq!(
        cell_class(&full, "s3:DeleteBucket", "bucket:*"),
        "cell explicit-deny"
    );
    assert_eq!(
        cell_class(&full, "s3:DeleteObject", "objects:*"),
        "cell allowed"
    );
}

#[test]
fn html_is_self_contained() {
    let out = review_ok(&[RAILS, "--bucket-policy", TLS, "--format", "html"]);
    let doc = Html::parse_document(&out);
    assert!(out.starts_with("<!DOCTYPE html>"));
    for attr in ["src", "href", "srcset", "action", "data"] {
        for e in doc.select(&sel(&format!("[{attr}]"))) {
            let v = e.value().attr(attr).unwrap_or_default();
            assert!(v.starts_with('#'), "external reference {attr}={v:?}");
        }
    }
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(
            doc.select(&sel(tag)).count(),
            0,
            "<{tag}> in a self-contained page"
        );
    }
    let style = doc
        .select(&sel("style"))
        .map(|s| s.inner_html())
        .collect::<String>();
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "CSS loads nothing"
    );
    assert!(!out.contains("http://") && !out.contains("https://"));
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
}

#[test]
fn html_escapes_policy_text() {
    let (_dir, path) = temp_file(
        "odd<name>.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b<script>/*"}]}"#,
    );
    let out = review_ok(&[path.to_str().unwrap(), "--format", "html"]);
    assert!(!out.contains("<script>"), "unescaped");
    assert!(out.contains("b&lt;script&gt;"));
}

// ---- CLI behaviour ---------------------------------------------------------

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = crate::support::tempdir::Dir::new();
    let file = dir.path().join("review.html");
    let (code, out, err) = run(&[
        "review",
        RAILS,
        "--format",
        "html",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("wrote "));
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("S3 access review"));
}

#[test]
fn exit_codes_for_bad_input() {
    let (code, out, err) = run(&["review"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no policy given"), "{err}");
    let (code, _, err) = run(&["review", RAILS, "--bucket", "arn:aws:s3:::prod"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--bucket `arn:aws:s3:::prod` is not a bucket name"),
        "{err}"
    );
    let (code, out, err) = run(&["review", "tests/fixtures/policies/invalid.json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("invalid.json:6:17: error[invalid-effect]"),
        "{err}"
    );
    let (code, _, _) = run(&["review", RAILS, "--format", "yaml"]);
    assert_eq!(code, 2);
    let (code, _, err) = run(&["review", RAILS, "--output", "/nonexistent-dir/x.html"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot write"), "{err}");
}

#[test]
fn given_context_is_a_fact_not_a_condition_spec_c7() {
    let out = review_ok(&[
        RAILS,
        "--bucket-policy",
        TLS,
        "--context",
        "aws:SecureTransport=false",
    ]);
    assert_eq!(verdict_row(&out, "delete objects"), "no", "{out}");
    let out = review_ok(&[
        RAILS,
        "--bucket-policy",
        TLS,
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(
        verdict_row(&out, "delete objects"),
        "only in another-test-bucket (s3:DeleteObject)",
        "{out}"
    );
}

#[test]
fn extra_buckets_get_their_own_columns() {
    let out = review_ok(&[FULL, "--bucket", "prod", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids[..4],
        ["bucket:prod", "objects:prod", "bucket:*", "objects:*"]
    );
}

// ---- the matrix against the concrete evaluator ----------------------------

/// Contexts that decide every condition the generated policies use.
const CONTEXTS: [(&str, &str); 4] = [
    ("true", "203.0.113.5"),
    ("true", "198.51.100.1"),
    ("false", "203.0.113.5"),
    ("false", "198.51.100.1"),
];
const ACTIONS: [&str; 5] = [
    "s3:GetObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:DeleteBucket",
    "s3:ListAllMyBuckets",
];
const RESOURCES: [&str; 6] = [
    "*",
    "arn:aws:s3:::prod",
    "arn:aws:s3:::prod/*",
    "arn:aws:s3:::pro*",
    "arn:aws:s3:::*/logs/*",
    "arn:aws:s3:::*",
];
const CONDITIONS: [&str; 4] = [
    "",
    r#","Condition":{"Bool":{"aws:SecureTransport":"false"}}"#,
    r#","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
    r#","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:SecureTransport":"true"}}"#,
];

fn statement() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0..ACTIONS.len(),
        0..RESOURCES.len(),
        0..CONDITIONS.len(),
    )
        .prop_map(|(allow, a, r, c)| {
            format!(
                r#"{{"Effect":"{}","Action":"{}","Resource":"{}"{}}}"#,
                if allow { "Allow" } else { "Deny" },
                ACTIONS[a],
                RESOURCES[r],
                CONDITIONS[c]
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Invariant: an allowed cell is allowed in every context, a denied cell
    /// in none, and a conditional cell in some but not all (the contexts
    /// tried decide every condition the generator writes).
    #[test]
    fn matrix_agrees_with_the_concrete_evaluator(stmts in proptest::collection::vec(statement(), 1..5)) {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, stmts.join(","));
        let policy = Policy::parse("gen.json", &text).unwrap();
        let set = PolicySet::identity([policy]);
        let base = Request::new("s3:ListAllMyBuckets", "*").unwrap();
        let review = Review::new(&set, &base, &[]);
        let m = &review.matrix;
        for cell in m.cells.iter().filter(|c| ACTIONS.contains(&c.action.iam_action)) {
            let class = &m.classes[cell.class];
            let allowed: Vec<bool> = CONTEXTS.iter().map(|(tls, ip)| {
                let req = Request::new(cell.action.iam_action, &class.arn).unwrap()
                    .with_context("aws:SecureTransport", tls)
                    .with_context("aws:SourceIp", ip);
                set.authorize(&req).decision == Decision::Allowed
            }).collect();
            let expected = if allowed.iter().all(|a| *a) {
                Access::Allowed
            } else if allowed.iter().any(|a| *a) {
                Access::Conditional
            } else {
                Access::Denied
            };
            prop_assert_eq!(cell.access, expected, "{} on {} ({}) for {}", cell.action.iam_action, class.label, class.arn, text);
        }
    }
}

/// Issue "no silent wrong answer", item 4 (spec C-15): a condition on
/// `s3:prefix` can hold only for the list actions, the only ones AWS sends
/// it with; review must not call bucket deletion "conditional" on it.
#[test]
fn review_treats_undeclared_service_keys_as_absent_spec_c15() {
    let (_d, policy) = temp_file(
        "prefix.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
          "Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}"#,
    );
    let out = review_ok(&[&policy.to_string_lossy()]);
    assert_eq!(verdict_row(&out, "delete buckets"), "no", "{out}");
    assert_eq!(verdict_row(&out, "change bucket policies"), "no", "{out}");
    assert!(
        verdict_row(&out, "list objects").starts_with(
            "only in b (s3:ListBucket, s3:ListBucketVersions), only if `s3:prefix` matches"
        ),
        "{out}"
    );
}
