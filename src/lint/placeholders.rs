//! Placeholders left in a policy (issue 17.3): `${var.bucket}`, `${BUCKET}`,
//! `${username}` that Terraform `templatefile`, CloudFormation `Fn::Sub` or
//! a shell script should have replaced, and AWS documentation's own
//! placeholders (`DOC-EXAMPLE-BUCKET`, `<bucket>`, `ACCOUNT-ID`, `REGION`).
//!
//! IAM reads `${…}` as a policy variable; a variable whose key is not a
//! global key, not a key of an AWS service and not an identity provider's
//! key (`cognito-identity.amazonaws.com:sub`) is never in the request, so
//! the entry holding it matches nothing. With a policy version that has no
//! variables it is literal text, which matches nothing real either. An
//! entry that matches nothing while its neighbours work is a warning; when
//! every entry of the list is a placeholder, the list (and so the statement)
//! does nothing: an error.

use super::view::Entry;
use super::Ctx;
use crate::catalog::condition_key;
use crate::diagnostic::Severity;

/// Where an unrendered placeholder most likely comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// `${var.x}`, `${local.x}`, `${aws_s3_bucket.b.arn}`: a Terraform expression.
    Terraform,
    /// `${AWS::AccountId}`: a CloudFormation pseudo parameter (`Fn::Sub`).
    CloudFormation,
    /// `${BUCKET}`: an environment variable (`envsubst`, a shell script).
    Shell,
    /// `${bucket}`: a template variable (`templatefile`, `Fn::Sub`, a script).
    Template,
    /// AWS documentation's placeholder (`DOC-EXAMPLE-BUCKET`, `<bucket>`).
    Documentation,
    /// `${aws:usernme}`: a variable of a key that does not exist (a typo).
    UnknownKey,
}

impl Origin {
    fn describe(self) -> &'static str {
        match self {
            Origin::Terraform => "a Terraform expression left unrendered",
            Origin::CloudFormation => "a CloudFormation `Fn::Sub` reference left unresolved",
            Origin::Shell => "an environment variable a shell script or `envsubst` did not replace",
            Origin::Template => {
                "a template variable (Terraform `templatefile`, CloudFormation `Fn::Sub`, a script) left unrendered"
            }
            Origin::Documentation => "a placeholder from AWS documentation",
            Origin::UnknownKey => "a variable of a condition key that does not exist",
        }
    }
}

/// One placeholder found in a string: the text and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Placeholder {
    text: String,
    origin: Origin,
    /// `${username}` → `${aws:username}`.
    meant: Option<String>,
}

pub(super) fn check(ctx: &mut Ctx<'_>) {
    let view = ctx.view;
    for st in &view.statements {
        if let Some(r) = &st.resource {
            list(ctx, &r.entries, "entry", false);
        }
        if let Some(p) = &st.principal {
            let entries: Vec<Entry> = p.values.iter().map(|v| v.entry.clone()).collect();
            // a principal that is not one is refused: always an error
            list(ctx, &entries, "principal", true);
        }
        for (_, key) in st.condition_keys() {
            list(ctx, &key.values, "value", false);
        }
    }
}

/// Reports the placeholders of one list (a `Resource`, a `Principal`, a
/// condition key's values).
fn list(ctx: &mut Ctx<'_>, entries: &[Entry], noun: &str, always_error: bool) {
    let found: Vec<Option<Placeholder>> = entries.iter().map(|e| find(&e.text)).collect();
    let working = found.iter().filter(|f| f.is_none()).count();
    for (e, p) in entries.iter().zip(&found) {
        let Some(p) = p else { continue };
        let severity = if always_error || working == 0 {
            Severity::Error
        } else {
            Severity::Warning
        };
        let (code, effect) = if p.origin == Origin::Documentation {
            ("S3GUARD_DOC_PLACEHOLDER", "nothing real has this name")
        } else {
            (
                "S3GUARD_TEMPLATE_PLACEHOLDER",
                "IAM reads it as a policy variable whose key no request carries",
            )
        };
        let whole = if working == 0 {
            format!("the {noun} matches nothing, and neither does any other of its list")
        } else {
            format!("the {noun} matches nothing (the others of its list still work)")
        };
        let hint = match &p.meant {
            Some(m) => format!("did you mean `{m}`?"),
            None if p.origin == Origin::Documentation => {
                "replace it with your own value".to_string()
            }
            None => "render the template before linting it (or lint the plan or template with --policy-from), or write the value".to_string(),
        };
        ctx.emit_as(
            severity,
            code,
            e.span,
            &e.pointer,
            format!(
                "`{}` in `{}` is {}: {effect}, so {whole}",
                p.text,
                e.text,
                p.origin.describe()
            ),
            Some(hint),
        );
    }
}

/// The first placeholder in a string, if any.
fn find(text: &str) -> Option<Placeholder> {
    variables(text)
        .into_iter()
        .find_map(unknown_variable)
        .or_else(|| documentation(text))
}

/// The inner texts of the `${…}` of a string.
fn variables(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        match after.find('}') {
            Some(end) => {
                out.push(after.get(..end).unwrap_or_default());
                rest = after.get(end + 1..).unwrap_or_default();
            }
            None => break,
        }
    }
    out
}

/// A `${…}` whose key is no key a request can carry.
fn unknown_variable(inner: &str) -> Option<Placeholder> {
    let key = inner.split(',').next().unwrap_or_default().trim();
    if matches!(key, "*" | "?" | "$") || key.is_empty() {
        return None; // the escapes ${*}, ${?}, ${$}; an empty variable is the loader's
    }
    let text = format!("${{{inner}}}");
    if key.contains("::") {
        return Some(Placeholder {
            text,
            origin: Origin::CloudFormation,
            meant: None,
        });
    }
    if let Some((prefix, _)) = key.split_once(':') {
        // identity providers' keys (`cognito-identity.amazonaws.com:sub`,
        // `token.actions.githubusercontent.com:sub`), SAML keys and keys of
        // services outside the catalog are taken as real; a key of `aws:` or
        // of a catalog service that does not exist is a typo
        let checkable = prefix.eq_ignore_ascii_case("aws")
            || crate::catalog::catalog().knows_service(&prefix.to_ascii_lowercase());
        if !checkable || condition_key(key).is_some() {
            return None;
        }
        return Some(Placeholder {
            text,
            origin: Origin::UnknownKey,
            meant: crate::catalog::suggest_key(key).map(|k| format!("${{{k}}}")),
        });
    }
    let meant = condition_key(&format!("aws:{key}")).map(|k| format!("${{{}}}", k.key));
    let first = key.split('.').next().unwrap_or_default();
    let origin = if key.contains('.')
        && ([
            "var", "local", "data", "module", "each", "count", "path", "self",
        ]
        .contains(&first)
            || first.contains('_'))
    {
        Origin::Terraform
    } else if key.chars().any(|c| c.is_ascii_uppercase())
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        Origin::Shell
    } else {
        Origin::Template
    };
    Some(Placeholder {
        text,
        origin,
        meant,
    })
}

/// AWS documentation's placeholders: `DOC-EXAMPLE-…` and `amzn-s3-demo-…`
/// bucket names, `<…>` tokens, and ARN region or account fields written as
/// words (`REGION`, `ACCOUNT-ID`, `AccountB-ID`).
fn documentation(text: &str) -> Option<Placeholder> {
    let doc = |t: &str| Placeholder {
        text: t.to_string(),
        origin: Origin::Documentation,
        meant: None,
    };
    let lower = text.to_ascii_lowercase();
    for marker in ["doc-example", "amzn-s3-demo-"] {
        if let Some(i) = lower.find(marker) {
            let word: String = text
                .get(i..)
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
                .collect();
            return Some(doc(&word));
        }
    }
    if let Some(i) = text.find('<') {
        let rest = text.get(i..).unwrap_or_default();
        if let Some(end) = rest.find('>') {
            let token = rest.get(..=end).unwrap_or_default();
            let inner = token.trim_start_matches('<').trim_end_matches('>');
            if inner
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ' | '.'))
            {
                return Some(doc(token));
            }
        }
    }
    if let Some(a) = account_word(text) {
        return Some(doc(a));
    }
    if text.starts_with("arn:") {
        let fields: Vec<&str> = text.splitn(6, ':').collect();
        if let Some(region) = fields.get(3) {
            if !region.is_empty()
                && !region.contains(['*', '?', '$'])
                && region.chars().any(|c| c.is_ascii_uppercase())
            {
                return Some(doc(region));
            }
        }
    }
    None
}

/// An account written as a word: the fourth field of an ARN, or a whole
/// principal (`ACCOUNT-ID`, `AccountB-ID`, `account-id`).
fn account_word(text: &str) -> Option<&str> {
    let field = if text.starts_with("arn:") {
        text.split(':').nth(4)?
    } else {
        text
    };
    let lower = field.to_ascii_lowercase();
    let wordy = lower.contains("account") && !field.contains(['*', '?', '$', '/', ':', ' ']);
    wordy.then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Option<Origin> {
        find(text).map(|p| p.origin)
    }

    #[test]
    fn template_placeholders_and_their_likely_source_issue_17_3() {
        assert_eq!(
            origin("arn:aws:s3:::${var.bucket}/*"),
            Some(Origin::Terraform)
        );
        assert_eq!(
            origin("arn:aws:s3:::${aws_s3_bucket.b.id}"),
            Some(Origin::Terraform)
        );
        assert_eq!(origin("arn:aws:s3:::${BUCKET}"), Some(Origin::Shell));
        assert_eq!(origin("arn:aws:s3:::${bucket}"), Some(Origin::Template));
        assert_eq!(origin("${vpce}"), Some(Origin::Template));
        assert_eq!(
            origin("arn:aws:iam::${AWS::AccountId}:root"),
            Some(Origin::CloudFormation)
        );
        assert_eq!(
            find("home/${username}/*").and_then(|p| p.meant),
            Some("${aws:username}".to_string())
        );
        assert_eq!(
            find("home/${aws:usernam}/*").map(|p| (p.origin, p.meant)),
            Some((Origin::UnknownKey, Some("${aws:username}".to_string())))
        );
    }

    #[test]
    fn real_variables_are_not_placeholders() {
        for text in [
            "arn:aws:s3:::b/home/${aws:username}/*",
            "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*",
            "arn:aws:s3:::b/${cognito-identity.amazonaws.com:sub}/*",
            "arn:aws:s3:::b/${token.actions.githubusercontent.com:sub}",
            "arn:aws:s3:::b/${s3:prefix}",
            "arn:aws:s3:::b/${ec2:SourceInstanceARN}",
            "arn:aws:s3:::b/${saml:sub}",
            "arn:aws:s3:::b/${*}x${?}${$}",
            "arn:aws:s3:::my-bucket/*",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1",
            "111122223333",
            "vpce-1a2b3c4d",
        ] {
            assert_eq!(find(text), None, "{text}");
        }
    }

    #[test]
    fn documentation_placeholders_issue_17_3() {
        for (text, token) in [
            ("arn:aws:s3:::DOC-EXAMPLE-BUCKET/*", "DOC-EXAMPLE-BUCKET"),
            ("arn:aws:s3:::amzn-s3-demo-bucket", "amzn-s3-demo-bucket"),
            ("arn:aws:s3:::<bucket>/*", "<bucket>"),
            ("arn:aws:iam::AccountB-ID:root", "AccountB-ID"),
            ("AccountB-ID", "AccountB-ID"),
            (
                "arn:aws:s3express:REGION:ACCOUNT-ID:bucket/b--use1-az4--x-s3",
                "ACCOUNT-ID",
            ),
            ("arn:aws:s3:REGION:111122223333:accesspoint/ap", "REGION"),
        ] {
            let p = find(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((p.origin, p.text.as_str()), (Origin::Documentation, token));
        }
    }

    proptest::proptest! {
        /// Brute force: `variables` finds exactly the `${…}` a naive scan
        /// over every start position finds (no nesting, first `}` closes),
        /// and `find` never panics.
        #[test]
        fn variables_agree_with_a_naive_scan(text in "[a-z$:{}<>.A-Z_-]{0,24}") {
            let mut naive = Vec::new();
            let mut i = 0;
            while i + 1 < text.len() {
                if &text[i..i + 2] == "${" {
                    match text[i + 2..].find('}') {
                        Some(end) => {
                            naive.push(&text[i + 2..i + 2 + end]);
                            i = i + 2 + end + 1;
                            continue;
                        }
                        None => break,
                    }
                }
                i += 1;
            }
            proptest::prop_assert_eq!(variables(&text), naive);
            let _ = find(&text);
        }
    }
}
