//! The `Principal` / `NotPrincipal` element, parsed into what each entry
//! names (spec G-9, E-8).

use std::fmt;

use serde::Serialize;

/// `Principal` or `NotPrincipal` with their entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalClause {
    /// The statement applies to the listed principals.
    Principal(Vec<PrincipalEntry>),
    /// The statement applies to everyone except the listed principals (E-9).
    NotPrincipal(Vec<PrincipalEntry>),
}

impl PrincipalClause {
    /// The entries, whichever the variant.
    pub fn entries(&self) -> &[PrincipalEntry] {
        match self {
            PrincipalClause::Principal(e) | PrincipalClause::NotPrincipal(e) => e,
        }
    }

    /// Whether this is `NotPrincipal`.
    pub fn is_not(&self) -> bool {
        matches!(self, PrincipalClause::NotPrincipal(_))
    }
}

/// One principal named in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalEntry {
    /// What it names.
    pub kind: PrincipalKind,
    /// The value as written.
    pub text: String,
    /// JSON pointer of the value.
    pub pointer: String,
}

/// What a principal entry names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum PrincipalKind {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Everyone,
    /// An account (`111122223333` or `arn:aws:iam::111122223333:root`).
    Account {
        /// Account id.
        account: String,
    },
    /// An IAM user.
    User {
        /// User ARN.
        arn: String,
        /// Account id.
        account: String,
    },
    /// An IAM role: every session of it.
    Role {
        /// Role ARN (with path).
        arn: String,
        /// Account id.
        account: String,
        /// Role name (last path component).
        name: String,
    },
    /// One role session.
    RoleSession {
        /// Session ARN.
        arn: String,
        /// Account id.
        account: String,
        /// Role name.
        role: String,
        /// Session name.
        session: String,
    },
    /// One federated-user session (GetFederationToken).
    FederatedUser {
        /// Session ARN.
        arn: String,
        /// Account id.
        account: String,
    },
    /// An IAM unique id (`AIDA…`, `AROA…`): AWS shows these when the named
    /// user or role was deleted; it matches no current principal.
    UniqueId {
        /// The id.
        id: String,
    },
    /// `{"Service": …}`
    Service {
        /// Service principal name.
        name: String,
    },
    /// `{"Federated": …}`: web identity / SAML (trust policies).
    Federated {
        /// Provider.
        provider: String,
    },
    /// `{"CanonicalUser": …}`: an S3 canonical user id: an account's (64
    /// hex digits), or a CloudFront origin access identity's `S3CanonicalUserId`.
    CanonicalUser {
        /// The id, lowercased.
        id: String,
    },
    /// `{"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ID"}`:
    /// a CloudFront origin access identity (OAI), the legacy way CloudFront
    /// reads a private S3 origin (origin access control, which signs as the
    /// `cloudfront.amazonaws.com` service principal, is its successor).
    CloudFrontOai {
        /// The OAI's id (`E74FTE3AEXAMPLE`).
        id: String,
    },
}

/// What precedes an OAI's id in its ARN's resource part (CloudFront
/// Developer Guide, "Restrict access to an Amazon S3 origin").
const OAI_USER_PREFIX: &str = "user/CloudFront Origin Access Identity ";

/// The id of a CloudFront origin access identity ARN
/// (`arn:PARTITION:iam::cloudfront:user/CloudFront Origin Access Identity ID`),
/// or `None` when `text` is not one.
pub fn oai_id(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let id = rest
        .strip_prefix("iam::cloudfront:")?
        .strip_prefix(OAI_USER_PREFIX)?;
    (!partition.is_empty() && !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

/// Whether `text` has the shape of an S3 canonical user id: 64 characters
/// for an account, 96 for a CloudFront origin access identity's
/// `S3CanonicalUserId` (hexadecimal; AWS's examples end in `EXAMPLE`).
pub fn is_canonical_user_id(text: &str) -> bool {
    matches!(text.len(), 64 | 96) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Why a principal value is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalError {
    /// Access Analyzer code.
    pub code: &'static str,
    /// Lowercase message.
    pub message: String,
    /// What to do.
    pub hint: String,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses one value under the `AWS` key.
pub fn parse_aws(value: &str) -> Result<PrincipalKind, PrincipalError> {
    if value == "*" {
        return Ok(PrincipalKind::Everyone);
    }
    if value.contains(['*', '?']) {
        return Err(PrincipalError {
            code: "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            message: format!("wildcards are not allowed inside a principal (`{value}`)"),
            hint: "use \"*\" alone, or name the account and restrict with a condition such as ArnLike on aws:PrincipalArn".into(),
        });
    }
    if let Some(id) = oai_id(value) {
        return Ok(PrincipalKind::CloudFrontOai { id: id.to_string() });
    }
    if is_account_id(value) {
        return Ok(PrincipalKind::Account {
            account: value.to_string(),
        });
    }
    let invalid = || {
        PrincipalError {
        code: "INVALID_PRINCIPAL_FORMAT",
        message: format!("`{value}` is not a valid AWS principal"),
        hint: "expected a 12-digit account id, an IAM user or role ARN, an assumed-role session ARN, a CloudFront origin access identity ARN, or \"*\"".into(),
    }
    };
    if value.len() >= 16
        && value.starts_with('A')
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Ok(PrincipalKind::UniqueId {
            id: value.to_string(),
        });
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(invalid());
    };
    if *arn != "arn" || partition.is_empty() || !region.is_empty() || !is_account_id(account) {
        return Err(invalid());
    }
    let account = account.to_string();
    let arn_text = value.to_string();
    match *service {
        "iam" => {
            if *resource == "root" {
                return Ok(PrincipalKind::Account { account });
            }
            if let Some(rest) = resource.strip_prefix("user/") {
                if !rest.is_empty() && !rest.ends_with('/') {
                    return Ok(PrincipalKind::User {
                        arn: arn_text,
                        account,
                    });
                }
            }
            if let Some(rest) = resource.strip_prefix("role/") {
                if let Some(name) = rest.rsplit('/').next().filter(|n| !n.is_empty()) {
                    return Ok(PrincipalKind::Role {
                        arn: arn_text,
                        account,
                        name: name.to_string(),
                    });
                }
            }
            Err(invalid())
        }
        "sts" => {
            if let Some(rest) = resource.strip_prefix("assumed-role/") {
                if let Some((role, session)) = rest.split_once('/') {
                    if !role.is_empty() && !session.is_empty() {
                        return Ok(PrincipalKind::RoleSession {
                            arn: arn_text,
                            account,
                            role: role.to_string(),
                            session: session.to_string(),
                        });
                    }
                }
            }
            if let Some(name) = resource.strip_prefix("federated-user/") {
                if !name.is_empty() {
                    return Ok(PrincipalKind::FederatedUser {
                        arn: arn_text,
                        account,
                    });
                }
            }
            Err(invalid())
        }
        _ => Err(invalid()),
    }
}

/// Parses a value under `Service`, `Federated` or `CanonicalUser`.
pub fn parse_other(key: &str, value: &str) -> Result<PrincipalKind, PrincipalError> {
    if value.contains(['*', '?']) {
        return Err(PrincipalError {
            code: "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
            message: format!("wildcards are not allowed in `{key}` principals (`{value}`)"),
            hint: "name the service or provider exactly".into(),
        });
    }
    if value.is_empty() {
        return Err(PrincipalError {
            code: "INVALID_PRINCIPAL_FORMAT",
            message: format!("empty `{key}` principal"),
            hint: "name a principal or remove the entry".into(),
        });
    }
    Ok(match key {
        "Service" => PrincipalKind::Service {
            name: value.to_string(),
        },
        "Federated" => PrincipalKind::Federated {
            provider: value.to_string(),
        },
        _ => {
            if !is_canonical_user_id(value) {
                return Err(PrincipalError {
                    code: "INVALID_PRINCIPAL_FORMAT",
                    message: format!("`{value}` is not an S3 canonical user id (64 hex digits, 96 for a CloudFront origin access identity)"),
                    hint: "copy the id from `aws s3api list-buckets --query Owner.ID` (an OAI's from `aws cloudfront get-cloud-front-origin-access-identity`)".into(),
                });
            }
            PrincipalKind::CanonicalUser {
                id: value.to_ascii_lowercase(),
            }
        }
    })
}

impl fmt::Display for PrincipalEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_aws_form_spec_g9() {
        assert_eq!(parse_aws("*").unwrap(), PrincipalKind::Everyone);
        assert_eq!(
            parse_aws("111122223333").unwrap(),
            PrincipalKind::Account {
                account: "111122223333".into()
            }
        );
        assert_eq!(
            parse_aws("arn:aws:iam::111122223333:root").unwrap(),
            PrincipalKind::Account {
                account: "111122223333".into()
            }
        );
        assert!(matches!(
            parse_aws("arn:aws:iam::111122223333:user/a/b/alice").unwrap(),
            PrincipalKind::User { .. }
        ));
        assert!(matches!(
            parse_aws("arn:aws:iam::111122223333:role/path/app").unwrap(),
            PrincipalKind::Role { name, .. } if name == "app"
        ));
        assert!(matches!(
            parse_aws("arn:aws:sts::111122223333:assumed-role/app/s1").unwrap(),
            PrincipalKind::RoleSession { role, session, .. } if role == "app" && session == "s1"
        ));
        assert!(matches!(
            parse_aws("arn:aws:sts::111122223333:federated-user/bob").unwrap(),
            PrincipalKind::FederatedUser { .. }
        ));
        assert!(matches!(
            parse_aws("AIDAJQABLZS4A3QDU576Q").unwrap(),
            PrincipalKind::UniqueId { .. }
        ));
    }

    /// CloudFront Developer Guide, "Restrict access to an Amazon S3 origin"
    /// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html):
    /// an OAI is named by its ARN under `AWS` or by its S3 canonical user id.
    #[test]
    fn parses_cloudfront_origin_access_identities() {
        assert_eq!(
            parse_aws(
                "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EH1HDMB1FH2TC"
            )
            .unwrap(),
            PrincipalKind::CloudFrontOai {
                id: "EH1HDMB1FH2TC".into()
            }
        );
        for bad in [
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ",
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1 E2",
            "arn:aws:iam::cloudfront:user/alice",
            "arn:aws:iam::cloudfront:root",
        ] {
            assert_eq!(
                parse_aws(bad).unwrap_err().code,
                "INVALID_PRINCIPAL_FORMAT",
                "{bad}"
            );
        }
        let oai = "b970b42360b81c8ddbd79d2f5df0069ba9033c8a79655752abe380cd6d63ba8bcf23384d568fcf89fc49700b5e11a0fd";
        assert_eq!(
            parse_other("CanonicalUser", oai).unwrap(),
            PrincipalKind::CanonicalUser { id: oai.into() }
        );
        let account = "79A59DF900B949E55D96A1E698FBACEDFD6E09D98EACF8F8D5218E7CD47EF2BE";
        assert_eq!(
            parse_other("CanonicalUser", account).unwrap(),
            PrincipalKind::CanonicalUser {
                id: account.to_ascii_lowercase()
            }
        );
        assert!(parse_other("CanonicalUser", &oai[..80]).is_err());
    }

    #[test]
    fn rejects_partial_wildcards_and_bad_formats() {
        assert_eq!(
            parse_aws("arn:aws:iam::*:root").unwrap_err().code,
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"
        );
        assert_eq!(
            parse_aws("arn:aws:iam::1234:user/*").unwrap_err().code,
            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL"
        );
        assert_eq!(
            parse_aws("alice").unwrap_err().code,
            "INVALID_PRINCIPAL_FORMAT"
        );
        assert_eq!(
            parse_aws("arn:aws:s3:::bucket").unwrap_err().code,
            "INVALID_PRINCIPAL_FORMAT"
        );
        assert_eq!(
            parse_aws("arn:aws:iam::12345:root").unwrap_err().code,
            "INVALID_PRINCIPAL_FORMAT"
        );
        assert_eq!(
            parse_other("CanonicalUser", "abc").unwrap_err().code,
            "INVALID_PRINCIPAL_FORMAT"
        );
        assert!(parse_other("Service", "cloudtrail.amazonaws.com").is_ok());
    }
}
