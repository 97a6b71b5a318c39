//! Witnesses and determinism: principals that share an answer are each told
//! their own (ARN, tags, witness, keys, limits), the same as alone in the
//! data, and the output is the same bytes on any number of threads.

use proptest::prelude::*;
use s3guard::access::{self, Access, Question};
use s3guard::PolicyType;

use super::{
    account, analysis_at, analysis_of, policy_of, same_statements_reversed, statement, two_teams,
    who_can_json, ACCOUNT,
};
use crate::support::s3guard;

/// Witnesses name the action as the catalog spells it (issue 16).
#[test]
fn witness_actions_keep_the_catalogs_spelling() {
    let (code, v) = who_can_json("s3:Delete*", "arn:aws:s3:::prod", &["--no-escalation"]);
    assert_eq!(code, Some(0));
    let mut seen = 0;
    for e in v["principals"].as_array().unwrap() {
        if let Some(a) = e["witness"]["action"].as_str() {
            seen += 1;
            assert!(
                s3guard::catalog::lookup(a).is_some_and(|i| i.iam_action == a),
                "{a}"
            );
            assert_eq!(e["witness"]["args"][0].as_str(), Some(a));
        }
    }
    assert!(seen > 0, "{v}");
}

/// Principals with the same policies share one decision; the witness of
/// each must still be its own request: its ARN and its own tags, never
/// the tags of the principal whose answer it shares (spec section 0: the
/// principal keys are derived from the caller; `can --principal-tag`).
#[test]
fn shared_answers_carry_each_principals_own_tags() {
    let dump = two_teams(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
    );
    let a = analysis_of(&dump);
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    assert_eq!(answer.principals.len(), 3);
    for (e, own, other) in [
        (&answer.principals[0], Some("alpha"), "beta"),
        (&answer.principals[1], Some("beta"), "alpha"),
        (&answer.principals[2], None, "alpha"),
    ] {
        assert_eq!(e.grant.access, Access::Conditional);
        let args = &e.grant.witness.as_ref().expect("a witness").args;
        let i = args.iter().position(|x| x == "--principal").unwrap();
        assert_eq!(args[i + 1], e.principal);
        let tags: Vec<&String> = args
            .iter()
            .filter(|x| x.starts_with("aws:PrincipalTag/"))
            .collect();
        match own {
            Some(t) => assert_eq!(tags, [&format!("aws:PrincipalTag/team={t}")], "{args:?}"),
            None => assert!(tags.is_empty(), "{args:?}"),
        }
        assert!(!args.iter().any(|x| x.ends_with(other)), "{args:?}");
        // the witness is a request `can` allows for this principal
        let dir = crate::support::tempdir::Dir::new();
        let file = dir.path().join("acct.json");
        std::fs::write(&file, &dump).unwrap();
        let out = s3guard()
            .args(["can"])
            .args(args)
            .arg("--policy-from")
            .arg(&file)
            .args(["--select", &e.principal])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
}

/// An SCP that tests the caller's tags decides differently for principals
/// whose own policies are the same: they must not share its answer
/// (spec E-14: a Deny at any SCP level denies).
#[test]
fn guardrails_testing_the_caller_are_not_shared() {
    let dump = two_teams(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let mut a = analysis_of(&dump);
    a.scp_levels = vec![vec![policy_of(
        PolicyType::Scp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalTag/team":"alpha"}}}]}"#,
    )]];
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&a, &q, None).unwrap();
    let access_of = |name: &str| {
        answer
            .principals
            .iter()
            .find(|e| e.principal == format!("arn:aws:iam::{ACCOUNT}:user/{name}"))
            .map(|e| e.grant.access)
    };
    assert_eq!(access_of("alpha"), Some(Access::Allowed));
    assert_eq!(access_of("beta"), None);
    // gamma is an IAM user without the tag: AWS sends no aws:PrincipalTag/team
    // for it, so the Deny applies ("included in the request context if the
    // principal is using an IAM user with attached tags",
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principaltag)
    assert_eq!(access_of("gamma"), None);
    let limited: Vec<(&str, &[PolicyType])> = answer
        .limited
        .iter()
        .map(|l| (l.principal.as_str(), l.layers.as_slice()))
        .collect();
    assert!(
        limited.contains(&(
            format!("arn:aws:iam::{ACCOUNT}:user/beta").as_str(),
            &[PolicyType::Scp][..]
        )),
        "{limited:?}"
    );
}

/// The spans of the objects of a dump's `UserDetailList` and of its
/// `RoleDetailList` (generated dumps: no braces inside strings).
fn principal_spans(dump: &str) -> Vec<Vec<(usize, usize)>> {
    let mut lists = Vec::new();
    for list in ["\"UserDetailList\":[", "\"RoleDetailList\":["] {
        let mut out = Vec::new();
        let Some(start) = dump.find(list) else {
            continue;
        };
        let bytes = dump.as_bytes();
        let mut i = start + list.len();
        let (mut depth, mut in_string, mut escaped, mut from) = (0usize, false, false, 0usize);
        while let Some(&c) = bytes.get(i) {
            match (in_string, c) {
                (true, b'\\') if !escaped => escaped = true,
                (true, b'"') if !escaped => in_string = false,
                (true, _) => escaped = false,
                (false, b'"') => in_string = true,
                (false, b'{') => {
                    if depth == 0 {
                        from = i;
                    }
                    depth += 1;
                }
                (false, b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        out.push((from, i + 1));
                    }
                }
                (false, b']') if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        lists.push(out);
    }
    lists
}

/// The dump with only the user or role `arn` left: the others and the
/// commas between them become spaces, so that every position (line,
/// column) of the statements left is the same as in the whole dump.
fn alone_in(dump: &str, arn: &str) -> String {
    let mut text = dump.as_bytes().to_vec();
    let mine = format!(r#""Arn":"{arn}""#);
    for spans in principal_spans(dump) {
        for (a, b) in &spans {
            if !dump[*a..*b].contains(&mine) {
                text[*a..*b].fill(b' ');
            }
        }
        // At most one object of the list is kept: no comma is left.
        for w in spans.windows(2) {
            for x in &mut text[w[0].1..w[1].0] {
                if *x == b',' {
                    *x = b' ';
                }
            }
        }
    }
    String::from_utf8(text).unwrap()
}

/// A dump of users that hold the same statements in different orders and
/// split differently between two inline policies: they share answers.
/// Most of them are grants under different values of one key, where the
/// prover's witness takes the first value it meets.
fn shuffled_account() -> impl Strategy<Value = String> {
    let conditional = (1..4u8, prop_oneof![Just("s3:DeleteObject"), Just("s3:Delete*")]).prop_map(
        |(vpc, action)| {
            format!(
                r#"{{"Effect":"Allow","Action":"{action}","Resource":"arn:aws:s3:::prod*","Condition":{{"StringEquals":{{"aws:SourceVpc":"vpc-{vpc}"}}}}}}"#
            )
        },
    );
    prop::collection::vec(prop_oneof![2 => conditional, 1 => statement()], 2..4)
        .prop_flat_map(|sts| {
            let n = sts.len();
            let user = (Just(sts.clone()).prop_shuffle(), 0..=n);
            (Just(n), prop::collection::vec(user, 2..4))
        })
        .prop_map(|(_, users)| {
            let doc = |sts: &[String]| {
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                    sts.join(",")
                )
            };
            let users: Vec<String> = users
                .iter()
                .enumerate()
                .map(|(u, (sts, k))| {
                    let (first, second) = sts.split_at(*k);
                    let inline: Vec<String> = [("i", first), ("j", second)]
                        .iter()
                        .filter(|(_, s)| !s.is_empty())
                        .map(|(name, s)| format!(r#"{{"PolicyName":"{name}","PolicyDocument":{}}}"#, doc(s)))
                        .collect();
                    format!(
                        r#"{{"UserName":"u{u}","Arn":"arn:aws:iam::{ACCOUNT}:user/u{u}","UserPolicyList":[{}],"GroupList":[],"AttachedManagedPolicies":[]}}"#,
                        inline.join(",")
                    )
                })
                .collect();
            format!(
                r#"{{"UserDetailList":[{}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#,
                users.join(",")
            )
        })
}

/// The entry of `arn` in an answer, if listed.
fn entry_of<'a>(w: &'a access::WhoCan, arn: &str) -> Option<&'a access::Entry> {
    w.principals.iter().find(|e| e.principal == arn)
}

/// Two users with the same two statements in opposite orders share one
/// answer; the prover's witness follows the order of the statements it
/// is given, so a shared answer computed on the first user's set gave the
/// second user the first's witness (`aws:SourceVpc=vpc-1`) where, alone
/// in the data, it gets another. Each entry must be the one its principal
/// gets alone (issue 16: a principal's witness depends on its own inputs).
#[test]
fn shared_witnesses_do_not_depend_on_who_shares_them() {
    let st = |vpc: &str| {
        format!(
            r#"{{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::prod/*","Condition":{{"StringEquals":{{"aws:SourceVpc":"{vpc}"}}}}}}"#
        )
    };
    let user = |name: &str, first: &str, second: &str| {
        format!(
            r#"{{"UserName":"{name}","Arn":"arn:aws:iam::{ACCOUNT}:user/{name}","UserPolicyList":[{{"PolicyName":"i","PolicyDocument":{{"Version":"2012-10-17","Statement":[{},{}]}}}}],"GroupList":[],"AttachedManagedPolicies":[]}}"#,
            st(first),
            st(second)
        )
    };
    let dump = format!(
        r#"{{"UserDetailList":[{},{}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}}"#,
        user("a", "vpc-1", "vpc-2"),
        user("b", "vpc-2", "vpc-1")
    );
    let q = Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap();
    let all = access::who_can(&analysis_at(&dump), &q, None).unwrap();
    assert_eq!(all.principals.len(), 2);
    for name in ["a", "b"] {
        let arn = format!("arn:aws:iam::{ACCOUNT}:user/{name}");
        let alone = access::who_can(&analysis_at(&alone_in(&dump, &arn)), &q, None).unwrap();
        assert_eq!(alone.principals_in_data, 1);
        assert_eq!(entry_of(&all, &arn), entry_of(&alone, &arn), "{arn}");
        // and the witness names the statement the principal has
        let e = entry_of(&all, &arn).unwrap();
        assert_eq!(e.grant.statements.len(), 1, "{e:?}");
    }
    // Both witnesses are the same request: the set they are computed on
    // depends on the content of the statements only.
    let vpc = |e: &access::Entry| {
        e.grant
            .witness
            .as_ref()
            .unwrap()
            .args
            .iter()
            .find(|a| a.starts_with("aws:SourceVpc="))
            .cloned()
    };
    assert_eq!(vpc(&all.principals[0]), vpc(&all.principals[1]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Invariant: a principal's entry (access, keys, statements, witness)
    /// and its `limited` layers are what it gets alone in the data, for a
    /// concrete question and for patterns: sharing an answer never
    /// changes what a principal is told.
    #[test]
    fn each_entry_is_the_principals_own_answer_alone(
        dump in prop_oneof![account(), shuffled_account()],
        pattern in any::<bool>(),
    ) {
        let q = if pattern {
            Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap()
        } else {
            Question::new("s3:DeleteObject", "arn:aws:s3:::prod/k").unwrap()
        };
        let a = analysis_at(&dump);
        let all = access::who_can(&a, &q, None).unwrap();
        for p in a.model.principals() {
            let alone_a = analysis_at(&alone_in(&dump, &p.arn));
            prop_assert_eq!(alone_a.model.principals().len(), 1);
            let alone = access::who_can(&alone_a, &q, None).unwrap();
            prop_assert_eq!(entry_of(&all, &p.arn), entry_of(&alone, &p.arn), "{}", &p.arn);
            let limited = |w: &access::WhoCan| w.limited.iter().find(|l| l.principal == p.arn).cloned();
            prop_assert_eq!(limited(&all), limited(&alone), "{}", &p.arn);
        }
    }
}

/// `who-can` prints the same bytes on one thread and on two, with `--at`
/// fixing the time (patterns: the prover's answers are handed out one at
/// a time, in whatever order the threads take them).
#[test]
fn who_can_output_is_the_same_on_one_and_two_threads() {
    let run = |threads: &str| {
        let out = s3guard()
            .env("S3GUARD_THREADS", threads)
            .args(["who-can", "s3:Delete*", "arn:aws:s3:::prod*"])
            .args(["--account", "policies/account/example-account.json"])
            .args([
                "--bucket-policy",
                "policies/account/prod-bucket-policy.json",
            ])
            .args(["--at", "2026-01-01T00:00:00Z", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert!(String::from_utf8_lossy(&one).contains("\"witness\""));
    assert_eq!(one, run("2"));
}

/// The keys of a `who-can` answer are listed by name whatever the order
/// of the statements that test them (here two Denies a free key could
/// apply: `b` holds them in the opposite order).
#[test]
fn who_can_keys_are_listed_by_name() {
    let dump = same_statements_reversed(&[
        r#"{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod"}"#,
        r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"StringEquals":{"aws:Referer":"https://bad.example.com/"}}}"#,
        r#"{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::prod","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
    ]);
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
    let answer = access::who_can(&analysis_at(&dump), &q, None).unwrap();
    assert_eq!(answer.principals.len(), 2);
    for e in &answer.principals {
        assert_eq!(e.grant.access, Access::Conditional);
        let keys: Vec<&str> = e.grant.keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["aws:Referer", "aws:SourceIp"], "{}", e.principal);
    }
}
