//! `s3guard prove`: the pattern automata, the must-show answers, and the
//! proof procedure property-tested against the concrete evaluator.

use proptest::prelude::*;
use s3guard::catalog;
use s3guard::matcher::{ActionPattern, Arn, ArnRef, Match, NoVariables, Resource, ResourcePattern};
use s3guard::prove::{
    action_contains, action_overlap, prove, resource_contains, resource_difference,
    resource_overlap, Proof, Query,
};
use s3guard::{
    ContextValue, Decision, LoadOptions, Origin, Policy, PolicySet, PolicyType, Principal, Request,
};

use crate::support::{repo, run};

// ---------------------------------------------------------------- automata

fn arn_matches(pattern: &str, arn: &str) -> bool {
    let r = Resource::Arn(Arn::parse(arn).expect("an ARN"));
    ResourcePattern::new(pattern, None).matches(&r, "s3", &NoVariables) == Match::Yes
}

/// Intersection with witnesses, per the M-4 table (spec M-4).
#[test]
fn resource_patterns_intersect_with_witnesses_spec_m4() {
    for (a, b) in [
        ("arn:aws:s3:::prod*", "arn:aws:s3:::prod-logs/*"),
        ("arn:aws:s3:::*/*", "arn:aws:s3:::b/*/test/*"),
        ("arn:aws:s3:::b/a:b*", "arn:aws:s3:::*:c"),
        ("arn:aws:s3:*", "arn:aws:s3:us-east-1:111:accesspoint/*"),
        ("arn:aws:s3:::example?bucket/*", "arn:aws:s3:::*1*"),
        ("*", "arn:aws:s3:::test*"),
    ] {
        let w = resource_overlap(a, b)
            .unwrap()
            .unwrap_or_else(|| panic!("{a} ∩ {b}"));
        assert!(arn_matches(a, &w) && arn_matches(b, &w), "{a} ∩ {b}: {w}");
    }
}

/// Emptiness: patterns that no ARN matches together (spec M-4: segments
/// 1–5 do not cross colons, case-sensitive, bucket ≠ objects).
#[test]
fn disjoint_resource_patterns_are_empty_spec_m4() {
    for (a, b) in [
        ("arn:aws:s3:::prod/*", "arn:aws:s3:::prod"),
        ("arn:aws:s3:::PROD/*", "arn:aws:s3:::prod/*"),
        ("arn:aws:s3:u*:111:b", "arn:aws:s3:us-east-1:x:111:b"),
        ("arn:aws:s3:::a?", "arn:aws:s3:::abc"),
        ("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b/test/x"),
        ("arn:aws:s3:::x", "arn:aws:s3express:::x"),
    ] {
        assert_eq!(resource_overlap(a, b).unwrap(), None, "{a} ∩ {b}");
    }
}

/// Containment and difference witnesses (spec M-4: `arn:aws:s3:::test*`
/// is broader than it looks).
#[test]
fn resource_containment_spec_m4() {
    assert!(resource_contains("arn:aws:s3:::*", "arn:aws:s3:::b/*").unwrap());
    assert!(resource_contains("arn:aws:s3:::b*", "arn:aws:s3:::b/*").unwrap());
    assert!(resource_contains("*", "arn:aws:s3:*").unwrap());
    assert!(resource_contains("arn:aws:s3:*:*:*", "arn:aws:s3:::b").unwrap());
    assert!(!resource_contains("arn:aws:s3:::b/*", "arn:aws:s3:::b*").unwrap());
    let w = resource_difference("arn:aws:s3:::test*", "arn:aws:s3:::test")
        .unwrap()
        .unwrap();
    assert!(arn_matches("arn:aws:s3:::test*", &w) && !arn_matches("arn:aws:s3:::test", &w));
    assert_eq!(
        resource_difference("arn:aws:s3:::b/a?", "arn:aws:s3:::b/*").unwrap(),
        None
    );
}

/// Action patterns: case-insensitive globs over service:Name (spec M-1).
#[test]
fn action_patterns_spec_m1() {
    let w = action_overlap("S3:Get*", "*Object").unwrap().unwrap();
    let parsed = s3guard::matcher::Action::parse(&w).unwrap();
    assert!(ActionPattern::new("s3:get*").matches(&parsed));
    assert!(ActionPattern::new("*object").matches(&parsed));
    assert_eq!(action_overlap("s3:*", "s3express:*").unwrap(), None);
    assert!(action_overlap("s3*:*", "s3express:CreateSession")
        .unwrap()
        .is_some());
    assert!(action_contains("s3:*", "S3:GETOBJECT").unwrap());
    assert!(action_contains("*", "ec2:*").unwrap());
    assert!(!action_contains("s3:Get*", "s3:*Object").unwrap());
    assert!(action_contains("s3:Get?bject", "s3:GetObject").unwrap());
}

// ---------------------------------------------------------------- must show

/// Issue 6 must-show: rails-app cannot delete buckets.
#[test]
fn rails_app_cannot_delete_buckets() {
    let (code, out, err) = run(&[
        "prove",
        "--cannot",
        "s3:DeleteBucket",
        "--on",
        "arn:aws:s3:::*",
        "--policy",
        "policies/rails-app.json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("proved: no request for `s3:DeleteBucket`"),
        "{out}"
    );
}

/// Issue 6 must-show: rails-app can delete objects, in another-test-bucket,
/// and `s3guard can` confirms the counterexample.
#[test]
fn rails_app_can_delete_objects_in_its_bucket() {
    let (code, out, err) = run(&[
        "prove",
        "--cannot",
        "s3:Delete*",
        "--on",
        "arn:aws:s3:::*",
        "--policy",
        "policies/rails-app.json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("counterexample:"), "{out}");
    assert!(out.contains("  action:    s3:DeleteObject\n"), "{out}");
    assert!(
        out.contains("  resource:  arn:aws:s3:::another-test-bucket/"),
        "{out}"
    );
    let check = out
        .lines()
        .find_map(|l| l.strip_prefix("  check:     s3guard "))
        .expect("a check line");
    let args: Vec<&str> = check.split(' ').collect();
    let (code, can_out, _) = run(&args);
    assert_eq!(code, 0, "{check}: {can_out}");
    assert!(can_out.starts_with("ALLOW"), "{can_out}");
}

/// Issue 6 must-show: AmazonS3FullAccess can delete.
#[test]
fn full_access_can_delete() {
    let (code, out, _) = run(&[
        "prove",
        "--cannot",
        "s3:Delete*",
        "--on",
        "arn:aws:s3:::*",
        "--policy",
        "policies/amazon-s3-full-access.json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("counterexample:"));
}

/// `--can` is the dual: exit 0 with a witness, 1 when none exists.
#[test]
fn can_is_the_dual() {
    let args = |claim: &str, pattern: &str| {
        run(&[
            "prove",
            claim,
            pattern,
            "--on",
            "arn:aws:s3:::*",
            "--policy",
            "policies/rails-app.json",
            "--format",
            "json",
        ])
    };
    let (code, out, _) = args("--can", "s3:GetObject");
    assert_eq!(code, 0, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["result"], "proved");
    assert_eq!(doc["request"]["action"], "s3:GetObject");
    let (code, out, _) = args("--can", "s3:DeleteBucket");
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["result"], "disproved");
    assert!(doc.get("request").is_none());
}

/// A Deny with `Bool aws:SecureTransport false` does not protect: a request
/// over TLS is allowed (spec C-7, E-2).
#[test]
fn tls_only_deny_protects_nothing_over_tls() {
    let (code, out, _) = run(&[
        "prove",
        "--cannot",
        "s3:GetObject",
        "--on",
        "arn:aws:s3:::*",
        "--policy",
        "policies/amazon-s3-full-access.json",
        "--bucket-policy",
        "policies/bucket-policy-tls-only.json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("aws:SecureTransport = \"true\""), "{out}");
    // fixing the key to false makes the deny certain, in its bucket
    let (code, out, _) = run(&[
        "prove",
        "--cannot",
        "s3:GetObject",
        "--on",
        "arn:aws:s3:::another-test-bucket/*",
        "--policy",
        "policies/amazon-s3-full-access.json",
        "--bucket-policy",
        "policies/bucket-policy-tls-only.json",
        "--context",
        "aws:SecureTransport=false",
    ]);
    assert_eq!(code, 0, "{out}");
}

/// ABAC: a Deny unless the object's tag equals the caller's tag is avoided
/// by a request where they are equal, and that request is found (spec V-2, C-2).
#[test]
fn tag_based_deny_is_avoided_by_equal_tags_spec_v2() {
    let (code, out, _) = run(&[
        "prove",
        "--cannot",
        "s3:GetObject",
        "--on",
        "arn:aws:s3:::team-data/*",
        "--policy",
        "tests/fixtures/prove/team-objects.json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("aws:PrincipalTag/team = \"example\""), "{out}");
    assert!(
        out.contains("s3:ExistingObjectTag/team = \"example\""),
        "{out}"
    );
}

/// Invalid input exits 2 with a clear message.
#[test]
fn invalid_queries_exit_2() {
    let (code, _, err) = run(&[
        "prove",
        "--cannot",
        "s3:GetObjects",
        "--on",
        "*",
        "--policy",
        "policies/rails-app.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("matches no action"), "{err}");
    assert!(err.contains("did you mean"), "{err}");
    let (code, _, err) = run(&[
        "prove",
        "--cannot",
        "s3:*",
        "--on",
        "bucket/*",
        "--policy",
        "policies/rails-app.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a resource pattern"), "{err}");
    let (code, _, _) = run(&["prove", "--on", "*", "--policy", "policies/rails-app.json"]);
    assert_eq!(code, 2);
}

/// Variables with a fixed principal are exact (spec V-2): alice's home only.
#[test]
fn user_home_prefix_with_a_fixed_user_spec_v2() {
    let base = [
        "prove",
        "--on",
        "arn:aws:s3:::*",
        "--policy",
        "policies/user-home-prefix.json",
        "--principal",
        "arn:aws:iam::111122223333:user/alice",
    ];
    let with = |claim: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(claim);
        run(&a)
    };
    let (code, out, _) = with(&["--cannot", "s3:PutObject"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("/home/alice/"), "{out}");
    let (code, out, _) = with(&["--cannot", "s3:DeleteBucket"]);
    assert_eq!(code, 0, "{out}");
}

/// A Deny on the same variable pattern as a grant cancels it for every
/// value of the variable (spec E-2, V-2): proved without fixing the user.
#[test]
fn mirrored_deny_cancels_a_variable_grant_spec_v2_e2() {
    let (code, out, _) = run(&[
        "prove",
        "--cannot",
        "s3:DeleteObject",
        "--on",
        "arn:aws:s3:::homes/*",
        "--policy",
        "tests/fixtures/prove/home-no-delete.json",
    ]);
    assert_eq!(code, 0, "{out}");
}

/// Regression: a combination of statements found dead for an action the
/// Deny covers was skipped for the next action, which it does not cover.
#[test]
fn cancelled_grants_depend_on_the_action_regression() {
    let (code, out, _) = run(&[
        "prove",
        "--cannot",
        "s3:*Object",
        "--on",
        "arn:aws:s3:::homes/*",
        "--policy",
        "tests/fixtures/prove/home-no-delete.json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("s3:DeleteObject\n"), "{out}");
    let policy = Policy::from_file(
        repo("tests/fixtures/prove/home-no-delete.json")
            .to_str()
            .unwrap(),
    )
    .unwrap();
    let set = PolicySet::identity([policy]);
    for action in ["s3:Get*", "s3:*", "s3:Put*"] {
        let q = Query::new(action, "arn:aws:s3:::homes/*").unwrap();
        assert!(
            matches!(prove(&set, &q), Proof::Counterexample(..)),
            "{action}"
        );
    }
}

// ---------------------------------------------------------------- properties

/// Pools the generated policies and queries draw from. Each flavor makes
/// some interactions frequent: wildcards and layers, variables, conditions.
struct Pools {
    actions: &'static [&'static str],
    resources: &'static [&'static str],
    conditions: &'static [&'static str],
    query_actions: &'static [&'static str],
    query_resources: &'static [&'static str],
    /// (principal, resource account)
    callers: &'static [(Option<&'static str>, Option<&'static str>)],
}

const UNSPECIFIED: (Option<&str>, Option<&str>) = (None, None);
const ALICE: (Option<&str>, Option<&str>) = (Some("arn:aws:iam::111122223333:user/alice"), None);

const FLAVORS: &[Pools] = &[
    // wildcards, NotAction/NotResource, other services, layers, callers
    Pools {
        actions: &[
            "s3:*",
            "s3:Get*",
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:Delete*",
            "s3:List*",
            "s3:ListBucket",
            "*",
            "s3:*Object",
            "ec2:*",
            "s3:Get?bject",
            "s3*:*",
            "s3:DeleteBucket",
            "s3:ListAllMyBuckets",
            "iam:Get*",
        ],
        resources: &[
            "*",
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b*",
            "arn:aws:s3:::*/*",
            "arn:aws:s3:::c/x",
            "arn:aws:s3:::*",
            "arn:aws:s3:::b/${aws:username}/*",
            "arn:aws:s3:*",
            "arn:aws:s3:::b/a?",
            "arn:aws:s3:::${aws:PrincipalTag/team}/*",
            "arn:aws:s3:::*/tmp/*",
        ],
        conditions: &[
            "",
            r#","Condition":{"Bool":{"aws:SecureTransport":"false"}}"#,
            r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            r#","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
        ],
        query_actions: &[
            "s3:*",
            "s3:Get*",
            "s3:Delete*",
            "s3:GetObject",
            "*",
            "s3:List*",
            "s3:PutObject",
            "ec2:*",
            "s3:ListAllMyBuckets",
        ],
        query_resources: &[
            "*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b",
            "arn:aws:s3:::c*",
            "arn:aws:s3:::*/x",
            "arn:aws:s3:::b/alice/*",
        ],
        callers: &[
            UNSPECIFIED,
            ALICE,
            (Some("arn:aws:iam::111122223333:role/app"), None),
            (Some("anonymous"), Some("111122223333")),
            (
                Some("arn:aws:iam::444455556666:user/carlos"),
                Some("111122223333"),
            ),
            (Some("arn:aws:iam::111122223333:root"), None),
        ],
    },
    // policy variables in resources and condition values (V-1..V-7)
    Pools {
        actions: &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:*",
            "s3:Get*",
            "s3:ListBucket",
        ],
        resources: &[
            "arn:aws:s3:::b/${aws:username}/*",
            "arn:aws:s3:::${aws:PrincipalTag/team}/*",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::b/alice/*",
            "arn:aws:s3:::${aws:username}",
            "arn:aws:s3:::b/${aws:username, 'shared'}/*",
            "arn:aws:s3:::b/${aws:PrincipalTag/team}${aws:username}/*",
            "arn:aws:s3:::b/${*}/*",
        ],
        conditions: &[
            "",
            r#","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}"#,
            r#","Condition":{"StringEquals":{"aws:username":"${aws:PrincipalTag/team}"}}"#,
            r#","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"${aws:username}"}}"#,
            r#","Condition":{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}"#,
            r#","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}"#,
        ],
        query_actions: &["s3:GetObject", "s3:*", "s3:Get*", "s3:PutObject"],
        query_resources: &[
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::b/alice/*",
            "arn:aws:s3:::b/shared/*",
        ],
        callers: &[UNSPECIFIED, UNSPECIFIED, ALICE],
    },
    // conditions: every operator family, IfExists, Null, set operators (C-1..C-13)
    Pools {
        actions: &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:*",
            "s3:ListBucket",
            "s3:Get*",
        ],
        resources: &["*", "arn:aws:s3:::b/*", "arn:aws:s3:::*", "arn:aws:s3:::b"],
        conditions: &[
            "",
            r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#,
            r#","Condition":{"Bool":{"aws:SecureTransport":"false"}}"#,
            r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            r#","Condition":{"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}"#,
            r#","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            r#","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            r#","Condition":{"StringLike":{"s3:prefix":["home/*",""]}}"#,
            r#","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}"#,
            r#","Condition":{"NumericGreaterThanEquals":{"s3:max-keys":["5","11"]}}"#,
            r#","Condition":{"Null":{"aws:SourceVpce":"true"}}"#,
            r#","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            r#","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}"#,
            r#","Condition":{"ForAnyValue:StringNotLike":{"aws:TagKeys":"a*"}}"#,
            r#","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-2"}}"#,
            r#","Condition":{"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}}"#,
            r#","Condition":{"StringNotLikeIfExists":{"s3:prefix":"home/*"},"Bool":{"aws:SecureTransport":"true"}}"#,
            // compared as text and as a number: an approximate key
            r#","Condition":{"StringLike":{"s3:max-keys":"1*"}}"#,
        ],
        query_actions: &["s3:GetObject", "s3:*", "s3:Get*", "s3:ListBucket"],
        query_resources: &["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::*"],
        callers: &[UNSPECIFIED, ALICE],
    },
];

const BUCKET_PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:user/alice"}"#,
    r#"{"AWS":"444455556666"}"#,
];

#[derive(Debug, Clone)]
struct Stmt {
    deny: bool,
    not_action: bool,
    actions: Vec<usize>,
    not_resource: bool,
    resources: Vec<usize>,
    condition: usize,
}

impl Stmt {
    fn json(&self, pools: &Pools, principal: Option<&str>) -> String {
        let list = |idx: &[usize], pool: &[&str]| {
            let items: Vec<String> = idx
                .iter()
                .map(|i| format!("{:?}", pool[*i % pool.len()]))
                .collect();
            format!("[{}]", items.join(","))
        };
        let principal = principal
            .map(|p| format!(r#""Principal":{p},"#))
            .unwrap_or_default();
        format!(
            r#"{{"Effect":"{}",{principal}"{}":{},"{}":{}{}}}"#,
            if self.deny { "Deny" } else { "Allow" },
            if self.not_action {
                "NotAction"
            } else {
                "Action"
            },
            list(&self.actions, pools.actions),
            if self.not_resource {
                "NotResource"
            } else {
                "Resource"
            },
            list(&self.resources, pools.resources),
            pools.conditions[self.condition % pools.conditions.len()]
        )
    }
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.12),
        prop::collection::vec(0..64usize, 1..3),
        prop::bool::weighted(0.12),
        prop::collection::vec(0..64usize, 1..3),
        prop_oneof![2 => Just(0usize), 3 => 0..64usize],
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources, condition)| Stmt {
                deny,
                not_action,
                actions,
                not_resource,
                resources,
                condition,
            },
        )
}

/// SCP levels: (with an `Allow * on *` statement, more statements).
type Levels = Vec<(bool, Vec<Stmt>)>;

#[derive(Debug, Clone)]
struct Case {
    flavor: usize,
    identity: Vec<Stmt>,
    bucket: Vec<(Stmt, usize)>,
    boundary: Option<Vec<Stmt>>,
    session: Option<Vec<Stmt>>,
    scp: Levels,
    rcp: Option<Vec<Stmt>>,
    caller: usize,
    query_action: usize,
    query_resource: usize,
    any_resource: bool,
    seed: u64,
    /// A caller of [`OWNER_CALLERS`] in the place of the flavor's.
    owner_caller: Option<usize>,
}

fn guardrails() -> impl Strategy<Value = (Option<Vec<Stmt>>, Levels, Option<Vec<Stmt>>)> {
    (
        prop::option::weighted(0.12, prop::collection::vec(stmt(), 1..3)),
        prop_oneof![
            4 => Just(Vec::new()),
            1 => prop::collection::vec(
                (prop::bool::weighted(0.7), prop::collection::vec(stmt(), 0..3)),
                1..3
            ),
        ],
        prop::option::weighted(0.12, prop::collection::vec(stmt(), 1..3)),
    )
}

fn case() -> impl Strategy<Value = Case> {
    (
        (0..FLAVORS.len(), guardrails()),
        prop::collection::vec(stmt(), 1..5),
        prop::collection::vec((stmt(), 0..BUCKET_PRINCIPALS.len()), 0..3),
        prop::option::weighted(0.15, prop::collection::vec(stmt(), 1..3)),
        0..64usize,
        0..64usize,
        0..64usize,
        prop::bool::weighted(0.2),
        any::<u64>(),
    )
        .prop_map(
            |(
                (flavor, (session, scp, rcp)),
                identity,
                bucket,
                boundary,
                caller,
                query_action,
                query_resource,
                any_resource,
                seed,
            )| Case {
                flavor,
                identity,
                bucket,
                boundary,
                session,
                scp,
                rcp,
                caller,
                query_action,
                query_resource,
                any_resource,
                seed,
                owner_caller: None,
            },
        )
}

fn policy(stmts: &[String], t: PolicyType) -> Policy {
    let mut body = stmts.join(",");
    if t == PolicyType::Rcp {
        // RCPs have no NotAction, and a customer managed RCP names its
        // services: no `"*"` in Action (AWS Organizations RCP syntax)
        body = body.replace("\"NotAction\"", "\"Action\"");
        let mut stmts: Vec<serde_json::Value> =
            serde_json::from_str(&format!("[{body}]")).expect("generated statements are JSON");
        for st in &mut stmts {
            if let Some(actions) = st["Action"].as_array_mut() {
                for a in actions.iter_mut().filter(|a| *a == "*") {
                    *a = "s3:*".into();
                }
            }
        }
        body = stmts
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(",");
    }
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#);
    Policy::parse_as("p.json", &text, LoadOptions::new(t)).expect("generated policies are valid")
}

impl Case {
    fn pools(&self) -> &'static Pools {
        &FLAVORS[self.flavor]
    }

    fn set(&self) -> PolicySet {
        self.builder().build()
    }

    fn builder(&self) -> s3guard::PolicySetBuilder {
        let pools = self.pools();
        let mut b = PolicySet::builder();
        let s: Vec<String> = self.identity.iter().map(|s| s.json(pools, None)).collect();
        b = b.identity(policy(&s, PolicyType::Identity));
        if !self.bucket.is_empty() {
            let s: Vec<String> = self
                .bucket
                .iter()
                .map(|(s, p)| s.json(pools, Some(BUCKET_PRINCIPALS[*p])))
                .collect();
            b = b.resource(policy(&s, PolicyType::Resource));
        }
        if let Some(bd) = &self.boundary {
            let s: Vec<String> = bd.iter().map(|s| s.json(pools, None)).collect();
            b = b.boundary(policy(&s, PolicyType::Boundary));
        }
        if let Some(sp) = &self.session {
            let s: Vec<String> = sp.iter().map(|s| s.json(pools, None)).collect();
            b = b.session(policy(&s, PolicyType::Session));
        }
        // SCPs and RCPs take no NotResource; RCPs deny, for Principal "*" (E-4)
        for (allow_all, stmts) in &self.scp {
            let mut s: Vec<String> = stmts
                .iter()
                .map(|s| {
                    Stmt {
                        not_resource: false,
                        ..s.clone()
                    }
                    .json(pools, None)
                })
                .collect();
            if *allow_all {
                s.push(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.into());
            }
            if s.is_empty() {
                s.push(r#"{"Effect":"Deny","Action":"ec2:*","Resource":"*"}"#.into());
            }
            b = b.scp_level(vec![policy(&s, PolicyType::Scp)]);
        }
        if let Some(rcp) = &self.rcp {
            let s: Vec<String> = rcp
                .iter()
                .map(|s| {
                    Stmt {
                        deny: true,
                        not_resource: false,
                        ..s.clone()
                    }
                    .json(pools, Some(r#""*""#))
                })
                .collect();
            b = b.rcp_level(vec![policy(&s, PolicyType::Rcp)]);
        }
        b
    }

    fn query(&self) -> Query {
        let pools = self.pools();
        let (principal, account) = match self.owner_caller {
            Some(i) => OWNER_CALLERS[i % OWNER_CALLERS.len()],
            None => pools.callers[self.caller % pools.callers.len()],
        };
        let mut q = Query::new(
            pools.query_actions[self.query_action % pools.query_actions.len()],
            pools.query_resources[self.query_resource % pools.query_resources.len()],
        )
        .unwrap();
        q.principal = principal.map(str::to_string);
        q.resource_account = account.map(str::to_string);
        q.any_resource = self.any_resource;
        q
    }
}

/// A small deterministic generator for the samples of one case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const FILL: &[&str] = &[
    "",
    "b",
    "x",
    "tmp",
    "b/x",
    "a/tmp/z",
    "alice",
    "k:1",
    "c",
    "bx",
    "b/alice/k",
    "/",
    "ab",
    "alice/",
    "b/tmp/x",
];

/// Expands a pattern into a concrete string: `*` and variables become
/// random text, `?` a random character.
fn expand(pattern: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("${") {
            let end = rest.find('}').map(|i| i + 1).unwrap_or(rest.len());
            let value: &str = rng.pick::<&str>(&["alice", "b", "x", "shared", "ALICE"]);
            out.push_str(value);
            rest = &rest[end..];
            continue;
        }
        match c {
            '*' => {
                let fill: &str = rng.pick::<&str>(FILL);
                out.push_str(fill)
            }
            '?' => out.push(*rng.pick(&['a', 'b', 'x', '/', ':'])),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

const OTHER_ACTIONS: &[&str] = &[
    "ec2:RunInstances",
    "iam:GetUser",
    "sqs:SendMessage",
    "s3x:Get",
    "kms:Decrypt",
];

/// The concrete requests of the query's space, as the prover defines it:
/// catalog actions the pattern matches with the resources AWS sends for
/// them (or any resource with `any_resource`), actions of other services
/// with any resource; keys AWS always sends are present, typed keys typed.
fn samples(case: &Case, n: usize) -> Vec<Request> {
    let q = case.query();
    let qa = ActionPattern::new(&q.action);
    let qr = ResourcePattern::new(&q.resource, None);
    let mut rng = Rng(case.seed | 1);
    let cat = catalog::catalog();
    let mut actions: Vec<(String, Option<&catalog::ActionInfo>)> = cat
        .actions()
        .iter()
        .filter(|a| qa.matches_lower(&a.iam_action.to_lowercase()))
        .map(|a| (a.iam_action.to_string(), Some(a)))
        .collect();
    actions.extend(
        OTHER_ACTIONS
            .iter()
            .filter(|a| qa.matches_lower(&a.to_lowercase()))
            .map(|a| (a.to_string(), None)),
    );
    if actions.is_empty() {
        return Vec::new();
    }
    let mut patterns: Vec<&str> = vec![&q.resource];
    patterns.extend(case.pools().resources.iter().copied());
    patterns.extend(case.pools().query_resources.iter().copied());
    let mut out = Vec::new();
    let mut tries = 0;
    while out.len() < n && tries < n * 20 {
        tries += 1;
        let (action, info) = rng.pick(&actions).clone();
        let service = action.split(':').next().unwrap_or_default().to_lowercase();
        let wildcard_ok = q.any_resource || info.is_none_or(|i| i.wildcard_only);
        let arn_ok = q.any_resource || info.is_none_or(|i| !i.wildcard_only);
        let resource = if wildcard_ok && (!arn_ok || rng.next() % 4 == 0) {
            "*".to_string()
        } else {
            let p = rng.pick(&patterns).to_string();
            let p = if p == "*" {
                "arn:aws:s3:::*".to_string()
            } else {
                p
            };
            expand(&p, &mut rng)
        };
        let Ok(res) = Resource::parse(&resource) else {
            continue;
        };
        let matches = match &res {
            Resource::Wildcard => qr.matches_wildcard_request(&service),
            Resource::Arn(a) => qr.matches_arn(a.as_ref(), &NoVariables) == Match::Yes,
        };
        if !matches || (resource == "*" && !wildcard_ok) || (resource != "*" && !arn_ok) {
            continue;
        }
        if let (Some(info), Resource::Arn(a), false) = (info, &res, q.any_resource) {
            let t = catalog::resource_type_of(ArnRef::parse(a.as_str()).unwrap());
            if !t.is_some_and(|t| info.supports_resource_type(t)) {
                continue;
            }
        }
        let mut req = Request::new(&action, &resource).unwrap();
        if let Some(p) = &q.principal {
            req.principal = Principal::parse(p).unwrap();
        }
        req.resource_account = q.resource_account.clone();
        req.principal.clone().derive_context(&mut req.context);
        let mut set = |k: &str, options: &[Option<&str>]| {
            if let Some(v) = rng.pick(options) {
                req.context
                    .set_default(k, ContextValue::Single(v.to_string()), Origin::Given);
            }
        };
        set("aws:SecureTransport", &[Some("true"), Some("false")]);
        set(
            "aws:CurrentTime",
            &[Some("2020-06-01T00:00:00Z"), Some("2030-01-01T00:00:00Z")],
        );
        set("aws:SourceVpce", &[Some("vpce-1"), Some("vpce-2"), None]);
        set(
            "aws:SourceIp",
            &[Some("203.0.113.5"), Some("198.51.100.1"), None],
        );
        set(
            "s3:prefix",
            &[Some("home/alice/x"), Some(""), Some("x"), None],
        );
        set("s3:max-keys", &[Some("5"), Some("10"), Some("11"), None]);
        // half the time, take variable values from the resource's own path
        // (so that `b/${aws:username}/*`-style grants and denies meet them)
        if rng.next() % 2 == 0 {
            let segments: Vec<String> = resource
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .split('/')
                .map(str::to_string)
                .collect();
            let user = rng.pick(&segments).clone();
            let team = if rng.next() % 2 == 0 {
                user.clone()
            } else {
                rng.pick(&segments).clone()
            };
            if matches!(req.principal, Principal::Unspecified) {
                req.context.set_default(
                    "aws:username",
                    ContextValue::Single(user.clone()),
                    Origin::Given,
                );
            }
            req.context.set_default(
                "aws:PrincipalTag/team",
                ContextValue::Single(team),
                Origin::Given,
            );
            req.context.set_default(
                "s3:prefix",
                ContextValue::Single(format!("home/{user}/x")),
                Origin::Given,
            );
        }
        let mut set = |k: &str, options: &[Option<&str>]| {
            if let Some(v) = rng.pick(options) {
                req.context
                    .set_default(k, ContextValue::Single(v.to_string()), Origin::Given);
            }
        };
        set(
            "aws:PrincipalTag/team",
            &[Some("b"), Some("alice"), Some("shared"), None],
        );
        if matches!(req.principal, Principal::Unspecified) {
            set(
                "aws:username",
                &[Some("alice"), Some("b"), Some("ALICE"), None],
            );
            set(
                "aws:PrincipalArn",
                &[
                    Some("arn:aws:iam::111122223333:user/alice"),
                    Some("arn:aws:iam::111122223333:role/b"),
                    None,
                ],
            );
        }
        match rng.next() % 4 {
            0 => {}
            1 => req.context.insert(
                "aws:TagKeys",
                ContextValue::Multi(vec!["a".into()]),
                Origin::Given,
            ),
            2 => req.context.insert(
                "aws:TagKeys",
                ContextValue::Multi(vec!["a".into(), "b".into()]),
                Origin::Given,
            ),
            _ => req.context.insert(
                "aws:TagKeys",
                ContextValue::Multi(vec!["c".into(), "a".into()]),
                Origin::Given,
            ),
        }
        // AWS sends service keys only with the actions that declare them
        // (spec C-15): `s3:prefix` and `s3:max-keys` only with list actions
        if let Some(info) = catalog::lookup(req.action.as_str()) {
            for k in ["s3:prefix", "s3:max-keys"] {
                if !info.can_carry_key(k) {
                    req.context.remove(k);
                }
            }
        }
        out.push(req);
    }
    out
}

fn in_query_space(case: &Case, req: &Request) -> bool {
    let q = case.query();
    if !ActionPattern::new(&q.action).matches(&req.action) {
        return false;
    }
    let qr = ResourcePattern::new(&q.resource, None);
    qr.matches(&req.resource, req.action.service(), &NoVariables) == Match::Yes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    /// Soundness: whenever prove says "no request is allowed", thousands of
    /// concrete requests of the query's space are all denied by the
    /// evaluator; every counterexample is allowed by it and lies in the
    /// space; and without policy variables or approximate keys, prove
    /// always decides (spec E-1..E-17, M-1..M-7, V-1..V-7, C-1..C-13).
    #[test]
    fn proofs_agree_with_the_evaluator(case in case()) {
        let set = case.set();
        let proof = prove(&set, &case.query());
        match &proof {
            Proof::Proved(_) => {
                for req in samples(&case, 1500) {
                    let r = set.authorize(&req);
                    prop_assert!(
                        r.decision != Decision::Allowed,
                        "proved, but {} on {} is allowed (context {:?})",
                        req.action, req.resource, req.context.entries()
                    );
                }
            }
            Proof::Counterexample(w, _) => {
                prop_assert_eq!(set.authorize(&w.request).decision, Decision::Allowed);
                prop_assert_eq!(set.authorize_reference(&w.request).decision, Decision::Allowed);
                prop_assert!(in_query_space(&case, &w.request), "{} {}", w.request.action, w.request.resource);
            }
            Proof::Unknown { reason, scope } => {
                prop_assert!(
                    !scope.approximations.is_empty(),
                    "undecided without approximations: {}", reason
                );
            }
        }
    }

    /// Completeness on samples: a sampled request the evaluator allows
    /// means prove must not claim a proof; it finds a counterexample unless
    /// it had to approximate.
    #[test]
    fn allowed_samples_are_never_proved_away(case in case()) {
        let set = case.set();
        let allowed = samples(&case, 400)
            .into_iter()
            .find(|r| set.authorize(r).decision == Decision::Allowed);
        if let Some(req) = allowed {
            match prove(&set, &case.query()) {
                Proof::Proved(_) => prop_assert!(false, "proved, but {} on {} is allowed", req.action, req.resource),
                Proof::Counterexample(w, _) => {
                    prop_assert_eq!(set.authorize(&w.request).decision, Decision::Allowed);
                }
                Proof::Unknown { scope, .. } => prop_assert!(!scope.approximations.is_empty()),
            }
        }
    }
}

// ------------------------------------------ object ownership and ACLs (E-20, E-21)

/// Callers of the object owner's account, of the bucket's and of a third,
/// all about the bucket of account 111122223333.
const OWNER_CALLERS: &[(Option<&str>, Option<&str>)] = &[
    (
        Some("arn:aws:iam::444455556666:user/carlos"),
        Some("111122223333"),
    ),
    (Some("arn:aws:iam::444455556666:root"), Some("111122223333")),
    (Some("arn:aws:iam::111122223333:user/alice"), None),
    (
        Some("arn:aws:iam::777788889999:role/r"),
        Some("111122223333"),
    ),
    (Some("anonymous"), Some("111122223333")),
];

const OBJECT_OWNERS: &[Option<&str>] = &[
    None,
    Some("444455556666"),
    Some("111122223333"),
    Some("777788889999"),
];
const OBJECT_ACLS: &[&[&str]] = &[
    &[],
    &["private"],
    &["public-read"],
    &["grant-read=id=444455556666"],
    &["grant-read=id=111122223333"],
    &["bucket-owner-full-control"],
    &["authenticated-read"],
    &["grant-full-control=id=777788889999"],
];
const BUCKET_ACLS: &[&[&str]] = &[
    &[],
    &["private"],
    &["public-read-write"],
    &["grant-write=id=444455556666"],
    &["grant-read=uri=AuthenticatedUsers"],
];
const OWNERSHIPS: &[Option<s3guard::ObjectOwnership>] = &[
    None,
    Some(s3guard::ObjectOwnership::BucketOwnerEnforced),
    Some(s3guard::ObjectOwnership::ObjectWriter),
];

/// S3's own layers for a generated case: object owner, object and bucket
/// ACLs, Object Ownership, `IgnorePublicAcls`.
#[derive(Debug, Clone)]
struct S3Layers {
    /// Index into [`OWNER_CALLERS`], or the flavor's caller.
    caller: Option<usize>,
    owner: usize,
    object_acl: usize,
    bucket_acl: usize,
    ownership: usize,
    ignore_public_acls: bool,
}

fn s3_layers() -> impl Strategy<Value = S3Layers> {
    (
        prop::option::weighted(0.8, 0..OWNER_CALLERS.len()),
        prop_oneof![1 => Just(0usize), 4 => 1..OBJECT_OWNERS.len()],
        prop_oneof![2 => Just(0usize), 3 => 0..OBJECT_ACLS.len()],
        prop_oneof![2 => Just(0usize), 1 => 0..BUCKET_ACLS.len()],
        0..OWNERSHIPS.len(),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(caller, owner, object_acl, bucket_acl, ownership, ignore_public_acls)| S3Layers {
                caller,
                owner,
                object_acl,
                bucket_acl,
                ownership,
                ignore_public_acls,
            },
        )
}

impl S3Layers {
    /// The case with this caller.
    fn case(&self, case: &Case) -> Case {
        Case {
            owner_caller: self.caller,
            ..case.clone()
        }
    }

    fn set(&self, case: &Case) -> PolicySet {
        let acl = |items: &[&str]| {
            (!items.is_empty()).then(|| {
                s3guard::Acl::parse(&items.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                    .expect("the pool's ACLs parse")
            })
        };
        let mut opts = s3guard::EvalOptions {
            object_owner: OBJECT_OWNERS[self.owner].map(str::to_string),
            object_acl: acl(OBJECT_ACLS[self.object_acl]),
            bucket_acl: acl(BUCKET_ACLS[self.bucket_acl]),
            object_ownership: OWNERSHIPS[self.ownership],
            ..s3guard::EvalOptions::default()
        };
        opts.block_public_access.ignore_public_acls = self.ignore_public_acls;
        case.builder().options(opts).build()
    }
}

/// The known false proof (issue 19): the caller's account owns the object
/// in another account's bucket, and its identity policy allows the read.
/// "The permissions attached to the bucket apply to all of the objects in
/// the bucket that are owned by the bucket owner. These permissions don't
/// apply to objects that are owned by other AWS accounts" (S3 User Guide,
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html);
/// the object owner's own user needs only its identity policy, and the
/// bucket owner's user gets nothing from the bucket owner's grants
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html).
#[test]
fn an_object_owned_by_the_caller_is_not_proved_away_spec_e21() {
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"777788889999"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}"#;
    let set = |owner: &str| {
        PolicySet::builder()
            .identity(Policy::parse("id.json", allow).unwrap())
            .resource(
                Policy::parse_as("bp.json", bucket, LoadOptions::new(PolicyType::Resource))
                    .unwrap(),
            )
            .options(s3guard::EvalOptions {
                object_owner: Some(owner.to_string()),
                ..s3guard::EvalOptions::default()
            })
            .build()
    };
    let query = |caller: &str| {
        Query::new("s3:Get*", "arn:aws:s3:::b/*")
            .unwrap()
            .with_principal(caller)
            .unwrap()
            .with_resource_account("111122223333")
            .unwrap()
    };
    // the object owner's user: allowed by its identity policy alone
    let p = prove(
        &set("444455556666"),
        &query("arn:aws:iam::444455556666:user/u"),
    );
    let Proof::Counterexample(w, _) = p else {
        panic!("expected a counterexample, got {p}")
    };
    assert_eq!(w.request.action.as_str(), "s3:GetObject");
    assert_eq!(
        set("444455556666").authorize(&w.request).decision,
        Decision::Allowed
    );
    // the object owner's root user, with no policy of its account at all
    assert!(matches!(
        prove(
            &set("444455556666"),
            &query("arn:aws:iam::444455556666:root")
        ),
        Proof::Counterexample(..)
    ));
    // the bucket owner's user reads nothing of another account's objects
    assert!(matches!(
        prove(
            &set("444455556666"),
            &query("arn:aws:iam::111122223333:user/b")
        ),
        Proof::Proved(_)
    ));
    // an ACL grant that names the caller: the prover cannot decide
    let with_acl = PolicySet::builder()
        .options(s3guard::EvalOptions {
            object_owner: Some("444455556666".into()),
            object_acl: Some(s3guard::Acl::parse(&["grant-read=id=777788889999".into()]).unwrap()),
            ..s3guard::EvalOptions::default()
        })
        .resource(
            Policy::parse_as("bp.json", bucket, LoadOptions::new(PolicyType::Resource)).unwrap(),
        )
        .identity(Policy::parse("id.json", allow).unwrap())
        .build();
    assert!(matches!(
        prove(&with_acl, &query("arn:aws:iam::777788889999:user/c")),
        Proof::Unknown { .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Soundness with S3's own layers (E-20, E-21): over generated policies,
    /// object owners, object and bucket ACLs, Object Ownership and
    /// `IgnorePublicAcls`, every "proved" holds on sampled requests of the
    /// query's space, every counterexample is allowed, and an allowed
    /// sample is never proved away.
    #[test]
    fn proofs_with_acls_and_object_owners_agree_with_the_evaluator(case in case(), layers in s3_layers()) {
        let case = layers.case(&case);
        let set = layers.set(&case);
        let proof = prove(&set, &case.query());
        let samples = samples(&case, 800);
        match &proof {
            Proof::Proved(_) => {
                for req in &samples {
                    let r = set.authorize(req);
                    prop_assert!(
                        r.decision != Decision::Allowed,
                        "proved, but {} on {} by {} is allowed (context {:?})",
                        req.action, req.resource, req.principal, req.context.entries()
                    );
                }
            }
            Proof::Counterexample(w, _) => {
                prop_assert_eq!(set.authorize(&w.request).decision, Decision::Allowed);
                prop_assert!(in_query_space(&case, &w.request), "{} {}", w.request.action, w.request.resource);
            }
            Proof::Unknown { .. } => {}
        }
    }
}

/// The generated S3 layers exercise proofs and counterexamples on objects
/// another account owns, not only "cannot decide".
#[test]
fn generated_s3_layers_exercise_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut proved, mut counter, mut unknown) = (0, 0, 0);
    for _ in 0..150 {
        let case = case().new_tree(&mut runner).unwrap().current();
        let layers = s3_layers().new_tree(&mut runner).unwrap().current();
        let case = layers.case(&case);
        match prove(&layers.set(&case), &case.query()) {
            Proof::Proved(_) => proved += 1,
            Proof::Counterexample(..) => counter += 1,
            Proof::Unknown { .. } => unknown += 1,
        }
    }
    assert!(
        proved >= 30 && counter >= 20 && unknown <= 30,
        "{proved} proved, {counter} counterexamples, {unknown} undecided"
    );
}

/// The README's prove examples run against the bundled policies.
#[test]
fn bundled_policies_are_decided_quickly() {
    for p in [
        "policies/amazon-s3-full-access.json",
        "policies/rails-app.json",
        "policies/deny-bucket-deletion.json",
        "policies/amazon-s3-read-only-access.json",
        "policies/read-only-access.json",
    ] {
        let policy = Policy::from_file(repo(p).to_str().unwrap()).unwrap();
        let set = PolicySet::identity([policy]);
        let q = Query::new("s3:Delete*", "*").unwrap();
        let proof = prove(&set, &q);
        assert!(!matches!(proof, Proof::Unknown { .. }), "{p}: {proof}");
    }
}

/// The generated cases exercise every outcome: proofs, counterexamples,
/// and only a few undecided ones (policy variables entangled across
/// statements). Guards the property tests above against losing power.
#[test]
fn generated_cases_exercise_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut proved, mut counter, mut unknown) = (0, 0, 0);
    for _ in 0..200 {
        let case = case().new_tree(&mut runner).unwrap().current();
        match prove(&case.set(), &case.query()) {
            Proof::Proved(_) => proved += 1,
            Proof::Counterexample(..) => counter += 1,
            Proof::Unknown { .. } => unknown += 1,
        }
    }
    assert!(
        proved >= 50 && counter >= 50,
        "{proved} proved, {counter} counterexamples"
    );
    assert!(unknown <= 20, "{unknown} undecided");
}

const PREFIX_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
  "Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}"#;

/// Issue "no silent wrong answer", item 4 (spec C-15): AWS sends `s3:prefix`
/// only with the list actions (Service Authorization Reference for Amazon
/// S3, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html),
/// so for s3:PutBucketPolicy the key is absent and the condition is false:
/// proved, and the output says the key was absent, not free. The list
/// actions still find their counterexample.
#[test]
fn service_keys_an_action_does_not_carry_are_absent_spec_c15() {
    let (_d, policy) = crate::support::temp_file("prefix.json", PREFIX_ONLY);
    let p = policy.to_string_lossy().to_string();
    let (code, out, err) = run(&[
        "prove",
        "--cannot",
        "s3:PutBucketPolicy",
        "--on",
        "arn:aws:s3:::b",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("proved:"), "{out}");
    assert!(out.contains("absent:    s3:prefix"), "{out}");
    let (code, out, err) = run(&[
        "prove",
        "--cannot",
        "s3:*",
        "--on",
        "arn:aws:s3:::b",
        "--policy",
        &p,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("action:    s3:ListBucket"), "{out}");
}
