//! Policies read where they live (issue "Read policies where they live"):
//! a Terraform plan, a CloudFormation template in YAML and in JSON, and an
//! account authorization dump, written for these tests
//! (`tests/fixtures/sources/`), give the same answers as the equivalent
//! plain JSON policies (`tests/fixtures/sources/plain/`); values that
//! cannot be known offline are reported with their place, never guessed.

use s3guard::sources::{Params, Selected, Source};
use s3guard::{Decision, LoadOptions, Policy, PolicySet, PolicyType, Request};

use crate::support::{repo, run, temp_file};

const PLAN: &str = "tests/fixtures/sources/plan.json";
const YAML: &str = "tests/fixtures/sources/template.yaml";
const JSON: &str = "tests/fixtures/sources/template.json";
const ACCOUNT: &str = "tests/fixtures/sources/account.json";
/// template.yaml's bucket policy with flow collections closed at their key's
/// indent, as AWS's CloudFormation samples write them (PyYAML, ruamel and
/// CloudFormation read them; YAML 1.2's flow indentation rule does not).
const FLOW_INDENT: &str = "tests/fixtures/sources/template-flow-indent.yaml";

fn path(p: &str) -> String {
    repo(p).to_string_lossy().into_owned()
}

fn select(file: &str, name: &str) -> Vec<Selected> {
    select_with(file, name, &Params::default())
}

fn select_with(file: &str, name: &str, params: &Params) -> Vec<Selected> {
    let source = Source::open(&path(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    source
        .select(Some(name), params, false)
        .unwrap_or_else(|e| panic!("{file} --select {name}:\n{e}"))
}

fn plain(name: &str) -> Policy {
    let t = if name == "bucket.json" {
        PolicyType::Resource
    } else {
        PolicyType::Identity
    };
    Policy::load_file(
        &path(&format!("tests/fixtures/sources/plain/{name}")),
        LoadOptions::new(t),
    )
    .unwrap()
}

fn set_of(selected: Vec<Selected>) -> PolicySet {
    selected
        .into_iter()
        .fold(PolicySet::builder(), |b, s| match s.layer {
            PolicyType::Identity => b.identity(s.policy),
            PolicyType::Resource => b.resource(s.policy),
            PolicyType::Boundary => b.boundary(s.policy),
            PolicyType::VpcEndpoint => b.vpc_endpoint(s.policy),
            _ => b.policy(s.policy),
        })
        .build()
}

/// The requests every equivalent set must answer alike.
fn requests() -> Vec<Request> {
    let session = "arn:aws:sts::111122223333:assumed-role/app/i-0abc";
    let partner = "arn:aws:iam::444455556666:user/partner";
    let mut out = Vec::new();
    for (action, resource) in [
        ("s3:GetObject", "arn:aws:s3:::app-uploads/uploads/a.png"),
        ("s3:PutObject", "arn:aws:s3:::app-uploads/uploads/a.png"),
        ("s3:DeleteObject", "arn:aws:s3:::app-uploads/uploads/a.png"),
        ("s3:GetObject", "arn:aws:s3:::app-uploads/shared/report.csv"),
        ("s3:GetObject", "arn:aws:s3:::app-uploads"),
        ("s3:ListBucket", "arn:aws:s3:::app-uploads"),
        ("s3:PutBucketPolicy", "arn:aws:s3:::app-uploads"),
        ("s3:DeleteBucket", "arn:aws:s3:::app-uploads"),
        ("s3:GetObject", "arn:aws:s3:::other/x"),
    ] {
        for (who, acct) in [(session, None), (partner, Some("111122223333"))] {
            for (prefix, tls) in [(None, "true"), (Some("uploads/"), "true"), (None, "false")] {
                let mut r = Request::new(action, resource)
                    .unwrap()
                    .with_principal(who)
                    .unwrap()
                    .with_context("aws:SecureTransport", tls);
                if let Some(a) = acct {
                    r = r.with_resource_account(a);
                }
                if let Some(p) = prefix {
                    r = r.with_context("s3:prefix", p);
                }
                out.push(r);
            }
        }
    }
    out
}

/// Decision and the Sids of the determining statements.
fn answers(set: &PolicySet) -> Vec<(Decision, Vec<String>)> {
    requests()
        .iter()
        .map(|r| {
            let resp = set.authorize(r);
            let mut sids: Vec<String> = resp
                .determining
                .iter()
                .filter_map(|s| set.statement(*s))
                .map(|s| s.sid.clone().unwrap_or_default())
                .collect();
            sids.sort();
            (resp.decision, sids)
        })
        .collect()
}

fn plain_role() -> PolicySet {
    PolicySet::builder()
        .identity(plain("app.json"))
        .boundary(plain("boundary.json"))
        .build()
}

#[test]
fn the_role_reads_the_same_from_every_format() {
    let expected = answers(&plain_role());
    assert!(
        expected.iter().any(|(d, _)| *d == Decision::Allowed)
            && expected.iter().any(|(d, _)| *d == Decision::ExplicitDeny)
            && expected.iter().any(|(d, _)| *d == Decision::ImplicitDeny),
        "the requests cover every decision"
    );
    for (file, name) in [
        (PLAN, "aws_iam_role.app"),
        (YAML, "AppRole"),
        (JSON, "AppRole"),
        (JSON, "AppStack/AppRole"),
        (ACCOUNT, "role/app"),
    ] {
        let selected = select(file, name);
        let layers: Vec<PolicyType> = selected.iter().map(|s| s.layer).collect();
        assert!(
            layers.contains(&PolicyType::Boundary),
            "{file} {name}: {layers:?}"
        );
        assert_eq!(
            answers(&set_of(selected)),
            expected,
            "{file} --select {name}"
        );
    }
}

#[test]
fn the_bucket_policy_reads_the_same_from_every_format() {
    // callers whose own account allows everything: the bucket policy decides
    let full = Policy::from_file(&path("tests/fixtures/layers/full-s3.json")).unwrap();
    let with_role = |bucket: Policy| {
        PolicySet::builder()
            .identity(full.clone())
            .resource(bucket)
            .build()
    };
    let expected = answers(&with_role(plain("bucket.json")));
    assert!(expected
        .iter()
        .any(|(_, sids)| sids.contains(&"PartnerRead".to_string())));
    for (file, name) in [
        (PLAN, "aws_s3_bucket_policy.uploads"),
        (PLAN, "data.aws_iam_policy_document.uploads"),
        (PLAN, "app-uploads"),
        (YAML, "UploadsPolicy"),
        (YAML, "Uploads"),
        (JSON, "UploadsPolicy"),
        (FLOW_INDENT, "UploadsPolicy"),
    ] {
        let mut selected = select(file, name);
        assert_eq!(selected.len(), 1, "{file} {name}");
        let s = selected.remove(0);
        assert_eq!(s.layer, PolicyType::Resource, "{file} {name}");
        assert_eq!(
            answers(&with_role(s.policy)),
            expected,
            "{file} --select {name}"
        );
    }
}

/// `data.aws_iam_policy_document` blocks (with not_actions, principals and
/// conditions) rendered to IAM JSON answer like the provider's own JSON.
#[test]
fn terraform_policy_documents_render_like_the_provider() {
    for (doc, plain_name) in [("app", "app.json"), ("boundary", "boundary.json")] {
        let s = select(PLAN, &format!("data.aws_iam_policy_document.{doc}")).remove(0);
        assert_eq!(s.layer, PolicyType::Identity);
        let rendered = PolicySet::identity([s.policy]);
        let reference = PolicySet::identity([plain(plain_name)]);
        assert_eq!(answers(&rendered), answers(&reference), "{doc}");
    }
}

#[test]
fn statement_positions_point_into_the_original_files() {
    let s = select(YAML, "AppObjects").remove(0);
    let st = &s.policy.statements[0];
    assert_eq!(
        s.policy.statement_position(st),
        format!("{}:46:13", path(YAML))
    );
    let s = select(PLAN, "data.aws_iam_policy_document.boundary").remove(0);
    let not_action = &s.policy.statements[1];
    assert_eq!(not_action.sid.as_deref(), Some("NoPolicyChanges"));
    let text = std::fs::read_to_string(repo(PLAN)).unwrap();
    let line = text
        .lines()
        .nth(not_action.location.start().line as usize - 1)
        .unwrap();
    assert!(
        line.trim_start().starts_with('{'),
        "the statement block starts there: {line}"
    );
}

#[test]
fn cloudformation_unknown_values_are_reported_with_their_place_not_guessed() {
    for (file, places) in [(YAML, ["105:23", "108:36"]), (JSON, ["239:27", "244:40"])] {
        let e = Source::open(&path(file))
            .unwrap()
            .select(Some("LogsPolicy"), &Params::default(), false)
            .unwrap_err();
        let text = e.to_string();
        assert_eq!(e.diagnostics.len(), 2, "{text}");
        for (d, place) in e.diagnostics.iter().zip(places) {
            assert_eq!(d.code, "UNKNOWN_VALUE");
            let loc = d.location.unwrap();
            assert_eq!(format!("{}:{}", loc.line, loc.column), place, "{text}");
        }
        assert!(text.contains("`Logs` has no `BucketName`"), "{text}");
        assert!(text.contains("--param Logs=NAME"), "{text}");
        assert!(
            text.contains("--param AWS::AccountId=111122223333"),
            "{text}"
        );
    }
    let mut params = Params::default();
    params.set("Logs", "app-logs");
    params.set("AWS::AccountId", "111122223333");
    let set = set_of(select_with(YAML, "LogsPolicy", &params));
    let delivery = Request::new("s3:PutObject", "arn:aws:s3:::app-logs/2025/01/31.log")
        .unwrap()
        .with_principal("logging.s3.amazonaws.com")
        .unwrap()
        .with_context("aws:SourceAccount", "111122223333");
    assert_eq!(set.authorize(&delivery).decision, Decision::Allowed);
}

#[test]
fn terraform_values_known_only_after_apply_are_reported() {
    let e = Source::open(&path(PLAN))
        .unwrap()
        .select(
            Some("aws_s3_bucket_policy.pending"),
            &Params::default(),
            false,
        )
        .unwrap_err();
    let d = &e.diagnostics[0];
    assert_eq!(d.code, "UNKNOWN_VALUE");
    assert!(
        d.message
            .contains("`statement[0].resources` of `data.aws_iam_policy_document.logs` is known only after apply (it depends on `aws_s3_bucket.logs.arn`"),
        "{}",
        d.message
    );
    assert_eq!(d.location.unwrap().line, 311);
}

#[test]
fn account_details_bring_groups_managed_policies_and_boundaries() {
    // alice: her group's inline policy and its attached AWS managed policy
    let alice = set_of(select(ACCOUNT, "alice"));
    let r = |a: &str, res: &str| Request::new(a, res).unwrap();
    assert_eq!(
        alice
            .authorize(&r("s3:PutObject", "arn:aws:s3:::reports/q1.csv"))
            .decision,
        Decision::Allowed
    );
    assert_eq!(
        alice
            .authorize(&r("s3:GetObject", "arn:aws:s3:::anything/k"))
            .decision,
        Decision::Allowed
    );
    assert_eq!(
        alice
            .authorize(&r("s3:DeleteObject", "arn:aws:s3:::reports/q1.csv"))
            .decision,
        Decision::ImplicitDeny
    );
    // the role: the default version (v2) of app-objects, not v1's s3:*, and
    // the URL-encoded boundary
    let role = select(ACCOUNT, "arn:aws:iam::111122223333:role/app");
    assert!(role.iter().any(|s| s.layer == PolicyType::Boundary));
    let role = set_of(role);
    assert_eq!(
        role.authorize(&r("s3:GetObject", "arn:aws:s3:::other/x"))
            .decision,
        Decision::ImplicitDeny
    );
    assert_eq!(
        role.authorize(&r("s3:PutObject", "arn:aws:s3:::app-uploads/uploads/a"))
            .decision,
        Decision::Allowed
    );
}

#[test]
fn cli_policy_from_gives_the_answers_of_plain_files() {
    let req = [
        "can",
        "s3:PutObject",
        "arn:aws:s3:::app-uploads/uploads/a.png",
    ];
    let (code, out, err) = run(&[
        &req[..],
        &["--policy-from", PLAN, "--select", "aws_iam_role.app"],
    ]
    .concat());
    assert_eq!((code, out.lines().next()), (0, Some("ALLOW")), "{out}{err}");
    assert!(out.contains("(Sid Objects)"), "{out}");
    let (code, out, _) = run(&[
        &req[..],
        &[
            "--policy-from",
            YAML,
            "--select",
            "AppRole",
            "--select",
            "UploadsPolicy",
        ],
        &[
            "--principal",
            "arn:aws:iam::444455556666:user/partner",
            "--resource-account",
            "111122223333",
        ],
    ]
    .concat());
    assert_eq!(code, 1);
    assert!(out.contains("cross-account"), "{out}");
    // two files: names are looked up in both; FILE#NAME picks one
    let (code, out, err) = run(&[
        &req[..],
        &["--policy-from", YAML, "--policy-from", ACCOUNT],
        &[
            "--select",
            &format!("{ACCOUNT}#app"),
            "--select",
            "UploadsPolicy",
        ],
    ]
    .concat());
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn missing_unknown_and_ambiguous_selections_list_the_choices() {
    let (code, out, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        YAML,
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("error[selection-required]: this CloudFormation template holds 5 things to evaluate; say which"), "{err}");
    assert!(err.contains("AppRole (role, `app`)"), "{err}");
    assert!(
        err.contains("UploadsPolicy (bucket policy, bucket `app-uploads`)"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        PLAN,
        "--select",
        "aws_iam_rol.app",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing named `aws_iam_rol.app`"), "{err}");
    assert!(err.contains("did you mean `aws_iam_role.app`?"), "{err}");
    // `app` is the role, its inline policy and a policy document
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        PLAN,
        "--select",
        "app",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error[ambiguous-selection]: `app` names"),
        "{err}"
    );
    assert!(err.contains("aws_iam_role.app (role"), "{err}");
    assert!(
        err.contains("aws_iam_role_policy.app (identity policy"),
        "{err}"
    );
    // in two files at once
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        YAML,
        "--policy-from",
        ACCOUNT,
        "--select",
        "app",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("--select '{ACCOUNT}#app'")), "{err}");
}

#[test]
fn errors_point_into_the_yaml_template() {
    let (_d, p) = temp_file(
        "bad.yaml",
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: allow\n            Action: s3:GetObject\n            Resource: '*'\n",
    );
    let p = p.to_string_lossy().to_string();
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        &p,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{p}:8:21: error[invalid-effect]")),
        "{err}"
    );
    assert!(
        err.contains("at /Resources/P/Properties/PolicyDocument/Statement/0/Effect"),
        "{err}"
    );
    let (_d, p) = temp_file(
        "bad2.yaml",
        "Resources:\n  P:\n    Type: AWS::IAM::Policy\n    Properties: !Reff x\n",
    );
    let p = p.to_string_lossy().to_string();
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        &p,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{p}:4:17: error[unknown-yaml-tag]")),
        "{err}"
    );
    assert!(err.contains("did you mean `!Ref`?"), "{err}");
}

#[test]
fn errors_point_into_json_strings_of_a_terraform_plan() {
    // the `policy` attribute is JSON text inside a JSON string
    let text = std::fs::read_to_string(repo(PLAN)).unwrap().replacen(
        r#"\"Sid\":\"Objects\",\"Effect\":\"Allow\""#,
        r#"\"Sid\":\"Objects\",\"Effect\":\"Alow\""#,
        1,
    );
    let (_d, p) = temp_file("plan.json", &text);
    let p = p.to_string_lossy().to_string();
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        &p,
        "--select",
        "aws_iam_role_policy.app",
    ]);
    assert_eq!(code, 2);
    let line = text
        .lines()
        .position(|l| l.contains(r#"\"Effect\":\"Alow\""#))
        .unwrap()
        + 1;
    let col = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find(r#"\"Alow"#)
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("{p}:{line}:{col}: error[invalid-effect]: `Effect` must be `Allow` or `Deny`, found `Alow`")),
        "{err}"
    );
}

#[test]
fn errors_point_into_url_encoded_documents_of_an_account_dump() {
    let text = std::fs::read_to_string(repo(ACCOUNT)).unwrap().replacen(
        "%22Sid%22%3A%22S3ReadWrite%22",
        "%22Sid%22%3A%22S3ReadWrite%22%2C%22Bogus%22%3A1",
        1,
    );
    let (_d, p) = temp_file("account.json", &text);
    let p = p.to_string_lossy().to_string();
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        &p,
        "--select",
        "app",
    ]);
    assert_eq!(code, 2);
    let line = text.lines().position(|l| l.contains("Bogus")).unwrap() + 1;
    let col = text
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("%22Bogus")
        .unwrap()
        + 1;
    assert!(err.contains(&format!("{p}:{line}:{col}: error[")), "{err}");
    assert!(err.contains("Bogus"), "{err}");
}

#[test]
fn plain_policies_given_to_policy_from_are_sent_to_policy() {
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        "tests/fixtures/sources/plain/app.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("error[unknown-source-format]"), "{err}");
    assert!(err.contains("pass it with --policy"), "{err}");
}

/// AWS CloudFormation User Guide, "Parameters syntax"
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html):
/// `Default` is "a value of the appropriate type", a literal: CloudFormation
/// rejects a template whose Default is an intrinsic function, a map, a list
/// or null ("Every Default member must be a string"). So does s3guard, at the
/// Default, instead of dropping the guardrail that used it (issue: a Deny
/// vanished and `can` answered ALLOW).
#[test]
fn a_parameter_default_that_is_not_a_literal_is_an_error_at_its_place() {
    let template = |default: &str| {
        format!(
            "Parameters:\n  Base:\n    Type: String\n    Default: prod\n  Prot:\n    Type: String\n    Default: {default}\nResources:\n  Guard:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n            Action: s3:DeleteBucket\n            Resource: !Sub 'arn:aws:s3:::${{Prot}}'\n"
        )
    };
    let ask = |default: &str| {
        let (_d, p) = temp_file("t.yaml", &template(default));
        let p = p.to_string_lossy().into_owned();
        run(&[
            "can",
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            "--policy",
            "policies/amazon-s3-full-access.json",
            "--policy-from",
            &p,
            "--select",
            "Guard",
        ])
    };
    for default in [
        "!Sub '${Base}'",
        "!Ref Base",
        "{a: b}",
        "[prod]",
        "null",
        "",
    ] {
        let (code, out, err) = ask(default);
        assert_eq!(code, 2, "Default: {default}: {out}{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("t.yaml:7:") && err.contains("error[invalid-parameter-default]"),
            "Default: {default}: {err}"
        );
        assert!(err.contains("`Prot`"), "{err}");
    }
    // a literal Default: the guardrail is read and denies
    let (code, out, err) = ask("prod");
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("DENY (explicit)"), "{out}");
}

/// A selection never evaluates as an empty or partial policy: what could
/// not be read is an error (exit 2) with its place.
#[test]
fn a_selection_that_yields_no_policy_or_loses_a_value_is_an_error() {
    let role = "Resources:\n  Lonely:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: lonely\n      AssumeRolePolicyDocument: {}\n";
    let (_d, p) = temp_file("role.yaml", role);
    let p = p.to_string_lossy().into_owned();
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        &p,
        "--select",
        "Lonely",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[nothing-selected]"), "{err}");

    // `${AWS::NoValue}` and a map inside Fn::Sub: reported, not dropped
    for value in ["${AWS::NoValue}", "${Tags}"] {
        let t = format!("Parameters:\n  Tags:\n    Type: CommaDelimitedList\n    Default: 'a,b'\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n            Action: s3:*\n            Resource: !Sub 'arn:aws:s3:::{value}'\n");
        let (_d, p) = temp_file("t.yaml", &t);
        let p = p.to_string_lossy().into_owned();
        let (code, _, err) = run(&[
            "can",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--policy-from",
            &p,
            "--select",
            "P",
        ]);
        assert_eq!(code, 2, "{value}: {err}");
        assert!(err.contains("t.yaml:14:23"), "{value}: {err}");
    }

    // an account dump entry without its document
    let dump = r#"{"UserDetailList":[{"UserName":"alice","Arn":"arn:aws:iam::111122223333:user/alice",
        "UserPolicyList":[{"PolicyName":"inline"}],"AttachedManagedPolicies":[]}],
        "GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
    let (_d, p) = temp_file("dump.json", dump);
    let p = p.to_string_lossy().into_owned();
    let (code, _, err) = run(&[
        "can",
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        "--policy-from",
        &p,
        "--select",
        "alice",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error[missing-policy]"), "{err}");
}
