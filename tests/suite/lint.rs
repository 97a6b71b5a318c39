//! `s3guard lint`: every check has a fixture that fires it and a near-miss
//! that does not (tests/fixtures/lint/<case>/{fires,passes}.json), plus the
//! CLI's formats and exit codes. Spec A-1, A-2 (and the rule each case names).

use s3guard::lint::{lint_file, render, sarif, LintOptions, PolicyResourceType, RULES};
use s3guard::{PolicyType, Severity};

use crate::support::{repo, run, temp_file};

use PolicyType::{Identity, Rcp, Resource, Scp, Session};
use Severity::{Error, SecurityWarning, Suggestion, Warning};

/// (fixture case, issue code, finding type, --type, --resource-type, spec rule)
type Case = (
    &'static str,
    &'static str,
    Severity,
    Option<PolicyType>,
    Option<PolicyResourceType>,
    &'static str,
);

const BUCKET: Option<PolicyResourceType> = Some(PolicyResourceType::S3Bucket);

const CASES: &[Case] = &[
    (
        "missing_version",
        "MISSING_VERSION",
        Warning,
        None,
        None,
        "G-2",
    ),
    (
        "invalid_version",
        "INVALID_VERSION",
        Error,
        None,
        None,
        "G-2",
    ),
    (
        "json_syntax_error",
        "JSON_SYNTAX_ERROR",
        Error,
        None,
        None,
        "G-1",
    ),
    (
        "json_syntax_error_duplicate_key",
        "JSON_SYNTAX_ERROR",
        Error,
        None,
        None,
        "G-1",
    ),
    (
        "invalid_policy_element",
        "INVALID_POLICY_ELEMENT",
        Error,
        None,
        None,
        "G-1",
    ),
    ("missing_effect", "MISSING_EFFECT", Error, None, None, "G-6"),
    ("invalid_effect", "INVALID_EFFECT", Error, None, None, "G-6"),
    ("missing_action", "MISSING_ACTION", Error, None, None, "G-7"),
    (
        "missing_resource",
        "MISSING_RESOURCE",
        Error,
        None,
        None,
        "G-8",
    ),
    (
        "missing_principal",
        "MISSING_PRINCIPAL",
        Error,
        Some(Resource),
        None,
        "G-9",
    ),
    (
        "unsupported_element_combination",
        "UNSUPPORTED_ELEMENT_COMBINATION",
        Error,
        None,
        None,
        "G-11",
    ),
    ("invalid_action", "INVALID_ACTION", Error, None, None, "M-2"),
    (
        "invalid_service_in_action",
        "INVALID_SERVICE_IN_ACTION",
        Error,
        None,
        None,
        "M-2",
    ),
    (
        "invalid_arn_prefix",
        "INVALID_ARN_PREFIX",
        Error,
        None,
        None,
        "M-3",
    ),
    (
        "missing_arn_field",
        "MISSING_ARN_FIELD",
        Error,
        None,
        None,
        "M-3",
    ),
    (
        "invalid_arn_resource",
        "INVALID_ARN_RESOURCE",
        Error,
        None,
        None,
        "M-5",
    ),
    (
        // the bucket ARN beside `media/*` has no effect while `media/*` works:
        // a warning (issue 17.5: an entry with no effect beside working ones)
        "unsupported_resource_arn_in_policy",
        "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
        Warning,
        None,
        None,
        "A-2 #11",
    ),
    (
        // no entry works: the statement does nothing, an error
        "unsupported_resource_arn_in_policy_no_entry_works",
        "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
        Error,
        None,
        None,
        "A-2 #11",
    ),
    (
        "unsupported_resource_arn_in_policy_resource_type",
        "UNSUPPORTED_RESOURCE_ARN_IN_POLICY",
        Error,
        None,
        BUCKET,
        "A-1 resource type",
    ),
    (
        "unsupported_action_in_policy",
        "UNSUPPORTED_ACTION_IN_POLICY",
        Error,
        None,
        BUCKET,
        "A-1 resource type",
    ),
    (
        "invalid_condition_operator",
        "INVALID_CONDITION_OPERATOR",
        Error,
        None,
        None,
        "G-10",
    ),
    (
        "invalid_global_condition_key",
        "INVALID_GLOBAL_CONDITION_KEY",
        Error,
        None,
        None,
        "C-14",
    ),
    (
        "invalid_service_condition_key",
        "INVALID_SERVICE_CONDITION_KEY",
        Error,
        None,
        None,
        "C-14",
    ),
    (
        "invalid_condition_key",
        "INVALID_CONDITION_KEY",
        Error,
        None,
        None,
        "G-10",
    ),
    (
        "duplicate_keys_with_different_case",
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        Error,
        None,
        None,
        "C-1",
    ),
    (
        "null_with_if_exists",
        "NULL_WITH_IF_EXISTS",
        Error,
        None,
        None,
        "C-11",
    ),
    (
        "invalid_variable_for_operator",
        "INVALID_VARIABLE_FOR_OPERATOR",
        Error,
        None,
        None,
        "V-6",
    ),
    (
        "variable_unsupported_in_element",
        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
        Error,
        None,
        None,
        "V-6",
    ),
    (
        "variable_unsupported_in_version",
        "VARIABLE_UNSUPPORTED_IN_VERSION",
        Error,
        None,
        None,
        "G-2, G-11",
    ),
    (
        "missing_brace_in_variable",
        "MISSING_BRACE_IN_VARIABLE",
        Error,
        None,
        None,
        "V-1",
    ),
    (
        "unsupported_wildcard_in_principal",
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        Error,
        None,
        None,
        "G-9",
    ),
    (
        "invalid_principal_format",
        "INVALID_PRINCIPAL_FORMAT",
        Error,
        None,
        None,
        "G-9",
    ),
    (
        "invalid_principal_key",
        "INVALID_PRINCIPAL_KEY",
        Error,
        None,
        None,
        "G-9",
    ),
    (
        "unsupported_principal",
        "UNSUPPORTED_PRINCIPAL",
        Error,
        Some(Identity),
        None,
        "G-9",
    ),
    (
        "private_ip_address",
        "PRIVATE_IP_ADDRESS",
        Error,
        None,
        None,
        "C-9",
    ),
    (
        "private_not_ip_address",
        "PRIVATE_NOT_IP_ADDRESS",
        Error,
        None,
        None,
        "C-9",
    ),
    (
        "private_ip_address_subset",
        "PRIVATE_IP_ADDRESS_SUBSET",
        Suggestion,
        None,
        None,
        "C-9",
    ),
    (
        "unique_sids_required",
        "UNIQUE_SIDS_REQUIRED",
        Error,
        None,
        None,
        "G-5",
    ),
    (
        "unique_sids_recommended",
        "UNIQUE_SIDS_RECOMMENDED",
        Warning,
        None,
        None,
        "G-5",
    ),
    ("invalid_sid", "INVALID_SID", Error, None, None, "G-5"),
    (
        "id_in_identity_policy",
        "ID_IN_IDENTITY_POLICY",
        Warning,
        None,
        None,
        "G-3",
    ),
    (
        "policy_size_exceeds_identity_policy_quota",
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        Warning,
        None,
        None,
        "G-14",
    ),
    (
        "policy_size_exceeds_scp_quota",
        "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        Error,
        Some(Scp),
        None,
        "G-14",
    ),
    (
        "policy_size_exceeds_resource_policy_quota",
        "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        Error,
        None,
        None,
        "G-14",
    ),
    (
        "policy_size_exceeds_session_policy_quota",
        "POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA",
        Error,
        Some(Session),
        None,
        "G-14",
    ),
    (
        "policy_size_exceeds_rcp_quota",
        "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
        Error,
        Some(Rcp),
        None,
        "G-14",
    ),
    (
        "wildcard_without_like_operator",
        "WILDCARD_WITHOUT_LIKE_OPERATOR",
        Warning,
        None,
        None,
        "C-4",
    ),
    (
        "type_mismatch",
        "TYPE_MISMATCH",
        Warning,
        None,
        None,
        "C-14",
    ),
    (
        "type_mismatch_number",
        "TYPE_MISMATCH_NUMBER",
        Error,
        None,
        None,
        "C-5",
    ),
    (
        "type_mismatch_boolean",
        "TYPE_MISMATCH_BOOLEAN",
        Error,
        None,
        None,
        "C-7",
    ),
    (
        "type_mismatch_ip_range",
        "TYPE_MISMATCH_IP_RANGE",
        Error,
        None,
        None,
        "C-9",
    ),
    (
        "invalid_date_value",
        "INVALID_DATE_VALUE",
        Warning,
        None,
        None,
        "C-6",
    ),
    (
        "invalid_date_value_unparsable",
        "INVALID_DATE_VALUE",
        Error,
        None,
        None,
        "C-6",
    ),
    (
        "invalid_condition_multiple_boolean",
        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
        Error,
        None,
        None,
        "C-7",
    ),
    (
        "allow_with_not_principal",
        "ALLOW_WITH_NOT_PRINCIPAL",
        SecurityWarning,
        None,
        None,
        "E-9",
    ),
    (
        "forallvalues_with_single_valued_key",
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        SecurityWarning,
        None,
        None,
        "C-13",
    ),
    (
        "pass_role_with_star_in_resource",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        SecurityWarning,
        None,
        None,
        "A-2 #26",
    ),
    (
        "pass_role_with_star_in_action_and_resource",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        SecurityWarning,
        None,
        None,
        "A-2 #26",
    ),
    (
        "pass_role_with_not_resource",
        "PASS_ROLE_WITH_NOT_RESOURCE",
        SecurityWarning,
        None,
        None,
        "A-2 #26",
    ),
    (
        "redundant_action",
        "REDUNDANT_ACTION",
        Suggestion,
        None,
        None,
        "A-2 #27",
    ),
    (
        "redundant_resource",
        "REDUNDANT_RESOURCE",
        Suggestion,
        None,
        None,
        "A-2 #28",
    ),
    (
        "redundant_statement",
        "REDUNDANT_STATEMENT",
        Suggestion,
        None,
        None,
        "G-12",
    ),
    (
        "empty_array_action",
        "EMPTY_ARRAY_ACTION",
        Suggestion,
        None,
        None,
        "G-7",
    ),
    (
        "empty_array_resource",
        "EMPTY_ARRAY_RESOURCE",
        Suggestion,
        None,
        None,
        "G-8",
    ),
    (
        "empty_array_condition",
        "EMPTY_ARRAY_CONDITION",
        Suggestion,
        None,
        None,
        "G-10",
    ),
    (
        "empty_object_condition",
        "EMPTY_OBJECT_CONDITION",
        Suggestion,
        None,
        None,
        "G-10",
    ),
    (
        "empty_array_principal",
        "EMPTY_ARRAY_PRINCIPAL",
        Suggestion,
        None,
        None,
        "G-9",
    ),
    (
        "empty_object_principal",
        "EMPTY_OBJECT_PRINCIPAL",
        Suggestion,
        None,
        None,
        "G-9",
    ),
    (
        "empty_array_statement",
        "EMPTY_ARRAY_STATEMENT",
        Suggestion,
        None,
        None,
        "G-4",
    ),
    (
        "null_with_qualifier",
        "NULL_WITH_QUALIFIER",
        Suggestion,
        None,
        None,
        "C-11",
    ),
    (
        "improve_ip_range",
        "IMPROVE_IP_RANGE",
        Suggestion,
        None,
        None,
        "C-9",
    ),
    (
        "wildcard_in_service_name",
        "WILDCARD_IN_SERVICE_NAME",
        Suggestion,
        None,
        None,
        "M-1",
    ),
    (
        "wildcard_in_arn_service",
        "WILDCARD_IN_ARN_SERVICE",
        Warning,
        None,
        None,
        "M-4 rule 7",
    ),
    (
        "irrelevant_condition_key_in_policy",
        "IRRELEVANT_CONDITION_KEY_IN_POLICY",
        Suggestion,
        None,
        None,
        "C-14",
    ),
    (
        "noncanonical_operator_case",
        "NONCANONICAL_OPERATOR_CASE",
        Warning,
        None,
        None,
        "G-10",
    ),
    (
        "unmatched_action_pattern",
        "UNMATCHED_ACTION_PATTERN",
        Warning,
        None,
        None,
        "M-2",
    ),
    (
        "missing_statement",
        "MISSING_STATEMENT",
        Error,
        None,
        None,
        "G-1",
    ),
    (
        "invalid_element_type",
        "INVALID_ELEMENT_TYPE",
        Error,
        None,
        None,
        "G-7",
    ),
    (
        "unsupported_element",
        "UNSUPPORTED_ELEMENT",
        Error,
        Some(Rcp),
        None,
        "AWS Organizations, RCP syntax: no NotAction",
    ),
    (
        "s3guard_cloudfront_oai",
        "S3GUARD_CLOUDFRONT_OAI",
        Suggestion,
        None,
        None,
        "CloudFront Developer Guide, \"Restrict access to an Amazon S3 origin\": OAI is legacy, OAC its successor",
    ),
    (
        "invalid_rcp_action",
        "INVALID_RCP_ACTION",
        Error,
        Some(Rcp),
        None,
        "AWS Organizations, RCP syntax: no `*` in the Action of a customer managed RCP",
    ),
    (
        "invalid_rcp_effect",
        "INVALID_RCP_EFFECT",
        Error,
        Some(Rcp),
        None,
        "AWS Organizations, RCP syntax: Allow only in RCPFullAWSAccess",
    ),
    (
        "s3guard_partial_tls_enforcement",
        "S3GUARD_PARTIAL_TLS_ENFORCEMENT",
        Warning,
        None,
        None,
        "issue 17.1 (S3 User Guide, security best practices: enforce encryption in transit)",
    ),
    (
        "s3guard_http_only_allow",
        "S3GUARD_HTTP_ONLY_ALLOW",
        Error,
        None,
        None,
        "issue 17.2, C-7",
    ),
    (
        "s3guard_template_placeholder",
        "S3GUARD_TEMPLATE_PLACEHOLDER",
        Warning,
        None,
        None,
        "issue 17.3, V-2",
    ),
    (
        "s3guard_doc_placeholder",
        "S3GUARD_DOC_PLACEHOLDER",
        Warning,
        None,
        None,
        "issue 17.3",
    ),
    (
        "s3guard_key_absent_for_actions",
        "S3GUARD_KEY_ABSENT_FOR_ACTIONS",
        Warning,
        None,
        None,
        "issue 17.4, C-3",
    ),
    (
        "s3guard_key_only_in_some_requests",
        "S3GUARD_KEY_ONLY_IN_SOME_REQUESTS",
        Warning,
        None,
        None,
        "issue 17.4, C-3 (S3 User Guide, bucket policy examples using condition keys: the copy-source example)",
    ),
    (
        "invalid_rcp_principal",
        "INVALID_RCP_PRINCIPAL",
        Error,
        Some(Rcp),
        None,
        "G-9",
    ),
    (
        "s3guard_action_resource_mismatch",
        "S3GUARD_ACTION_RESOURCE_MISMATCH",
        Error,
        None,
        None,
        "M-7",
    ),
    (
        "s3guard_public_access",
        "S3GUARD_PUBLIC_ACCESS",
        SecurityWarning,
        None,
        None,
        "E-15",
    ),
    (
        "s3guard_broad_bucket_pattern",
        "S3GUARD_BROAD_BUCKET_PATTERN",
        Warning,
        None,
        None,
        "M-4",
    ),
    (
        "s3guard_write_or_permissions_star",
        "S3GUARD_WRITE_OR_PERMISSIONS_STAR",
        SecurityWarning,
        None,
        None,
        "A-2",
    ),
    (
        "s3guard_no_tls_enforcement",
        "S3GUARD_NO_TLS_ENFORCEMENT",
        Suggestion,
        None,
        None,
        "A-2",
    ),
    (
        "s3guard_notprincipal_missing_account",
        "S3GUARD_NOTPRINCIPAL_MISSING_ACCOUNT",
        Warning,
        None,
        None,
        "E-9",
    ),
    (
        "s3guard_wildcard_only_action_arn",
        "S3GUARD_WILDCARD_ONLY_ACTION_ARN",
        Suggestion,
        None,
        None,
        "M-6",
    ),
    (
        "s3guard_missing_set_operator",
        "S3GUARD_MISSING_SET_OPERATOR",
        Warning,
        None,
        None,
        "C-13",
    ),
    (
        "s3guard_forallvalues_allow_without_null",
        "S3GUARD_FORALLVALUES_ALLOW_WITHOUT_NULL",
        SecurityWarning,
        None,
        None,
        "C-13",
    ),
    (
        "s3guard_allow_with_not_action",
        "S3GUARD_ALLOW_WITH_NOT_ACTION",
        SecurityWarning,
        None,
        None,
        "E-10",
    ),
    (
        "s3guard_allow_with_not_resource",
        "S3GUARD_ALLOW_WITH_NOT_RESOURCE",
        SecurityWarning,
        None,
        None,
        "E-10",
    ),
    (
        "s3guard_non_latin1_character",
        "S3GUARD_NON_LATIN1_CHARACTER",
        Warning,
        None,
        None,
        "G-13",
    ),
];

/// Codes without a fixture pair, and where they are tested instead.
const TESTED_ELSEWHERE: &[(&str, &str)] = &[
    ("IO_ERROR", "unreadable_file_is_an_io_error_finding"),
    ("INVALID_UTF8", "invalid_utf8_is_an_error_finding"),
    (
        "BYTE_ORDER_MARK",
        "hardening::a_byte_order_mark_is_named_and_refused",
    ),
    (
        "TOO_MANY_DIAGNOSTICS",
        "hardening::repeated_diagnostics_are_capped",
    ),
    (
        "INPUT_TOO_LARGE",
        "json::source (MAX_INPUT_BYTES); 16 MiB fixture not worth shipping",
    ),
    (
        "EMPTY_VARIABLE",
        "matcher::variable unit tests (same loader path as MISSING_BRACE)",
    ),
    ("MISSING_QUOTE_IN_VARIABLE", "matcher::variable unit tests"),
    (
        "UNSUPPORTED_SPACE_IN_VARIABLE",
        "matcher::variable unit tests",
    ),
    (
        "TYPE_MISMATCH_BINARY",
        "condition unit tests (BinaryEquals values)",
    ),
    (
        "PRIVATE_NOT_IP_ADDRESS_SUBSET",
        "lint_private_ranges_variants",
    ),
    (
        "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "pass_role_variants",
    ),
    (
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "pass_role_variants",
    ),
    (
        "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        "pass_role_variants",
    ),
];

fn lint_case(case: &str, file: &str, c: &Case) -> s3guard::lint::FileReport {
    let path = repo(&format!("tests/fixtures/lint/{case}/{file}"));
    lint_file(
        &path.to_string_lossy(),
        LintOptions {
            policy_type: c.3,
            resource_type: c.4,
        },
    )
}

#[test]
fn each_check_fires_on_its_fixture_and_not_on_the_near_miss_spec_a2() {
    let mut failures = Vec::new();
    for c in CASES {
        let (case, code, severity, _, _, rule) = *c;
        let fires = lint_case(case, "fires.json", c);
        match fires.findings.iter().find(|f| f.code == code) {
            None => failures.push(format!(
                "{case} ({rule}): expected {code}, got {:?}",
                fires.findings.iter().map(|f| f.code).collect::<Vec<_>>()
            )),
            Some(f) if f.finding_type != severity => failures.push(format!(
                "{case}: {code} is {:?}, expected {severity:?}",
                f.finding_type
            )),
            Some(f) => {
                if f.location().is_none() {
                    failures.push(format!("{case}: {code} has no location"));
                }
            }
        }
        let passes = lint_case(case, "passes.json", c);
        if let Some(f) = passes.findings.iter().find(|f| f.code == code) {
            failures.push(format!("{case} ({rule}): near miss still fires: {f}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_fixture_or_a_named_test() {
    for r in RULES {
        let fixture = CASES.iter().any(|c| c.1 == r.code);
        let elsewhere = TESTED_ELSEWHERE.iter().any(|(c, _)| *c == r.code);
        assert!(fixture || elsewhere, "{} has no fixture", r.code);
    }
}

#[test]
fn near_misses_of_security_checks_are_free_of_security_warnings() {
    for c in CASES.iter().filter(|c| c.2 == SecurityWarning) {
        let passes = lint_case(c.0, "passes.json", c);
        let worst = passes.worst();
        assert!(
            worst.is_none_or(|w| w > SecurityWarning),
            "{}: {:?}",
            c.0,
            passes.findings
        );
    }
}

#[test]
fn pass_role_variants() {
    let cases = [
        (
            r#"{"Effect":"Allow","NotAction":"s3:*","NotResource":"arn:aws:iam::111122223333:role/admin"}"#,
            "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        ),
        (
            r#"{"Effect":"Allow","Action":"iam:Pass*","NotResource":"arn:aws:iam::111122223333:role/admin"}"#,
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        ),
        (
            r#"{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}"#,
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        ),
    ];
    for (st, code) in cases {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{st}]}}"#);
        let r = s3guard::lint::lint_text("p.json", &text, LintOptions::default());
        assert!(
            r.findings.iter().any(|f| f.code == code),
            "{code}: {:?}",
            r.findings
        );
    }
    // NotAction that excludes iam:PassRole grants no PassRole
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    assert!(!r.findings.iter().any(|f| f.code.starts_with("PASS_ROLE")));
}

#[test]
fn lint_private_ranges_variants() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*",
        "Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "PRIVATE_NOT_IP_ADDRESS_SUBSET")
        .expect("fires");
    assert_eq!(f.finding_type, Suggestion);
}

// ---- must-show (issue 6) -------------------------------------------------

#[test]
fn full_access_policy_is_a_security_warning_and_fails_on_security() {
    let (code, out, err) = run(&["lint", "policies/amazon-s3-full-access.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("policies/amazon-s3-full-access.json:7:9: security-warning[s3guard-write-or-permissions-star]: `s3:*` on `*`"),
        "{out}"
    );
    assert!(out.contains("at /Statement/0/Action/0"), "{out}");
    assert!(out.contains("help: "), "{out}");
    let (code, _, _) = run(&[
        "lint",
        "--fail-on",
        "security",
        "policies/amazon-s3-full-access.json",
    ]);
    assert_eq!(code, 1);
    // only errors fail with --fail-on error: the policy has none
    let (code, _, _) = run(&[
        "lint",
        "--fail-on",
        "error",
        "policies/amazon-s3-full-access.json",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn rails_app_policy_has_no_security_warning() {
    let r = lint_file(
        &repo("policies/rails-app.json").to_string_lossy(),
        LintOptions::default(),
    );
    assert!(
        r.findings.iter().all(|f| f.finding_type > SecurityWarning),
        "{:?}",
        r.findings
    );
    let (code, out, _) = run(&["lint", "--fail-on", "security", "policies/rails-app.json"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bundled_policies_lint_as_expected() {
    // (file, codes expected, none of these)
    let table: &[(&str, &[&str], &[&str])] = &[
        (
            "policies/amazon-s3-read-only-access.json",
            &[],
            &["S3GUARD_WRITE_OR_PERMISSIONS_STAR"],
        ),
        (
            "policies/bucket-policy-tls-only.json",
            &[],
            &["S3GUARD_NO_TLS_ENFORCEMENT", "S3GUARD_PUBLIC_ACCESS"],
        ),
        (
            "policies/user-home-prefix.json",
            &[],
            &[
                "IRRELEVANT_CONDITION_KEY_IN_POLICY",
                "S3GUARD_ACTION_RESOURCE_MISMATCH",
            ],
        ),
        (
            "policies/read-only-access.json",
            &[
                "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                "REDUNDANT_ACTION",
            ],
            &["INVALID_SERVICE_IN_ACTION", "INVALID_ACTION"],
        ),
    ];
    for (file, present, absent) in table {
        let r = lint_file(&repo(file).to_string_lossy(), LintOptions::default());
        for code in *present {
            assert!(
                r.findings.iter().any(|f| f.code == *code),
                "{file}: no {code}"
            );
        }
        for code in *absent {
            assert!(
                !r.findings.iter().any(|f| f.code == *code),
                "{file}: {code}"
            );
        }
    }
}

// ---- loader diagnostics, once each -------------------------------------------

#[test]
fn loader_errors_appear_once_with_their_place() {
    let r = lint_case("invalid_effect", "fires.json", &CASES[6]);
    let effects: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == "INVALID_EFFECT")
        .collect();
    assert_eq!(effects.len(), 1);
    let l = effects[0].location().unwrap();
    assert_eq!(l.pointer, "/Statement/0/Effect");
    assert_eq!(
        serde_json::to_value(&l.path).unwrap(),
        serde_json::json!([{"value": "Statement"}, {"index": 0}, {"value": "Effect"}])
    );
}

#[test]
fn a_file_with_errors_still_gets_the_other_checks() {
    // an invalid Effect in one statement, s3:* on * in another
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
        {"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let codes: Vec<_> = r.findings.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"INVALID_EFFECT"), "{codes:?}");
    assert!(
        codes.contains(&"S3GUARD_WRITE_OR_PERMISSIONS_STAR"),
        "{codes:?}"
    );
}

#[test]
fn a_policy_without_error_findings_loads_for_evaluation() {
    // the invariant behind keeping the loader's ERROR types: no ERROR → `can` accepts it
    for c in CASES {
        for file in ["fires.json", "passes.json"] {
            let r = lint_case(c.0, file, c);
            if r.worst().is_some_and(|w| w == Error) {
                continue;
            }
            let path = repo(&format!("tests/fixtures/lint/{}/{file}", c.0));
            let t = r.policy_type.unwrap_or(Identity);
            let loaded =
                s3guard::Policy::load_file(&path.to_string_lossy(), s3guard::LoadOptions::new(t));
            assert!(loaded.is_ok(), "{}/{file}: {:?}", c.0, loaded.err());
        }
    }
}

#[test]
fn policy_type_defaults_to_resource_when_a_statement_names_a_principal_spec_a1() {
    let bucket = lint_case("s3guard_public_access", "fires.json", &CASES[0]);
    assert_eq!(bucket.policy_type, Some(Resource));
    let identity = lint_case("missing_version", "passes.json", &CASES[0]);
    assert_eq!(identity.policy_type, Some(Identity));
}

#[test]
fn broad_bucket_pattern_names_the_other_buckets() {
    let r = lint_case("s3guard_broad_bucket_pattern", "fires.json", &CASES[0]);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_BROAD_BUCKET_PATTERN")
        .unwrap();
    assert!(
        f.message.contains("`test-bucket`") && f.message.contains("`testing`"),
        "{}",
        f.message
    );
}

#[test]
fn did_you_mean_for_actions_and_keys() {
    let r = lint_case("invalid_action", "fires.json", &CASES[0]);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "INVALID_ACTION")
        .unwrap();
    assert_eq!(f.hint.as_deref(), Some("did you mean `s3:GetObject`?"));
    let r = lint_case("invalid_global_condition_key", "fires.json", &CASES[0]);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "INVALID_GLOBAL_CONDITION_KEY")
        .unwrap();
    assert_eq!(f.hint.as_deref(), Some("did you mean `aws:SourceIp`?"));
}

// ---- formats ----------------------------------------------------------------

#[test]
fn json_output_is_stable_and_complete() {
    let (code, out, _) = run(&[
        "lint",
        "--format",
        "json",
        "policies/amazon-s3-full-access.json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"][0]["policyType"], "identity");
    let f = &v["findings"][0];
    assert_eq!(f["file"], "policies/amazon-s3-full-access.json");
    assert_eq!(f["type"], "SECURITY_WARNING");
    assert_eq!(f["code"], "S3GUARD_WRITE_OR_PERMISSIONS_STAR");
    assert_eq!(f["pointer"], "/Statement/0/Action/0");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(9))
    );
    assert_eq!(
        f["locations"][0]["path"],
        serde_json::json!([{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 0}])
    );
    assert_eq!(f["locations"][0]["span"]["start"]["line"], 7);
    assert!(
        f["locations"][0]["span"]["end"]["offset"].as_u64()
            > f["locations"][0]["span"]["start"]["offset"].as_u64()
    );
    assert_eq!(v["summary"]["securityWarnings"], 2);
}

/// Checks `value` against the trimmed SARIF 2.1.0 schema in
/// tests/fixtures/lint/sarif-2.1.0-required.json: required properties,
/// enums, minimums and types of the objects s3guard emits.
fn check_sarif(
    value: &serde_json::Value,
    def: &str,
    schema: &serde_json::Value,
    at: &str,
    errs: &mut Vec<String>,
) {
    let d = &schema["definitions"][def];
    if let Some(req) = d["required"].as_array() {
        for r in req {
            let k = r.as_str().unwrap();
            if value.get(k).is_none() {
                errs.push(format!("{at}: missing required `{k}` ({def})"));
            }
        }
    }
    if let Some(any) = d["anyOf"].as_array() {
        let ok = any.iter().any(|alt| {
            alt["required"]
                .as_array()
                .unwrap()
                .iter()
                .all(|k| value.get(k.as_str().unwrap()).is_some())
        });
        if !ok {
            errs.push(format!("{at}: none of the required property sets of {def}"));
        }
    }
    let Some(props) = d["properties"].as_object() else {
        return;
    };
    for (k, p) in props {
        let Some(v) = value.get(k) else { continue };
        let here = format!("{at}/{k}");
        if let Some(e) = p["enum"].as_array() {
            if !e.contains(v) {
                errs.push(format!("{here}: {v} not in {e:?}"));
            }
        }
        if let Some(t) = p["type"].as_str() {
            let ok = match t {
                "string" => v.is_string(),
                "integer" => v.is_u64() || v.is_i64(),
                "array" => v.is_array(),
                "object" => v.is_object(),
                _ => true,
            };
            if !ok {
                errs.push(format!("{here}: not {t}"));
            }
        }
        if let Some(min) = p["minimum"].as_i64() {
            if v.as_i64().is_some_and(|n| n < min) {
                errs.push(format!("{here}: below {min}"));
            }
        }
        if let Some(r) = p["$ref"].as_str() {
            check_sarif(
                v,
                r.trim_start_matches("#/definitions/"),
                schema,
                &here,
                errs,
            );
        }
        if let Some(r) = p["items"]["$ref"].as_str() {
            for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                check_sarif(
                    item,
                    r.trim_start_matches("#/definitions/"),
                    schema,
                    &format!("{here}/{i}"),
                    errs,
                );
            }
        }
    }
}

#[test]
fn sarif_output_has_every_required_field_of_sarif_2_1_0() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/fixtures/lint/sarif-2.1.0-required.json")).unwrap(),
    )
    .unwrap();
    let (code, out, _) = run(&[
        "lint",
        "--format",
        "sarif",
        "--exit-zero",
        "policies/amazon-s3-full-access.json",
        "tests/fixtures/lint/invalid_effect/fires.json",
        "tests/fixtures/lint/s3guard_no_tls_enforcement/fires.json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut errs = Vec::new();
    check_sarif(&v, "sarifLog", &schema, "", &mut errs);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    let run0 = &v["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "s3guard");
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() >= 4);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    let star = results
        .iter()
        .find(|r| r["ruleId"] == "S3GUARD_WRITE_OR_PERMISSIONS_STAR")
        .unwrap();
    assert_eq!(star["level"], "error");
    assert_eq!(
        star["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "policies/amazon-s3-full-access.json"
    );
    assert_eq!(
        star["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    let tls = results
        .iter()
        .find(|r| r["ruleId"] == "S3GUARD_NO_TLS_ENFORCEMENT")
        .unwrap();
    assert_eq!(tls["level"], "note");
}

#[test]
fn sarif_of_a_clean_file_is_valid_with_no_results() {
    let r = lint_file(
        &repo("policies/rails-app.json").to_string_lossy(),
        LintOptions::default(),
    );
    let v = sarif::log(&[r]);
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["version"], "2.1.0");
}

#[test]
fn text_output_is_sorted_with_a_summary_line() {
    let reports = vec![lint_file(
        &repo("tests/fixtures/lint/redundant_statement/fires.json").to_string_lossy(),
        LintOptions::default(),
    )];
    let text = render::text(&reports);
    assert!(text.ends_with("in 1 file: 1 suggestion\n"), "{text}");
    let (_, out, _) = run(&["lint", "policies/rails-app.json"]);
    assert_eq!(
        out,
        "policies/rails-app.json: note: checked as an identity policy: no statement names a `Principal` (if it is a boundary, session policy or SCP, say --type)\nno findings in 1 file\n"
    );
    let (_, out, _) = run(&["lint", "--type", "identity", "policies/rails-app.json"]);
    assert_eq!(
        out, "no findings in 1 file\n",
        "a type given is not repeated"
    );
}

// ---- exit codes ---------------------------------------------------------------

#[test]
fn unreadable_file_is_an_io_error_finding_and_invalid_input() {
    let (code, out, _) = run(&["lint", "no/such/policy.json"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("no/such/policy.json: error[io-error]: cannot read"),
        "{out}"
    );
    // a file that cannot be read is invalid input whatever the flags (exit 2)
    for flag in ["--fail-on=suggestion", "--exit-zero"] {
        let (code, _, _) = run(&["lint", flag, "no/such/policy.json"]);
        assert_eq!(code, 2, "{flag}");
    }
}

#[test]
fn invalid_utf8_is_an_error_finding_and_invalid_input() {
    let (_dir, path) = temp_file("bad.json", "");
    std::fs::write(&path, b"{\"Statement\": \"\xff\"}").unwrap();
    let (code, out, _) = run(&["lint", "--fail-on", "error", &path.to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(out.contains("error[invalid-utf8]"), "{out}");
}

#[test]
fn unparsable_file_is_invalid_input_exit_2_unless_exit_zero_issue_14_9() {
    // a JSON syntax error, an empty file: the text is not a policy document,
    // which is invalid input (2), like a bad argument; --exit-zero reports only
    let (_dir, empty) = temp_file("empty.json", "");
    let empty = empty.to_string_lossy().to_string();
    for f in [
        "tests/fixtures/lint/json_syntax_error/fires.json",
        empty.as_str(),
    ] {
        let (code, out, err) = run(&["lint", f]);
        assert_eq!(code, 2, "{f}: {out}");
        assert!(out.contains("error[json-syntax-error]"), "{out}");
        assert!(err.contains("is not a policy document"), "{err}");
        let (code, _, _) = run(&["lint", "--fail-on", "suggestion", f]);
        assert_eq!(code, 2, "{f}");
        let (code, out, _) = run(&["lint", "--exit-zero", f]);
        assert_eq!(code, 0, "{f}");
        assert!(out.contains("error[json-syntax-error]"), "{out}");
    }
}

#[test]
fn error_findings_fail_by_default_issue_14_9() {
    // an invalid Effect: the policy parses, but does not load: exit 1
    let f = "tests/fixtures/lint/invalid_effect/fires.json";
    let (code, out, _) = run(&["lint", f]);
    assert_eq!(code, 1, "{out}");
    let (code, _, _) = run(&["lint", "--exit-zero", f]);
    assert_eq!(code, 0);
    // warnings alone do not fail by default
    let (code, _, _) = run(&["lint", "tests/fixtures/lint/missing_version/fires.json"]);
    assert_eq!(code, 0);
    // --exit-zero and --fail-on exclude each other
    let (code, _, _) = run(&["lint", "--exit-zero", "--fail-on", "error", f]);
    assert_eq!(code, 2);
}

#[test]
fn fail_on_levels_are_ordered() {
    let f = "tests/fixtures/lint/redundant_action/fires.json"; // suggestions only
    for (level, exit) in [
        ("error", 0),
        ("security", 0),
        ("warning", 0),
        ("suggestion", 1),
    ] {
        let (code, _, _) = run(&["lint", "--fail-on", level, f]);
        assert_eq!(code, exit, "--fail-on {level}");
    }
}

#[test]
fn invalid_arguments_exit_2() {
    let (code, _, err) = run(&[
        "lint",
        "--resource-type",
        "AWS::S3::Nope",
        "policies/rails-app.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown resource type"), "{err}");
    let (code, _, _) = run(&["lint"]);
    assert_eq!(code, 2);
}

#[test]
fn stdin_and_several_files() {
    let out = crate::support::s3guard()
        .args(["lint", "-", "policies/rails-app.json"])
        .write_stdin(std::fs::read_to_string(repo("policies/amazon-s3-full-access.json")).unwrap())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("<stdin>:7:9: security-warning"), "{text}");
    assert!(
        text.ends_with("in 2 files: 2 security warnings\n"),
        "{text}"
    );
}

#[test]
fn aws_cli_wrapped_bucket_policy_points_into_the_file() {
    // `aws s3api get-bucket-policy` output: the policy is a JSON string
    let inner = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::media/*\"}]}"#;
    let text = format!("{{\n  \"Policy\": \"{inner}\"\n}}\n");
    let r = s3guard::lint::lint_text("wrapped.json", &text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_PUBLIC_ACCESS")
        .expect("public");
    let l = f.location().unwrap();
    assert_eq!(l.span.start.line, 2);
    assert!(
        text.lines().nth(1).unwrap()[(l.span.start.column as usize - 1)..].starts_with("\\\"*\\\"")
    );
}

#[test]
fn near_misses_have_no_findings_at_all() {
    // the fixed version of each fixture is clean: no check fires on a neighbour's fix
    let mut noisy = Vec::new();
    for c in CASES {
        let r = lint_case(c.0, "passes.json", c);
        if !r.findings.is_empty() {
            noisy.push(format!(
                "{}: {:?}",
                c.0,
                r.findings.iter().map(|f| f.code).collect::<Vec<_>>()
            ));
        }
    }
    assert!(noisy.is_empty(), "{}", noisy.join("\n"));
}

#[test]
fn findings_inside_strings_point_at_the_string_spec_g13() {
    let r = lint_case("s3guard_non_latin1_character", "fires.json", &CASES[0]);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_NON_LATIN1_CHARACTER")
        .unwrap();
    assert_eq!(f.location().unwrap().pointer, "/Statement/0/Resource");
}

mod never_panics {
    //! lint answers every input with findings, never a panic, and every
    //! location lies inside the file.
    use proptest::prelude::*;
    use s3guard::lint::{lint_text, LintOptions};

    fn fragment() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            r#""Effect":"Allow""#, r#""Effect":"Deny""#, r#""Effect":5"#,
            r#""Action":"s3:*""#, r#""Action":["s3:Get*","s3:GetObject","ec2:*","s?:*",""]"#,
            r#""NotAction":"iam:PassRole""#, r#""Resource":"*""#,
            r#""Resource":["arn:aws:s3:::b*","arn:aws:s3:::b/*","arn:aws:s3","x","arn:aws:s3:::${aws:username}/*"]"#,
            r#""NotResource":"arn:aws:s3:::b""#, r#""Principal":"*""#, r#""Principal":{"AWS":["*","111122223333","arn:aws:iam::*:root"]}"#,
            r#""NotPrincipal":{"AWS":"arn:aws:sts::111122223333:assumed-role/r/s"}"#,
            r#""Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a"],"AWS:tagkeys":"b"}}"#,
            r#""Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.1/8","::1","x"]},"NullIfExists":{"k":"true"}}"#,
            r#""Condition":{"DateLessThan":{"aws:CurrentTime":[1,"2020",true,null]}}"#,
            r#""Condition":{}"#, r#""Sid":"é x""#, r#""Effect":"Allow","Effect":"Deny""#,
            r#""Condition":{"Bool":{"aws:SecureTransport":["false","true"]},"StringNotEquals":{"s3:prefix":"${var.x}"}}"#,
            r#""Condition":{"BoolIfExists":{"aws:SecureTransport":"false"},"Null":{"s3:x-amz-acl":"true"}}"#,
            r#""Resource":["arn:aws:s3:::${BUCKET}","arn:aws:s3:::DOC-EXAMPLE-BUCKET/<key>","arn:aws:s3express:REGION:ACCOUNT-ID:bucket/x","${","${}${a:"]"#,
            r#""Principal":{"AWS":["AccountB-ID","arn:aws:iam::${AWS::AccountId}:root"]}"#,
            r#""Action":["s3:ListBucket","s3:GetBucketLocation","s3express:*","*"]"#,

        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn lint_never_panics_and_locations_are_in_the_file(
            parts in proptest::collection::vec(fragment(), 0..6),
            version in prop::sample::select(vec!["", r#""Version":"2012-10-17","#, r#""Version":"2008-10-17","#]),
            wrap in any::<bool>(),
            cut in 0usize..400,
        ) {
            let st = format!("{{{}}}", parts.join(","));
            let mut text = format!("{{{version}\"Statement\":[{st},{st}]}}");
            if wrap {
                text = format!("{{\"PolicyDocument\":{text}}}");
            }
            if cut % 7 == 0 {
                let mut c = cut.min(text.len());
                while !text.is_char_boundary(c) {
                    c -= 1;
                }
                text.truncate(c);
            }
            for t in [
                None,
                Some(s3guard::PolicyType::Scp),
                Some(s3guard::PolicyType::Resource),
                Some(s3guard::PolicyType::Rcp),
                Some(s3guard::PolicyType::VpcEndpoint),
            ] {
                let r = lint_text("p.json", &text, LintOptions { policy_type: t, resource_type: None });
                for f in &r.findings {
                    for l in &f.locations {
                        prop_assert!(l.span.start.offset as usize <= text.len());
                        prop_assert!(l.span.start.offset <= l.span.end.offset);
                    }
                }
            }
        }
    }
}

#[test]
fn access_point_delegation_is_neither_public_nor_an_irrelevant_key_spec_e15() {
    // AWS's documented delegation of a bucket to its account's access points:
    // s3:DataAccessPointAccount is declared on the access point resource types
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*",
         "Condition":{"StringEquals":{"s3:DataAccessPointAccount":"111122223333"}}},
        {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::media","arn:aws:s3:::media/*"],
         "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn io_errors_say_so_on_stderr_too() {
    let (code, _, err) = run(&["lint", "no/such/policy.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read `no/such/policy.json`"), "{err}");
}

// ---- which policy type, and why (issue 14, item 10) ---------------------------

#[test]
fn the_policy_type_and_why_in_every_format_issue_14_10() {
    let f = "tests/fixtures/lint/s3guard_public_access/fires.json";
    let (_, out, _) = run(&["lint", f]);
    let note = format!("{f}: note: checked as a bucket policy: statement");
    assert!(
        out.contains(&note) && out.contains("names a `Principal`"),
        "{out}"
    );
    let (_, out, _) = run(&["lint", "--format", "json", f]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let file = &v["files"][0];
    assert_eq!(file["policyType"], "resource");
    assert_eq!(file["policyTypeReason"]["kind"], "principal");
    assert!(file["policyTypeReason"]["text"]
        .as_str()
        .unwrap()
        .contains("names a `Principal`"));
    let (_, out, _) = run(&["lint", "--format", "sarif", f]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let n = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(n["descriptor"]["id"], "policy-type");
    assert_eq!(n["properties"]["policyType"], "resource");
    assert!(n["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("checked as a bucket policy: statement"));
    // given with --type: JSON says so too
    let (_, out, _) = run(&["lint", "--format", "json", "--type", "rcp", f]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["policyType"], "rcp");
    assert_eq!(v["files"][0]["policyTypeReason"]["kind"], "given");
}

#[test]
fn aws_cli_output_says_which_policy_type_it_is() {
    // `aws organizations describe-policy` of an RCP: checked as an RCP, not
    // guessed to be a bucket policy from its Principal
    let text = r#"{"Policy": {"PolicySummary": {"Id": "p-1", "Type": "RESOURCE_CONTROL_POLICY"},
        "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{\"aws:SecureTransport\":\"false\"}}}]}"}}"#;
    let r = s3guard::lint::lint_text("rcp.json", text, LintOptions::default());
    assert_eq!(r.policy_type, Some(Rcp));
    assert!(matches!(
        r.type_reason,
        Some(s3guard::lint::TypeReason::Wrapper { .. })
    ));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn vpc_endpoint_policies_get_no_bucket_policy_or_pass_role_findings_issue_17_6() {
    // the default endpoint policy, and a common S3 endpoint policy: as a
    // bucket policy they would be public, lack TLS, hand out s3:* and
    // iam:PassRole; as an endpoint policy they only bound what passes
    let default = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
    let s3 = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OwnBuckets","Effect":"Allow","Principal":"*",
        "Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app","arn:aws:s3:::app/*"]}]}"#;
    let vpce = LintOptions {
        policy_type: Some(s3guard::PolicyType::VpcEndpoint),
        resource_type: None,
    };
    for text in [default, s3] {
        let r = s3guard::lint::lint_text("vpce.json", text, vpce);
        assert!(r.findings.is_empty(), "{text}: {:?}", r.findings);
    }
    let r = s3guard::lint::lint_text("vpce.json", default, LintOptions::default());
    let codes: Vec<_> = r.findings.iter().map(|f| f.code).collect();
    for code in [
        "S3GUARD_PUBLIC_ACCESS",
        "S3GUARD_NO_TLS_ENFORCEMENT",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
    ] {
        assert!(codes.contains(&code), "{code}: {codes:?}");
    }
    let (code, out, _) = run(&["lint", "--type", "vpce", "--format", "json", "-"]);
    assert_eq!(code, 2, "no stdin: {out}");
}

#[test]
fn lint_reads_policy_from_templates_with_positions_in_the_template_issue_14_10() {
    let f = "tests/fixtures/lint/policy_from/template.yaml";
    let (code, out, _) = run(&["lint", "--policy-from", f]);
    assert_eq!(code, 1, "{out}");
    // the misspelled action in the bucket policy, at its line in the YAML
    assert!(
        out.contains(&format!(
            "{f}:19:21: error[invalid-action]: `s3:GetObjects`"
        )),
        "{out}"
    );
    assert!(
        out.contains("at /Resources/UploadsPolicy/Properties/PolicyDocument/Statement/0/Action")
    );
    assert!(out.contains(&format!(
        "{f}: note: `UploadsPolicy` checked as a bucket policy: so the --policy-from file says"
    )));
    assert!(out.contains(&format!(
        "{f}: note: `AppPolicy` checked as an identity policy"
    )));
    assert!(
        out.ends_with("in 1 file (2 policies): 3 errors, 1 security warning, 1 suggestion\n"),
        "{out}"
    );
    // --select one of them
    let (_, out, _) = run(&[
        "lint",
        "--policy-from",
        f,
        "--select",
        "AppPolicy",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["files"][0]["origin"], "AppPolicy");
    assert_eq!(v["files"][0]["policyTypeReason"]["kind"], "source");
    // a selection that names nothing is invalid input
    let (code, out, _) = run(&["lint", "--policy-from", f, "--select", "Nope"]);
    assert_eq!(code, 2);
    assert!(out.contains("error[unknown-selection]"), "{out}");
    // a template that is not YAML at all
    let (_dir, bad) = temp_file("bad.yaml", "Resources: [\n");
    let (code, _, _) = run(&["lint", "--policy-from", &bad.to_string_lossy()]);
    assert_eq!(code, 2);
}

// ---- false findings on organization and endpoint policies (issue 17.6, 17.7) ----

#[test]
fn aws_iq_is_a_service_issue_17_6() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iq:*","iq-permission:*"],"Resource":"*"}]}"#;
    let r = s3guard::lint::lint_text(
        "scp.json",
        text,
        LintOptions {
            policy_type: Some(Scp),
            resource_type: None,
        },
    );
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn not_ip_address_with_some_private_ranges_does_not_always_hold_issue_17_6() {
    // 203.0.113.0/24 is public: the Deny applies outside it, not always
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*",
        "Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16","203.0.113.0/24"]}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "PRIVATE_NOT_IP_ADDRESS_SUBSET")
        .expect("fires");
    assert!(!f.message.contains("always holds"), "{}", f.message);
    assert!(
        f.message.contains("2 of its values are private"),
        "{}",
        f.message
    );
}

#[test]
fn grants_to_aws_services_do_not_blame_anonymous_callers_issue_17_6() {
    // anonymous requests never carry aws:PrincipalIsAWSService (IAM User Guide,
    // global condition keys: present for signed requests only)
    let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Services","Effect":"Allow","Principal":"*",
        "Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/*",
        "Condition":{"Bool":{"aws:PrincipalIsAWSService":"true"}}},
        {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::logs","arn:aws:s3:::logs/*"],
        "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_PUBLIC_ACCESS")
        .expect("still public for Block Public Access");
    assert!(
        !f.message.contains("anonymous callers included"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("every AWS service principal"),
        "{}",
        f.message
    );
    assert!(f.hint.as_deref().unwrap().contains("aws:SourceAccount"));
    // without the condition, anonymous callers are named
    let open = text.replace(
        r#""Condition":{"Bool":{"aws:PrincipalIsAWSService":"true"}}"#,
        r#""Sid":"X""#,
    );
    let r = s3guard::lint::lint_text("p.json", &open, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_PUBLIC_ACCESS")
        .unwrap();
    assert!(
        f.message.contains("anonymous callers included"),
        "{}",
        f.message
    );
}

#[test]
fn list_all_my_buckets_on_every_bucket_arn_is_only_a_suggestion_issue_17_7() {
    // the S3 User Guide's own examples grant s3:ListAllMyBuckets on arn:aws:s3:::*
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::*"}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_WILDCARD_ONLY_ACTION_ARN")
        .expect("fires");
    assert_eq!(f.finding_type, Suggestion);
    assert!(!f.message.contains("AWS may not"), "{}", f.message);
    assert!(
        f.hint.as_deref().unwrap().starts_with("optional"),
        "{:?}",
        f.hint
    );
}

#[test]
fn a_deny_on_a_key_some_actions_never_carry_blocks_them_all_issue_17_4() {
    // a common mistake: requiring an encryption header on every S3 action;
    // only uploads carry s3:x-amz-server-side-encryption (Service
    // Authorization Reference, Amazon S3 condition keys per action)
    let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"RequireSse","Effect":"Deny","Action":"s3:*",
        "Resource":"*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_KEY_ABSENT_FOR_ACTIONS")
        .expect("fires");
    assert_eq!(f.finding_type, Error);
    assert!(
        f.message.contains("`s3:ListBucket`, `s3:GetObject`"),
        "the everyday actions are named first: {}",
        f.message
    );
    assert!(
        f.message.contains("the Deny blocks every such request"),
        "{}",
        f.message
    );
    // the same Deny on uploads only is what AWS documents: no finding
    let uploads = text.replace(r#""Action":"s3:*""#, r#""Action":"s3:PutObject""#);
    let r = s3guard::lint::lint_text("p.json", &uploads, LintOptions::default());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // guarded by `Null: false`, the Deny applies only to requests that send
    // the header: the actions that never do are not blocked
    let guarded = text.replace(
        r#""AES256"}}"#,
        r#""AES256"},"Null":{"s3:x-amz-server-side-encryption":"false"}}"#,
    );
    assert_ne!(guarded, text);
    let r = s3guard::lint::lint_text("p.json", &guarded, LintOptions::default());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // an Allow of s3:* limited by s3:prefix grants the non-list actions nothing
    let allow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b",
        "Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", allow, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_KEY_ABSENT_FOR_ACTIONS")
        .expect("fires");
    assert_eq!(f.finding_type, Warning);
    assert!(
        f.message.contains("the statement grants them nothing"),
        "{}",
        f.message
    );
    assert!(f.message.contains("`s3:GetObject`"), "{}", f.message);
}

/// AWS's bucket policy example that grants `s3:PutObject` "with a
/// restriction on the copy source" (S3 User Guide, "Bucket policy examples
/// using condition keys",
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html)
/// denies `s3:PutObject` unless `s3:x-amz-copy-source` matches: only
/// CopyObject and UploadPartCopy send that header (S3 API Reference,
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html),
/// so every plain upload is denied too. The evaluator agrees.
#[test]
fn a_deny_of_uploads_unless_the_copy_source_matches_blocks_plain_uploads_issue_17_4() {
    use s3guard::{Decision, LoadOptions, Policy, PolicySet, Request};
    let deny = |condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:user/Dave"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::media/*"}},
            {{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::111122223333:user/Dave"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::media/*","Condition":{condition}}}]}}"#
        )
    };
    let finding = |text: &str| {
        s3guard::lint::lint_text("p.json", text, LintOptions::default())
            .findings
            .into_iter()
            .find(|f| f.code == "S3GUARD_KEY_ONLY_IN_SOME_REQUESTS")
    };
    let plain_upload = |text: &str| {
        let p = Policy::parse_as("p.json", text, LoadOptions::new(Resource)).unwrap();
        let set = PolicySet::builder().resource(p).build();
        let req = Request::new("s3:PutObject", "arn:aws:s3:::media/k")
            .unwrap()
            .with_principal("arn:aws:iam::111122223333:user/Dave")
            .unwrap();
        set.authorize(&req).decision
    };
    let example = deny(r#"{"StringNotLike":{"s3:x-amz-copy-source":"archive/public/*"}}"#);
    let f = finding(&example).expect("fires");
    assert_eq!(f.finding_type, Warning);
    assert!(
        f.message
            .ends_with("this Deny blocks every `s3:PutObject` that is not a copy"),
        "{}",
        f.message
    );
    assert_eq!(plain_upload(&example), Decision::ExplicitDeny);
    // guarded by `Null: false`, the Deny is about copies alone
    let guarded = deny(
        r#"{"StringNotLike":{"s3:x-amz-copy-source":"archive/public/*"},"Null":{"s3:x-amz-copy-source":"false"}}"#,
    );
    assert!(finding(&guarded).is_none());
    assert_eq!(plain_upload(&guarded), Decision::Allowed);
    // requiring an encryption header is AWS's documented pattern: any upload
    // can send it, so the Deny asks uploaders to add it
    let sse = deny(r#"{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}"#);
    assert!(finding(&sse).is_none());
    // `Null: true` asks about the header's presence on purpose
    let only_copies = deny(r#"{"Null":{"s3:x-amz-copy-source":"true"}}"#);
    assert!(finding(&only_copies).is_none());
    assert_eq!(plain_upload(&only_copies), Decision::ExplicitDeny);
    // a positive test without IfExists is false without the header
    let positive = deny(r#"{"StringLike":{"s3:x-amz-copy-source":"archive/private/*"}}"#);
    assert!(finding(&positive).is_none());
    assert_eq!(plain_upload(&positive), Decision::Allowed);
}

#[test]
fn placeholders_are_errors_when_no_entry_of_the_list_works_issue_17_3() {
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::${bucket}/*"}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_TEMPLATE_PLACEHOLDER")
        .expect("fires");
    assert_eq!(f.finding_type, Error);
    assert!(f.message.contains("`${bucket}`"), "{}", f.message);
    assert!(
        f.message.contains("templatefile"),
        "the likely source: {}",
        f.message
    );
    // `${username}` is most likely `${aws:username}`
    let text = text.replace("${bucket}/*", "home/${username}/*");
    let r = s3guard::lint::lint_text("p.json", &text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_TEMPLATE_PLACEHOLDER")
        .unwrap();
    assert_eq!(f.hint.as_deref(), Some("did you mean `${aws:username}`?"));
    // parliament's false positive: an identity provider's key is a real variable
    let cognito = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::app/${cognito-identity.amazonaws.com:sub}/*"}]}"#;
    let r = s3guard::lint::lint_text("p.json", cognito, LintOptions::default());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn a_tls_deny_on_one_bucket_of_two_names_the_other() {
    let text = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject",
         "Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]},
        {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::a","arn:aws:s3:::a/*"],
         "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let r = s3guard::lint::lint_text("p.json", text, LintOptions::default());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "S3GUARD_PARTIAL_TLS_ENFORCEMENT")
        .expect("fires");
    assert!(
        f.message.contains("`arn:aws:s3:::b`") && f.message.contains("`arn:aws:s3:::b/*`"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("`arn:aws:s3:::a"), "{}", f.message);
}

mod copy_keys_vs_the_evaluator {
    //! S3GUARD_KEY_ONLY_IN_SOME_REQUESTS agrees with brute force: for a Deny
    //! of `s3:PutObject` testing `s3:x-amz-copy-source` with any string
    //! operator, with or without a `Null` guard, it fires exactly when the
    //! evaluator denies a plain upload (no copy source) explicitly.
    use proptest::prelude::*;
    use s3guard::lint::{lint_text, LintOptions};
    use s3guard::{Decision, LoadOptions, Policy, PolicySet, PolicyType, Request};

    fn condition() -> impl Strategy<Value = String> {
        let op = prop::sample::select(vec![
            "StringLike",
            "StringNotLike",
            "StringEquals",
            "StringNotEquals",
            "StringLikeIfExists",
            "StringNotLikeIfExists",
            "ForAnyValue:StringLike",
            "ForAllValues:StringNotLike",
        ]);
        let guard = prop::sample::select(vec!["", "true", "false"]);
        (op, guard).prop_map(|(op, guard)| {
            let null = if guard.is_empty() {
                String::new()
            } else {
                format!(r#","Null":{{"s3:x-amz-copy-source":"{guard}"}}"#)
            };
            format!(r#"{{"{op}":{{"s3:x-amz-copy-source":"archive/*"}}{null}}}"#)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn fires_exactly_when_a_plain_upload_is_denied(c in condition()) {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::media/*","Condition":{c}}}]}}"#
            );
            let report = lint_text("p.json", &text, LintOptions::default());
            let fires = report.findings.iter().any(|f| f.code == "S3GUARD_KEY_ONLY_IN_SOME_REQUESTS");
            let policy = Policy::parse_as("p.json", &text, LoadOptions::new(PolicyType::Resource)).unwrap();
            let set = PolicySet::builder().resource(policy).build();
            let req = Request::new("s3:PutObject", "arn:aws:s3:::media/k")
                .unwrap()
                .with_principal("arn:aws:iam::111122223333:user/alice")
                .unwrap();
            let denied = set.authorize(&req).decision == Decision::ExplicitDeny;
            // a `Null: true` test asks about the header on purpose: not reported
            let on_purpose = c.contains(r#""Null":{"s3:x-amz-copy-source":"true"}"#);
            prop_assert_eq!(fires, denied && !on_purpose, "{}", text);
        }
    }
}

mod tls_coverage_vs_the_evaluator {
    //! S3GUARD_PARTIAL_TLS_ENFORCEMENT agrees with brute force: the
    //! evaluator asked, for every S3 bucket and object action of the
    //! catalog, whether a plain-HTTP request is denied.
    use proptest::prelude::*;
    use s3guard::lint::{lint_text, LintOptions};
    use s3guard::{Decision, LoadOptions, Policy, PolicySet, PolicyType, Request};

    fn deny() -> impl Strategy<Value = String> {
        let actions = prop::sample::subsequence(
            vec![
                "\"s3:*\"",
                "\"s3:Get*\"",
                "\"s3:PutObject\"",
                "\"s3:ListBucket\"",
                "\"s3:*Object\"",
                "\"s3:Delete*\"",
            ],
            1..4,
        );
        let resources = prop::sample::subsequence(
            vec![
                "\"arn:aws:s3:::media\"",
                "\"arn:aws:s3:::media/*\"",
                "\"arn:aws:s3:::med*\"",
                "\"arn:aws:s3:::media/private/*\"",
                "\"arn:aws:s3:::*/*\"",
            ],
            1..3,
        );
        (actions, resources, any::<bool>()).prop_map(|(a, r, not_action)| {
            format!(
                r#"{{"Effect":"Deny","Principal":"*","{}":[{}],"Resource":[{}],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}"#,
                if not_action { "NotAction" } else { "Action" },
                a.join(","),
                r.join(",")
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn partial_tls_fires_exactly_when_some_action_works_over_http(d in deny()) {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::111122223333:root"}},"Action":"s3:*","Resource":["arn:aws:s3:::media","arn:aws:s3:::media/*"]}},{d}]}}"#
            );
            let report = lint_text("p.json", &text, LintOptions::default());
            let fires = report.findings.iter().any(|f| f.code == "S3GUARD_PARTIAL_TLS_ENFORCEMENT");
            let policy = Policy::parse_as("p.json", &text, LoadOptions::new(PolicyType::Resource)).unwrap();
            let set = PolicySet::builder().resource(policy).build();
            let mut open = false;
            for a in s3guard::catalog::catalog().actions().iter().filter(|a| a.service == "s3") {
                for (kind, arn) in [("bucket", "arn:aws:s3:::media"), ("object", "arn:aws:s3:::media/any/key")] {
                    if !a.resource_types.iter().any(|r| r.name == kind) {
                        continue;
                    }
                    let req = Request::new(a.iam_action, arn)
                        .unwrap()
                        .with_principal("arn:aws:iam::111122223333:user/alice")
                        .unwrap()
                        .with_context("aws:SecureTransport", "false");
                    if set.authorize(&req).decision != Decision::ExplicitDeny {
                        open = true;
                    }
                }
            }
            // an object pattern narrower than `media/*` leaves other keys open:
            // lint checks `media/*` as a whole, the evaluator one key
            if !d.contains("media/private") {
                prop_assert_eq!(fires, open, "{}", text);
            } else if !fires {
                prop_assert!(!open, "{}", text);
            }
        }
    }
}
