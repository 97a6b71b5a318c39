//! Property tests: named invariants of the evaluator, and agreement of the
//! compiled paths with simple references.

use proptest::prelude::*;
use s3guard::{Decision, Policy, PolicySet, Request};

const ACTIONS: &[&str] = &[
    "s3:*",
    "s3:Get*",
    "s3:GetObject",
    "s3:PutObject",
    "s3:List*",
    "*",
    "s3:*Object",
    "s3:Delete*",
    "ec2:*",
    "s3:Get?bject",
    "S3:getobject",
    "s3*:*",
    "s3:DeleteBucket",
    "ec2:RunInstances",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b*",
    "arn:aws:s3:::*/*",
    "arn:aws:s3:::c/x",
    "arn:aws:s3:::*",
    "arn:aws:s3:::b/${aws:username}/*",
    "arn:aws:s3:*",
    "arn:aws:s3:::c",
    "arn:aws:s3:::c/*",
    "arn:aws:s3:::c?/*",
    "arn:aws:s3:::${aws:username}/*",
    "arn:aws:s3:::bx/*",
];
const CONDITIONS: &[&str] = &[
    "",
    r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#,
    r#","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
    r#","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
    r#","Condition":{"StringLike":{"s3:prefix":["home/*",""]}}"#,
];
const REQ_ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteBucket",
    "s3:ListBucket",
    "s3:ListAllMyBuckets",
    "ec2:RunInstances",
    "s3:GetObjects",
    "s3express:CreateSession",
    "s3:DeleteObject",
];
const REQ_RESOURCES: &[&str] = &[
    "arn:aws:s3:::b",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::b/alice/k",
    "arn:aws:s3:::bx",
    "arn:aws:s3:::c/x",
    "arn:aws:s3:::c",
    "arn:aws:s3:::alice/k",
    "arn:aws:s3:::bx/y/z",
    "*",
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
    fn json(&self) -> String {
        let list = |idx: &[usize], pool: &[&str]| {
            let items: Vec<String> = idx.iter().map(|i| format!("{:?}", pool[*i])).collect();
            format!("[{}]", items.join(","))
        };
        format!(
            r#"{{"Effect":"{}","{}":{},"{}":{}{}}}"#,
            if self.deny { "Deny" } else { "Allow" },
            if self.not_action {
                "NotAction"
            } else {
                "Action"
            },
            list(&self.actions, ACTIONS),
            if self.not_resource {
                "NotResource"
            } else {
                "Resource"
            },
            list(&self.resources, RESOURCES),
            CONDITIONS[self.condition]
        )
    }
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        prop::collection::vec(0..ACTIONS.len(), 1..4),
        prop::bool::weighted(0.15),
        prop::collection::vec(0..RESOURCES.len(), 1..3),
        0..CONDITIONS.len(),
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

fn policy(stmts: &[Stmt]) -> Policy {
    let body: Vec<String> = stmts.iter().map(Stmt::json).collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    );
    Policy::parse("p.json", &text).expect("generated policies are valid")
}

fn request(a: usize, r: usize, ctx: u8) -> Request {
    let mut req = Request::new(REQ_ACTIONS[a], REQ_RESOURCES[r]).unwrap();
    if ctx & 1 != 0 {
        req = req.with_context("aws:SecureTransport", "true");
    }
    if ctx & 2 != 0 {
        req = req.with_context("aws:SourceIp", "203.0.113.7");
    }
    if ctx & 4 != 0 {
        req = req.with_context("aws:username", "alice");
    }
    if ctx & 8 != 0 {
        req = req.with_context("s3:prefix", "home/x");
    }
    req
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The compiled action index and resource filter agree with walking
    /// every statement (issue 8.1). Up to 24 statements, so that the
    /// resource filter (used from 8 candidates on) takes part.
    #[test]
    fn compiled_index_agrees_with_the_reference(
        stmts in prop::collection::vec(stmt(), 0..24),
        a in 0..REQ_ACTIONS.len(), r in 0..REQ_RESOURCES.len(), ctx in 0u8..16,
    ) {
        let set = PolicySet::identity([policy(&stmts)]);
        let req = request(a, r, ctx);
        let fast = set.authorize(&req);
        let slow = set.authorize_reference(&req);
        prop_assert_eq!(fast.decision, slow.decision);
        let mut f = fast.determining.to_vec();
        let mut s = slow.determining.to_vec();
        f.sort();
        s.sort();
        prop_assert_eq!(f, s);
    }

    /// Spec E-2: adding a Deny that applies never yields Allow.
    #[test]
    fn a_matching_deny_never_yields_allow(
        stmts in prop::collection::vec(stmt(), 0..6),
        a in 0..REQ_ACTIONS.len(), r in 0..REQ_RESOURCES.len(), ctx in 0u8..16,
    ) {
        let req = request(a, r, ctx);
        let deny = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{}","Resource":"{}"}}]}}"#,
            REQ_ACTIONS[a], REQ_RESOURCES[r]
        );
        let set = PolicySet::identity([policy(&stmts), Policy::parse("deny.json", &deny).unwrap()]);
        prop_assert_eq!(set.authorize(&req).decision, Decision::ExplicitDeny);
    }

    /// Spec G-12: statement order and policy order never change the decision.
    #[test]
    fn order_never_changes_the_decision(
        stmts in prop::collection::vec(stmt(), 1..6),
        split in 0usize..6,
        a in 0..REQ_ACTIONS.len(), r in 0..REQ_RESOURCES.len(), ctx in 0u8..16,
    ) {
        let req = request(a, r, ctx);
        let one = PolicySet::identity([policy(&stmts)]).authorize(&req).decision;
        let mut rev = stmts.clone();
        rev.reverse();
        let reversed = PolicySet::identity([policy(&rev)]).authorize(&req).decision;
        let cut = split.min(stmts.len());
        let (x, y) = stmts.split_at(cut);
        let two = PolicySet::identity([policy(y), policy(x)]).authorize(&req).decision;
        prop_assert_eq!(one, reversed);
        prop_assert_eq!(one, two);
    }

    /// The glob matcher agrees with the `wildmatch` crate (case-sensitive `*`/`?`).
    #[test]
    fn glob_agrees_with_wildmatch(
        pattern in "[ab*?é/]{0,10}",
        text in "[abé/]{0,12}",
    ) {
        let ours = s3guard::matcher::Glob::new(&pattern).is_match(&text);
        let theirs = wildmatch::WildMatch::new(&pattern).matches(&text);
        prop_assert_eq!(ours, theirs, "pattern {:?} text {:?}", pattern, text);
    }

    /// Action patterns agree with a case-insensitive wildmatch on `service:Name`.
    #[test]
    fn action_patterns_agree_with_wildmatch(
        pattern in "(s3|S3|s3\\*|\\*):[A-Za-z*?]{0,8}",
        action in "(s3|S3|ec2):[A-Za-z]{1,8}",
    ) {
        let p = s3guard::matcher::ActionPattern::new(&pattern);
        let a = s3guard::matcher::Action::parse(&action).unwrap();
        let theirs = wildmatch::WildMatch::new_case_insensitive(&pattern).matches(&action);
        prop_assert_eq!(p.matches(&a), theirs);
    }
}

mod conditions {
    //! Invariants of condition operators (spec C-2, C-6, C-9, C-12).
    use proptest::prelude::*;
    use s3guard::condition::{KeyCondition, Operator, Outcome, Values};
    use s3guard::{Context, Origin};

    fn eval(op: &str, key: &str, values: &[String], ctx_value: Option<&str>) -> Outcome {
        let op = Operator::parse(op).unwrap();
        let values_c = Values::compile(&op, values, true).unwrap();
        let kc = KeyCondition {
            key: key.into(),
            key_lower: key.to_lowercase(),
            raw_values: values.to_vec(),
            values: values_c,
        };
        let mut ctx = Context::new();
        if let Some(v) = ctx_value {
            ctx.set(key, v, Origin::Given);
        }
        kc.evaluate(&op, &ctx)
    }

    fn negate(o: Outcome) -> Outcome {
        match o {
            Outcome::True => Outcome::False,
            Outcome::False => Outcome::True,
            Outcome::Error => Outcome::Error,
        }
    }

    proptest! {
        /// C-2: for a present single value, a negated operator is the complement of its positive.
        #[test]
        fn negated_is_the_complement_for_present_values(
            values in prop::collection::vec("[ab*?]{0,4}", 1..4),
            value in "[ab]{0,4}",
            n in prop::collection::vec(-50i64..50, 1..3),
            nv in -60i64..60,
        ) {
            for (pos, neg) in [("StringEquals", "StringNotEquals"), ("StringLike", "StringNotLike"),
                               ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"), ("ArnLike", "ArnNotLike")] {
                let vals: Vec<String> = if pos.starts_with("Arn") {
                    values.iter().map(|v| format!("arn:aws:s3:::{v}")).collect()
                } else { values.clone() };
                let cv = if pos.starts_with("Arn") { format!("arn:aws:s3:::{value}") } else { value.clone() };
                prop_assert_eq!(eval(neg, "k:x", &vals, Some(&cv)), negate(eval(pos, "k:x", &vals, Some(&cv))));
            }
            let nvals: Vec<String> = n.iter().map(|x| x.to_string()).collect();
            prop_assert_eq!(
                eval("NumericNotEquals", "k:n", &nvals, Some(&nv.to_string())),
                negate(eval("NumericEquals", "k:n", &nvals, Some(&nv.to_string())))
            );
        }

        /// C-12: `IfExists` on a present key is the plain operator.
        #[test]
        fn if_exists_on_a_present_key_is_the_plain_operator(
            values in prop::collection::vec("[ab*]{0,3}", 1..3),
            value in "[ab]{0,3}",
        ) {
            for op in ["StringEquals", "StringNotLike", "StringLike", "StringNotEquals"] {
                prop_assert_eq!(
                    eval(&format!("{op}IfExists"), "k:x", &values, Some(&value)),
                    eval(op, "k:x", &values, Some(&value))
                );
            }
        }

        /// C-6: dates compare the same in ISO 8601 and epoch notation.
        #[test]
        fn dates_agree_between_iso_and_epoch(a in 0i64..4_102_444_800, b in 0i64..4_102_444_800) {
            let iso = |s: i64| s3guard::condition::date::format(i128::from(s) * 1_000_000_000);
            for op in ["DateEquals", "DateLessThan", "DateGreaterThanEquals", "DateNotEquals"] {
                let epoch_policy = eval(op, "aws:CurrentTime", &[a.to_string()], Some(&iso(b)));
                let iso_policy = eval(op, "aws:CurrentTime", &[iso(a)], Some(&b.to_string()));
                let both_iso = eval(op, "aws:CurrentTime", &[iso(a)], Some(&iso(b)));
                prop_assert_eq!(epoch_policy, both_iso);
                prop_assert_eq!(iso_policy, both_iso);
            }
        }

        /// C-9: IP matching agrees with a reference built on std::net.
        #[test]
        fn ip_matching_agrees_with_std_net(net in any::<u32>(), prefix in 0u8..=32, ip in any::<u32>(),
                                           net6 in any::<u128>(), prefix6 in 0u8..=128, ip6 in any::<u128>()) {
            let v4 = |x: u32| std::net::Ipv4Addr::from(x).to_string();
            let mask4 = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
            let want4 = (ip & mask4) == (net & mask4);
            let got4 = eval("IpAddress", "aws:SourceIp", &[format!("{}/{prefix}", v4(net))], Some(&v4(ip)));
            prop_assert_eq!(got4 == Outcome::True, want4);
            let v6 = |x: u128| std::net::Ipv6Addr::from(x).to_string();
            let mask6 = if prefix6 == 0 { 0 } else { u128::MAX << (128 - prefix6) };
            let want6 = (ip6 & mask6) == (net6 & mask6);
            let got6 = eval("IpAddress", "aws:SourceIp", &[format!("{}/{prefix6}", v6(net6))], Some(&v6(ip6)));
            prop_assert_eq!(got6 == Outcome::True, want6);
            // IPv4 requests never match IPv6 ranges
            let cross = eval("IpAddress", "aws:SourceIp", &[format!("{}/{prefix6}", v6(net6))], Some(&v4(ip)));
            prop_assert_eq!(cross, Outcome::False);
        }
    }
}
