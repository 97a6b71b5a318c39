//! Every issue code `lint` reports: its finding type, a one-line title and
//! where AWS documents it (spec ). SARIF's `rules[]` is this table.

use crate::diagnostic::Severity;

/// One kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Access Analyzer issue code (UPPER_SNAKE_CASE; `S3GUARD_` for s3guard's own).
    pub code: &'static str,
    /// The finding type it usually has.
    pub severity: Severity,
    /// One line saying what it is about.
    pub title: &'static str,
    /// AWS documentation about it.
    pub help: Option<&'static str>,
}

#[cfg(test)]
const AA: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";

#[cfg(test)]
/// Access Analyzer's link for a check (`error-invalid-action` → the anchor on its check reference page).
fn aa_link(anchor: &str) -> String {
    format!("{AA}#access-analyzer-reference-policy-checks-{anchor}")
}

macro_rules! rules {
    ($( $code:literal, $sev:ident, $title:literal, $help:expr; )*) => {
        /// The rule table, sorted by code.
        pub const RULES: &[Rule] = &[
            $( Rule { code: $code, severity: Severity::$sev, title: $title, help: $help }, )*
        ];
    };
}

const S3_RESOURCES: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-resources-for-iam-policies";
const RESOURCE_ELEMENT: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html";
const MULTIVALUED: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const RCP_SYNTAX: &str =
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html";
const S3_BEST_PRACTICES: &str =
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html";
const S3_ACTIONS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html#amazons3-actions-as-permissions";
const VARIABLES: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html";
const QUOTAS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";

rules! {
    "ALLOW_WITH_NOT_PRINCIPAL", SecurityWarning, "Allow with NotPrincipal grants access to everyone not listed", Some(AA_ALLOW_WITH_NOT_PRINCIPAL);
    "BYTE_ORDER_MARK", Error, "a file that starts with a byte order mark", Some(QUOTAS);
    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", Error, "a condition key repeated with different case", Some(AA_DUPLICATE_KEYS);
    "EMPTY_ARRAY_ACTION", Suggestion, "an empty Action array", Some(AA_EMPTY_ARRAY_ACTION);
    "EMPTY_ARRAY_CONDITION", Suggestion, "a condition key with no values", Some(AA_EMPTY_ARRAY_CONDITION);
    "EMPTY_ARRAY_PRINCIPAL", Suggestion, "an empty Principal array", Some(AA_EMPTY_ARRAY_PRINCIPAL);
    "EMPTY_ARRAY_RESOURCE", Suggestion, "an empty Resource array", Some(AA_EMPTY_ARRAY_RESOURCE);
    "EMPTY_ARRAY_STATEMENT", Suggestion, "an empty Statement array", None;
    "EMPTY_OBJECT_CONDITION", Suggestion, "an empty Condition block", Some(AA_EMPTY_OBJECT_CONDITION);
    "EMPTY_OBJECT_PRINCIPAL", Suggestion, "an empty Principal object", Some(AA_EMPTY_OBJECT_PRINCIPAL);
    "EMPTY_VARIABLE", Error, "an empty policy variable `${}`", Some(AA_EMPTY_VARIABLE);
    "FORALLVALUES_WITH_SINGLE_VALUED_KEY", SecurityWarning, "ForAllValues on a single-valued condition key", Some(AA_FORALLVALUES_SINGLE);
    "ID_IN_IDENTITY_POLICY", Warning, "an Id element in an identity policy", None;
    "IMPROVE_IP_RANGE", Suggestion, "an IP range with host bits set", Some(AA_IMPROVE_IP_RANGE);
    "INPUT_TOO_LARGE", Error, "a file too large to be a policy", None;
    "INVALID_ACTION", Error, "an action that does not exist", Some(AA_INVALID_ACTION);
    "INVALID_ARN_PREFIX", Error, "a resource that is neither `*` nor an ARN", Some(AA_INVALID_ARN_PREFIX);
    "INVALID_ARN_RESOURCE", Error, "an ARN that matches no resource format of its service", Some(AA_INVALID_ARN_RESOURCE);
    "INVALID_CONDITION_KEY", Error, "a condition key without a service prefix", Some(AA_INVALID_CONDITION_KEY_FORMAT);
    "INVALID_CONDITION_MULTIPLE_BOOLEAN", Error, "several values for a Bool condition key", Some(AA_MULTIPLE_BOOLEAN);
    "INVALID_CONDITION_OPERATOR", Error, "an unknown condition operator", Some(AA_INVALID_CONDITION_OPERATOR);
    "INVALID_DATE_VALUE", Warning, "a date value that may not resolve as expected", Some(AA_INVALID_DATE_VALUE);
    "INVALID_EFFECT", Error, "an Effect other than Allow or Deny", Some(AA_INVALID_EFFECT);
    "INVALID_ELEMENT_TYPE", Error, "a policy element of the wrong JSON type", Some(AA_DATA_TYPE_MISMATCH);
    "INVALID_GLOBAL_CONDITION_KEY", Error, "an unknown aws: condition key", Some(AA_INVALID_GLOBAL_CONDITION_KEY);
    "INVALID_POLICY_ELEMENT", Error, "an unknown policy element", Some(AA_INVALID_POLICY_ELEMENT);
    "INVALID_PRINCIPAL_FORMAT", Error, "a principal value in the wrong format", Some(AA_INVALID_PRINCIPAL_FORMAT);
    "INVALID_PRINCIPAL_KEY", Error, "an unknown principal type", Some(AA_INVALID_PRINCIPAL_KEY);
    "INVALID_RCP_ACTION", Error, "`*` (every service) in the Action of a customer managed RCP", Some(RCP_SYNTAX);
    "INVALID_RCP_EFFECT", Error, "Allow in a customer managed RCP (only RCPFullAWSAccess allows)", Some(RCP_SYNTAX);
    "INVALID_RCP_PRINCIPAL", Error, "an RCP statement whose Principal is not `*`", Some(RCP_SYNTAX);
    "INVALID_SERVICE_CONDITION_KEY", Error, "an unknown service condition key", Some(AA_INVALID_SERVICE_CONDITION_KEY);
    "INVALID_SERVICE_IN_ACTION", Error, "an action of a service that does not exist", Some(AA_INVALID_SERVICE_IN_ACTION);
    "INVALID_SID", Error, "a Sid with characters IAM does not accept", Some(AA_UNSUPPORTED_SID);
    "INVALID_UTF8", Error, "a file that is not UTF-8 text", None;
    "INVALID_VARIABLE_FOR_OPERATOR", Error, "a policy variable under an operator that does not take variables", Some(AA_INVALID_VARIABLE_FOR_OPERATOR);
    "INVALID_VERSION", Error, "an unknown policy language Version", Some(AA_INVALID_VERSION);
    "IO_ERROR", Error, "a file that cannot be read", None;
    "IRRELEVANT_CONDITION_KEY_IN_POLICY", Suggestion, "a condition key that the statement's actions never supply", Some(S3_RESOURCES);
    "JSON_SYNTAX_ERROR", Error, "invalid JSON or a duplicate key", Some(AA_JSON_SYNTAX_ERROR);
    "MISSING_ACTION", Error, "a statement without Action or NotAction", Some(AA_MISSING_ACTION);
    "MISSING_ARN_FIELD", Error, "an ARN with fewer than six fields", Some(AA_MISSING_ARN_FIELD);
    "MISSING_BRACE_IN_VARIABLE", Error, "a policy variable without its closing brace", Some(AA_MISSING_BRACE_IN_VARIABLE);
    "MISSING_EFFECT", Error, "a statement without Effect", Some(AA_MISSING_EFFECT);
    "MISSING_PRINCIPAL", Error, "a resource-policy statement without Principal", Some(AA_MISSING_PRINCIPAL);
    "MISSING_QUOTE_IN_VARIABLE", Error, "a variable default without its quotes", Some(AA_MISSING_QUOTE_IN_VARIABLE);
    "MISSING_RESOURCE", Error, "a statement without Resource or NotResource", Some(AA_MISSING_RESOURCE);
    "MISSING_STATEMENT", Error, "a policy without Statement", Some(AA_MISSING_STATEMENT);
    "MISSING_VERSION", Warning, "a policy without Version: variables are literal text", Some(AA_MISSING_VERSION);
    "NONCANONICAL_OPERATOR_CASE", Warning, "a condition operator spelled with unusual case", None;
    "NULL_WITH_IF_EXISTS", Error, "the Null operator with IfExists", Some(AA_NULL_WITH_IF_EXISTS);
    "NULL_WITH_QUALIFIER", Suggestion, "the Null operator with ForAllValues/ForAnyValue", Some(AA_NULL_WITH_QUALIFIER);
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", SecurityWarning, "iam:PassRole allowed through NotAction and NotResource", Some(AA_PASS_ROLE_NOT_ACTION_NOT_RESOURCE);
    "PASS_ROLE_WITH_NOT_RESOURCE", SecurityWarning, "iam:PassRole allowed with NotResource", Some(AA_PASS_ROLE_NOT_RESOURCE);
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", SecurityWarning, "iam:PassRole allowed through a wildcard action with NotResource", Some(AA_PASS_ROLE_STAR_ACTION_NOT_RESOURCE);
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SecurityWarning, "iam:PassRole allowed through a wildcard action on every role", Some(AA_PASS_ROLE_STAR_ACTION_RESOURCE);
    "PASS_ROLE_WITH_STAR_IN_RESOURCE", SecurityWarning, "iam:PassRole allowed on every role", Some(AA_PASS_ROLE_STAR);
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", SecurityWarning, "iam:PassRole allowed through NotAction on every role", Some(AA_PASS_ROLE_STAR_RESOURCE_NOT_ACTION);
    "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", Warning, "an identity policy over IAM's size quota", Some(AA_SIZE_IDENTITY);
    "POLICY_SIZE_EXCEEDS_RCP_QUOTA", Error, "an RCP over the AWS Organizations size quota", Some(QUOTAS);
    "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", Error, "a bucket policy over S3's 20 KB size quota", Some(QUOTAS);
    "POLICY_SIZE_EXCEEDS_SCP_QUOTA", Error, "an SCP over the AWS Organizations size quota", Some(AA_SIZE_SCP);
    "POLICY_SIZE_EXCEEDS_SESSION_POLICY_QUOTA", Error, "a session policy over STS's size quota", Some(QUOTAS);
    "PRIVATE_IP_ADDRESS", Error, "aws:SourceIp compared only with private addresses", Some(AA_PRIVATE_IP_ADDRESS);
    "PRIVATE_IP_ADDRESS_SUBSET", Suggestion, "aws:SourceIp compared with some private addresses", Some(AA_PRIVATE_IP_SUBSET);
    "PRIVATE_NOT_IP_ADDRESS", Error, "NotIpAddress on aws:SourceIp with only private addresses", Some(AA_PRIVATE_NOT_IP);
    "PRIVATE_NOT_IP_ADDRESS_SUBSET", Suggestion, "NotIpAddress on aws:SourceIp with some private addresses", Some(AA_PRIVATE_NOT_IP_SUBSET);
    "REDUNDANT_ACTION", Suggestion, "an action already covered by another entry", Some(AA_REDUNDANT_ACTION);
    "REDUNDANT_RESOURCE", Suggestion, "a resource already covered by another entry", Some(AA_REDUNDANT_RESOURCE);
    "REDUNDANT_STATEMENT", Suggestion, "a statement that grants or denies nothing another one does not", Some(AA_REDUNDANT_STATEMENT);
    "S3GUARD_ACTION_RESOURCE_MISMATCH", Error, "an action paired only with resources it never applies to (bucket vs object)", Some(S3_RESOURCES);
    "S3GUARD_ALLOW_WITH_NOT_ACTION", SecurityWarning, "Allow with NotAction grants every other action of every service", Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html");
    "S3GUARD_ALLOW_WITH_NOT_RESOURCE", SecurityWarning, "Allow with NotResource grants on every other resource", Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html");
    "S3GUARD_BROAD_BUCKET_PATTERN", Warning, "a bucket-name wildcard that also matches other buckets", Some(RESOURCE_ELEMENT);
    "S3GUARD_CLOUDFRONT_OAI", Suggestion, "a CloudFront origin access identity: the legacy form, succeeded by origin access control", Some("https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html");
    "S3GUARD_DOC_PLACEHOLDER", Warning, "a placeholder from AWS documentation (`DOC-EXAMPLE-BUCKET`, `<bucket>`, `ACCOUNT-ID`): an error when no entry of its list works", Some(RESOURCE_ELEMENT);
    "S3GUARD_FORALLVALUES_ALLOW_WITHOUT_NULL", SecurityWarning, "Allow with ForAllValues is true when the key is missing", Some(MULTIVALUED);
    "S3GUARD_HTTP_ONLY_ALLOW", Error, "an Allow that holds only for requests made without TLS", Some(S3_BEST_PRACTICES);
    "S3GUARD_KEY_ABSENT_FOR_ACTIONS", Warning, "a condition key some of the statement's actions never carry (an error when it makes a Deny block them all)", Some(S3_ACTIONS);
    "S3GUARD_KEY_ONLY_IN_SOME_REQUESTS", Warning, "a Deny whose test holds without a key only one kind of request carries (s3:x-amz-copy-source: copies), so it blocks every other request of the action", Some(S3_ACTIONS);
    "S3GUARD_MISSING_SET_OPERATOR", Warning, "a multi-valued key without ForAnyValue/ForAllValues", Some(MULTIVALUED);
    "S3GUARD_NON_LATIN1_CHARACTER", Warning, "a character IAM policies may not contain", Some(QUOTAS);
    "S3GUARD_NOTPRINCIPAL_MISSING_ACCOUNT", Warning, "NotPrincipal lists a user, role or session without its account", Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html");
    "S3GUARD_NO_TLS_ENFORCEMENT", Suggestion, "a bucket policy that does not deny requests without TLS", Some(S3_BEST_PRACTICES);
    "S3GUARD_PARTIAL_TLS_ENFORCEMENT", Warning, "a Deny of plain HTTP that leaves some of the bucket's actions or resources open", Some(S3_BEST_PRACTICES);
    "S3GUARD_PUBLIC_ACCESS", SecurityWarning, "a bucket policy that grants access to everyone", Some("https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html");
    "S3GUARD_TEMPLATE_PLACEHOLDER", Warning, "a template placeholder (`${var.bucket}`, `${BUCKET}`) left unrendered: an error when no entry of its list works", Some(VARIABLES);
    "S3GUARD_WILDCARD_ONLY_ACTION_ARN", Suggestion, "a wildcard-only action granted through an ARN pattern", Some(S3_RESOURCES);
    "S3GUARD_WRITE_OR_PERMISSIONS_STAR", SecurityWarning, "write, delete or permissions actions allowed on every bucket", Some("https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege");
    "TOO_MANY_DIAGNOSTICS", Error, "more problems in one policy than s3guard lists", None;
    "TYPE_MISMATCH", Warning, "a condition operator that does not fit the key's type", Some(AA_TYPE_MISMATCH);
    "TYPE_MISMATCH_BINARY", Error, "a BinaryEquals value that is not base64", Some(AA_TYPE_MISMATCH_STRING);
    "TYPE_MISMATCH_BOOLEAN", Error, "a Bool or Null value that is not true/false", Some(AA_TYPE_MISMATCH_BOOLEAN);
    "TYPE_MISMATCH_IP_RANGE", Error, "an IpAddress value that is not an address or CIDR range", Some(AA_TYPE_MISMATCH_IP);
    "TYPE_MISMATCH_NUMBER", Error, "a Numeric value that is not a number", Some(AA_TYPE_MISMATCH_NUMBER);
    "UNIQUE_SIDS_RECOMMENDED", Warning, "two statements with the same Sid", Some(AA_UNIQUE_SIDS_RECOMMENDED);
    "UNIQUE_SIDS_REQUIRED", Error, "two statements with the same Sid in an IAM policy", Some(AA_UNIQUE_SIDS_REQUIRED);
    "UNMATCHED_ACTION_PATTERN", Warning, "an action pattern that matches no catalog action", None;
    "UNSUPPORTED_ACTION_IN_POLICY", Error, "an action a policy of this resource type cannot grant", Some(AA_UNSUPPORTED_ACTION);
    "UNSUPPORTED_ELEMENT", Error, "an element this policy type does not support", None;
    "UNSUPPORTED_ELEMENT_COMBINATION", Error, "two elements that exclude each other", Some(AA_UNSUPPORTED_ELEMENT_COMBINATION);
    "UNSUPPORTED_PRINCIPAL", Error, "a Principal in a policy type that has none", Some(AA_UNSUPPORTED_PRINCIPAL);
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY", Error, "a resource that no action of the statement applies to (a warning when another entry works)", Some(AA_UNSUPPORTED_RESOURCE_ARN);
    "UNSUPPORTED_SPACE_IN_VARIABLE", Error, "a space inside a policy variable", Some(AA_UNSUPPORTED_SPACE_IN_VARIABLE);
    "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", Error, "a partial wildcard in a principal", Some(AA_UNSUPPORTED_WILDCARD_IN_PRINCIPAL);
    "VARIABLE_UNSUPPORTED_IN_ELEMENT", Error, "a policy variable where variables are not allowed", Some(AA_VARIABLE_UNSUPPORTED_IN_ELEMENT);
    "VARIABLE_UNSUPPORTED_IN_VERSION", Error, "a policy variable without Version 2012-10-17", Some(AA_VARIABLE_UNSUPPORTED_IN_VERSION);
    "WILDCARD_IN_ARN_SERVICE", Warning, "a wildcard in the service field of an ARN", Some(AA_WILDCARD_IN_SERVICE_NAME);
    "WILDCARD_IN_SERVICE_NAME", Suggestion, "a wildcard in an action's service prefix", Some(AA_WILDCARD_IN_SERVICE_NAME);
    "WILDCARD_WITHOUT_LIKE_OPERATOR", Warning, "`*` or `?` in a value of an operator that takes them literally", Some(AA_WILDCARD_WITHOUT_LIKE);
}

macro_rules! anchors {
    ($( $name:ident = $anchor:literal; )*) => {
        $( const $name: &str = concat!(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-",
            $anchor
        ); )*
    };
}

anchors! {
    AA_ALLOW_WITH_NOT_PRINCIPAL = "security-warning-allow-with-not-principal";
    AA_DATA_TYPE_MISMATCH = "error-data-type-mismatch";
    AA_DUPLICATE_KEYS = "error-duplicate-keys-with-different-case";
    AA_EMPTY_ARRAY_ACTION = "suggestion-empty-array-action";
    AA_EMPTY_ARRAY_CONDITION = "suggestion-empty-array-condition";
    AA_EMPTY_ARRAY_PRINCIPAL = "suggestion-empty-array-principal";
    AA_EMPTY_ARRAY_RESOURCE = "suggestion-empty-array-resource";
    AA_EMPTY_OBJECT_CONDITION = "suggestion-empty-object-condition";
    AA_EMPTY_OBJECT_PRINCIPAL = "suggestion-empty-object-principal";
    AA_EMPTY_VARIABLE = "error-empty-variable";
    AA_FORALLVALUES_SINGLE = "security-warning-forallvalues-with-single-valued-key";
    AA_IMPROVE_IP_RANGE = "suggestion-improve-ip-range";
    AA_INVALID_ACTION = "error-invalid-action";
    AA_INVALID_ARN_PREFIX = "error-invalid-arn-prefix";
    AA_INVALID_ARN_RESOURCE = "error-invalid-arn-resource";
    AA_INVALID_CONDITION_KEY_FORMAT = "error-invalid-condition-key-format";
    AA_INVALID_CONDITION_OPERATOR = "error-invalid-condition-operator";
    AA_INVALID_DATE_VALUE = "general-warning-invalid-date-value";
    AA_INVALID_EFFECT = "error-invalid-effect";
    AA_INVALID_GLOBAL_CONDITION_KEY = "error-invalid-global-condition-key";
    AA_INVALID_POLICY_ELEMENT = "error-invalid-policy-element";
    AA_INVALID_PRINCIPAL_FORMAT = "error-invalid-principal-format";
    AA_INVALID_PRINCIPAL_KEY = "error-invalid-principal-key";
    AA_INVALID_SERVICE_CONDITION_KEY = "error-invalid-service-condition-key";
    AA_INVALID_SERVICE_IN_ACTION = "error-invalid-service-in-action";
    AA_INVALID_VARIABLE_FOR_OPERATOR = "error-invalid-variable-for-operator";
    AA_INVALID_VERSION = "error-invalid-version";
    AA_JSON_SYNTAX_ERROR = "error-json-syntax-error";
    AA_MISSING_ACTION = "error-missing-action";
    AA_MISSING_ARN_FIELD = "error-missing-arn-field";
    AA_MISSING_BRACE_IN_VARIABLE = "error-missing-brace-in-variable";
    AA_MISSING_EFFECT = "error-missing-effect";
    AA_MISSING_PRINCIPAL = "error-missing-principal";
    AA_MISSING_QUOTE_IN_VARIABLE = "error-missing-quote-in-variable";
    AA_MISSING_RESOURCE = "error-missing-resource";
    AA_MISSING_STATEMENT = "error-missing-statement";
    AA_MISSING_VERSION = "general-warning-missing-version";
    AA_NULL_WITH_IF_EXISTS = "error-null-with-if-exists";
    AA_NULL_WITH_QUALIFIER = "suggestion-null-with-qualifier";
    AA_PASS_ROLE_NOT_RESOURCE = "security-warning-pass-role-with-not-resource";
    AA_PASS_ROLE_STAR = "security-warning-pass-role-with-star-in-resource";
    AA_PASS_ROLE_NOT_ACTION_NOT_RESOURCE = "security-warning-pass-role-with-not-action-and-not-resource";
    AA_PASS_ROLE_STAR_ACTION_NOT_RESOURCE = "security-warning-pass-role-with-star-in-action-and-not-resource";
    AA_PASS_ROLE_STAR_ACTION_RESOURCE = "security-warning-pass-role-with-star-in-action-and-resource";
    AA_PASS_ROLE_STAR_RESOURCE_NOT_ACTION = "security-warning-pass-role-with-star-in-resource-and-not-action";
    AA_MULTIPLE_BOOLEAN = "error-invalid-condition-multiple-boolean";
    AA_PRIVATE_IP_SUBSET = "suggestion-private-ip-address-subset";
    AA_PRIVATE_NOT_IP = "error-private-not-ip-address";
    AA_PRIVATE_NOT_IP_SUBSET = "suggestion-private-not-ip-address-subset";
    AA_UNSUPPORTED_ACTION = "error-unsupported-action-in-policy";
    AA_PRIVATE_IP_ADDRESS = "error-private-ip-address";
    AA_REDUNDANT_ACTION = "suggestion-redundant-action";
    AA_REDUNDANT_RESOURCE = "suggestion-redundant-resource";
    AA_REDUNDANT_STATEMENT = "suggestion-redundant-statement";
    AA_SIZE_IDENTITY = "general-warning-policy-size-exceeds-identity-policy-quota";
    AA_SIZE_SCP = "error-policy-size-exceeds-scp-quota";
    AA_TYPE_MISMATCH = "general-warning-type-mismatch";
    AA_TYPE_MISMATCH_BOOLEAN = "general-warning-type-mismatch-boolean";
    AA_TYPE_MISMATCH_IP = "general-warning-type-mismatch-ip-range";
    AA_TYPE_MISMATCH_NUMBER = "general-warning-type-mismatch-number";
    AA_TYPE_MISMATCH_STRING = "general-warning-type-mismatch-string";
    AA_UNIQUE_SIDS_RECOMMENDED = "general-warning-unique-sids-recommended";
    AA_UNIQUE_SIDS_REQUIRED = "error-unique-sids-required";
    AA_UNSUPPORTED_ELEMENT_COMBINATION = "error-unsupported-element-combination";
    AA_UNSUPPORTED_PRINCIPAL = "error-unsupported-principal";
    AA_UNSUPPORTED_RESOURCE_ARN = "error-unsupported-resource-arn-in-policy";
    AA_UNSUPPORTED_SID = "error-unsupported-sid";
    AA_UNSUPPORTED_SPACE_IN_VARIABLE = "error-unsupported-space-in-variable";
    AA_UNSUPPORTED_WILDCARD_IN_PRINCIPAL = "error-unsupported-wildcard-in-principal";
    AA_VARIABLE_UNSUPPORTED_IN_ELEMENT = "error-variable-unsupported-in-element";
    AA_VARIABLE_UNSUPPORTED_IN_VERSION = "error-variable-unsupported-in-version";
    AA_WILDCARD_IN_SERVICE_NAME = "suggestion-wildcard-in-service-name";
    AA_WILDCARD_WITHOUT_LIKE = "general-warning-wildcard-without-like-operator";
}

/// The rule of a code, when it is one `lint` knows.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// A rule for a code the table lacks (a loader code added later): its title
/// is the code itself, so nothing is dropped.
pub fn rule_or_default(code: &'static str, severity: Severity) -> Rule {
    rule(code).copied().unwrap_or(Rule {
        code,
        severity,
        title: code,
        help: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_upper_snake() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} / {}",
                pair[0].code,
                pair[1].code
            );
        }
        for r in RULES {
            assert!(r
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'));
        }
    }

    #[test]
    fn access_analyzer_links_follow_the_documented_anchor_scheme_spec_a1() {
        assert_eq!(
            rule("INVALID_ACTION").and_then(|r| r.help),
            Some(aa_link("error-invalid-action").as_str())
        );
        assert_eq!(
            rule("MISSING_VERSION").map(|r| r.severity),
            Some(Severity::Warning)
        );
    }
}
