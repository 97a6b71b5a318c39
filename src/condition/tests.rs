//! Unit tests of the parent module.

use super::*;
use crate::request::context::Origin;

fn key(op: &str, k: &str, vals: &[&str]) -> (Operator, KeyCondition) {
    let op = Operator::parse(op).unwrap();
    let raw: Vec<String> = vals.iter().map(|s| s.to_string()).collect();
    let values = Values::compile(&op, &raw, true).unwrap();
    (
        op,
        KeyCondition {
            key: k.into(),
            key_lower: k.to_lowercase(),
            raw_values: raw,
            values,
        },
    )
}

fn eval(op: &str, k: &str, vals: &[&str], ctx: &[(&str, &[&str])]) -> Outcome {
    let (op, kc) = key(op, k, vals);
    let mut c = Context::new();
    for (ck, cv) in ctx {
        let v = if cv.len() == 1 && !crate::catalog::is_multivalued(&ck.to_lowercase()) {
            ContextValue::Single(cv[0].to_string())
        } else {
            ContextValue::Multi(cv.iter().map(|s| s.to_string()).collect())
        };
        c.insert(ck, v, Origin::Given);
    }
    kc.evaluate(&op, &c)
}

use Outcome::{Error as E, False as F, True as T};

#[test]
fn missing_key_table_spec_c3() {
    for (op, want) in [
        ("StringEquals", F),
        ("StringNotEquals", T),
        ("StringLike", F),
        ("StringNotLike", T),
        ("NumericLessThan", F),
        ("NumericNotEquals", T),
        ("DateLessThan", F),
        ("DateNotEquals", T),
        ("Bool", F),
        ("IpAddress", F),
        ("NotIpAddress", T),
        ("ArnLike", F),
        ("ArnNotEquals", T),
        ("StringEqualsIfExists", T),
        ("StringNotEqualsIfExists", T),
        ("ForAnyValue:StringEquals", F),
        ("ForAnyValue:StringNotEquals", F),
        ("ForAllValues:StringEquals", T),
        ("ForAllValues:StringNotLike", T),
        ("ForAnyValue:StringEqualsIfExists", T),
    ] {
        let v = if op.contains("Numeric") {
            "1"
        } else if op.contains("Date") {
            "2020-01-01"
        } else if op.contains("Bool") {
            "true"
        } else if op.contains("Ip") {
            "10.0.0.0/8"
        } else if op.contains("Arn") {
            "arn:aws:s3:::b"
        } else {
            "x"
        };
        assert_eq!(eval(op, "aws:Missing", &[v], &[]), want, "{op}");
    }
}

#[test]
fn null_operator_spec_c11() {
    assert_eq!(eval("Null", "aws:TokenIssueTime", &["true"], &[]), T);
    assert_eq!(eval("Null", "aws:TokenIssueTime", &["false"], &[]), F);
    assert_eq!(
        eval(
            "Null",
            "aws:TokenIssueTime",
            &["true"],
            &[("aws:TokenIssueTime", &["2024-01-01T00:00:00Z"])]
        ),
        F
    );
    assert_eq!(
        eval("Null", "aws:TagKeys", &["true"], &[("aws:TagKeys", &[])]),
        T
    );
}

#[test]
fn negated_operators_are_nor_spec_c2() {
    assert_eq!(
        eval(
            "StringNotEquals",
            "aws:PrincipalAccount",
            &["111", "222"],
            &[("aws:PrincipalAccount", &["111"])]
        ),
        F
    );
    assert_eq!(
        eval(
            "StringNotEquals",
            "aws:PrincipalAccount",
            &["111", "222"],
            &[("aws:PrincipalAccount", &["333"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "StringEquals",
            "aws:PrincipalTag/dept",
            &["hr", "legal"],
            &[("aws:principaltag/DEPT", &["legal"])]
        ),
        T
    );
}

#[test]
fn set_operators_spec_c13() {
    let vals = ["ID", "Message", "Tags"];
    let table: [(&[&str], Outcome, Outcome); 4] = [
        (&["Message", "Tags"], T, T),
        (&["PostDateTime", "Message"], F, T),
        (&["UserName"], F, F),
        (&[], T, F),
    ];
    for (req, all, any) in table {
        assert_eq!(
            eval(
                "ForAllValues:StringEquals",
                "aws:TagKeys",
                &vals,
                &[("aws:TagKeys", req)]
            ),
            all,
            "{req:?}"
        );
        assert_eq!(
            eval(
                "ForAnyValue:StringEquals",
                "aws:TagKeys",
                &vals,
                &[("aws:TagKeys", req)]
            ),
            any,
            "{req:?}"
        );
    }
    assert_eq!(
        eval(
            "ForAllValues:StringNotLike",
            "aws:TagKeys",
            &["key1*"],
            &[("aws:TagKeys", &["key1:legal"])]
        ),
        F
    );
    assert_eq!(
        eval(
            "ForAllValues:StringNotLike",
            "aws:TagKeys",
            &["key1*"],
            &[("aws:TagKeys", &["key2:audit"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "ForAnyValue:StringNotEquals",
            "aws:TagKeys",
            &["a", "b"],
            &[("aws:TagKeys", &["a", "c"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "ForAnyValue:StringNotEquals",
            "aws:TagKeys",
            &["a", "b"],
            &[("aws:TagKeys", &["a"])]
        ),
        F
    );
    // multi-valued key without a set operator: false for positive and negated (C-13 decision)
    assert_eq!(
        eval(
            "StringEquals",
            "aws:TagKeys",
            &["a"],
            &[("aws:TagKeys", &["a", "b"])]
        ),
        F
    );
    assert_eq!(
        eval(
            "StringNotEquals",
            "aws:TagKeys",
            &["z"],
            &[("aws:TagKeys", &["a", "b"])]
        ),
        F
    );
}

#[test]
fn typed_families_spec_c5_c6_c7_c9() {
    assert_eq!(
        eval(
            "NumericLessThanEquals",
            "s3:max-keys",
            &["10"],
            &[("s3:max-keys", &["10"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "NumericLessThanEquals",
            "s3:max-keys",
            &["10"],
            &[("s3:max-keys", &["11"])]
        ),
        F
    );
    assert_eq!(
        eval(
            "NumericGreaterThan",
            "s3:TlsVersion",
            &["1.1"],
            &[("s3:TlsVersion", &["1.2"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "NumericLessThan",
            "s3:max-keys",
            &["10"],
            &[("s3:max-keys", &["ten"])]
        ),
        E
    );
    assert_eq!(
        eval(
            "DateGreaterThan",
            "aws:EpochTime",
            &["2020-01-01T00:00:00Z"],
            &[("aws:EpochTime", &["1717200000"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "DateLessThan",
            "aws:CurrentTime",
            &["1893456000"],
            &[("aws:CurrentTime", &["2024-06-01T00:00:00Z"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "Bool",
            "aws:SecureTransport",
            &["false"],
            &[("aws:SecureTransport", &["FALSE"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "Bool",
            "aws:SecureTransport",
            &["true"],
            &[("aws:SecureTransport", &["maybe"])]
        ),
        E
    );
    assert_eq!(
        eval(
            "IpAddress",
            "aws:SourceIp",
            &["203.0.113.0/24", "2001:db8::/32"],
            &[("aws:SourceIp", &["203.0.113.200"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "NotIpAddress",
            "aws:SourceIp",
            &["203.0.113.0/24"],
            &[("aws:SourceIp", &["198.51.100.1"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "BinaryEquals",
            "k:bin",
            &["QmluYXJ5"],
            &[("k:bin", &["QmluYXJ5"])]
        ),
        T
    );
}

#[test]
fn variables_in_values_spec_v4() {
    // negated operator with an unresolved variable: holds
    assert_eq!(
        eval(
            "StringNotEquals",
            "s3:ExistingObjectTag/team",
            &["${aws:PrincipalTag/team}"],
            &[("s3:ExistingObjectTag/team", &["x"])]
        ),
        T
    );
    assert_eq!(
        eval(
            "StringEquals",
            "s3:ExistingObjectTag/team",
            &["${aws:PrincipalTag/team}"],
            &[
                ("s3:ExistingObjectTag/team", &["x"]),
                ("aws:PrincipalTag/team", &["x"])
            ]
        ),
        T
    );
    assert_eq!(
        eval(
            "StringLike",
            "s3:prefix",
            &["tmp${*}"],
            &[("s3:prefix", &["tmp123"])]
        ),
        F
    );
    assert_eq!(
        eval(
            "StringLike",
            "s3:prefix",
            &["tmp${*}"],
            &[("s3:prefix", &["tmp*"])]
        ),
        T
    );
}

#[test]
fn load_time_value_errors() {
    let op = Operator::parse("IpAddress").unwrap();
    let e = Values::compile(&op, &["300.1.1.1/8".into()], true).unwrap_err();
    assert_eq!(e[0].code, "TYPE_MISMATCH_IP_RANGE");
    let op = Operator::parse("NumericLessThan").unwrap();
    let e = Values::compile(&op, &["${aws:username}".into()], true).unwrap_err();
    assert_eq!(e[0].code, "INVALID_VARIABLE_FOR_OPERATOR");
    let op = Operator::parse("DateLessThan").unwrap();
    assert_eq!(
        Values::compile(&op, &["soon".into()], true).unwrap_err()[0].code,
        "INVALID_DATE_VALUE"
    );
    let op = Operator::parse("Bool").unwrap();
    assert_eq!(
        Values::compile(&op, &["yes".into()], true).unwrap_err()[0].code,
        "TYPE_MISMATCH_BOOLEAN"
    );
}

#[test]
fn plain_values_compile_as_their_one_text_piece() {
    // Values::compile takes a shortcut for values without variables: the
    // same compiled value as the general path's single `Piece::Text`
    use super::arn::ArnValue;
    use super::string::StringValue;
    for t in [
        "",
        "team-1",
        "a*b?c",
        "*",
        "pre*",
        "${aws:username}",
        "Ünïcödé*",
        "arn:aws:s3:::b/*",
        "arn:aws:iam::111122223333:role/r?",
    ] {
        let pieces = [Piece::Text(t.to_string())];
        assert_eq!(
            StringValue::exact_text(t),
            StringValue::exact(&pieces),
            "{t}"
        );
        assert_eq!(
            StringValue::folded_text(t),
            StringValue::folded(&pieces),
            "{t}"
        );
        assert_eq!(StringValue::like_text(t), StringValue::like(&pieces), "{t}");
        assert_eq!(ArnValue::text(t), ArnValue::new(t, &pieces), "{t}");
    }
}
