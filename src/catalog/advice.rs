//! Resource types of ARNs and advice about requests that cannot happen as
//! asked (spec M-5, M-6, M-7).

use crate::matcher::{ArnRef, Resource};

/// The resource types of the `s3` ARNs with a region or an account that
/// are not access points, by the start of their resource part, in the order
/// M-5 tries them: the first prefix the resource part starts with decides.
pub const S3_RESOURCE_PREFIXES: [(&str, &str); 7] = [
    ("job/", "job"),
    ("storage-lens-group/", "storagelensgroup"),
    ("storage-lens/", "storagelensconfiguration"),
    ("access-grants/default/location/", "accessgrantslocation"),
    ("access-grants/default/grant/", "accessgrant"),
    ("access-grants/default", "accessgrantsinstance"),
    ("async-request/mrap/", "multiregionaccesspointrequestarn"),
];

/// The resource type an ARN has, inferred from its shape (M-5 order).
pub fn resource_type_of(arn: ArnRef<'_>) -> Option<&'static str> {
    let r = arn.resource();
    match arn.service() {
        "s3" => {
            if arn.region().is_empty() && arn.account().is_empty() {
                return Some(if r.contains('/') { "object" } else { "bucket" });
            }
            if let Some(rest) = r.strip_prefix("accesspoint/") {
                if arn.region().is_empty() {
                    return Some("multiregionaccesspoint");
                }
                return Some(if rest.contains("/object/") {
                    "accesspointobject"
                } else {
                    "accesspoint"
                });
            }
            S3_RESOURCE_PREFIXES
                .iter()
                .find(|(p, _)| r.starts_with(p))
                .map(|(_, t)| *t)
        }
        "s3express" => {
            if r.starts_with("bucket/") {
                Some("bucket")
            } else if r.starts_with("accesspoint/") {
                Some("accesspoint")
            } else {
                None
            }
        }
        "s3-object-lambda" => r
            .starts_with("accesspoint/")
            .then_some("objectlambdaaccesspoint"),
        _ => None,
    }
}

/// Why an action is missing from s3guard's catalog. A request for such an
/// action never reaches AWS's authorization as asked (a typo such as
/// `s3:DeleteBuckets`), so an answer about it would be right only by
/// accident: commands treat it as invalid input unless told otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownAction {
    /// The catalog has no service of that prefix.
    Service {
        /// The prefixes the catalog has.
        known: Vec<String>,
    },
    /// The service is in the catalog, the action is not.
    Action {
        /// The closest catalog action, if any is close.
        suggestion: Option<String>,
    },
}

impl UnknownAction {
    /// A one-line explanation, naming the action.
    pub fn message(&self, action: &crate::matcher::Action) -> String {
        match self {
            UnknownAction::Service { .. } => format!(
                "s3guard's catalog has no service `{}`, so it cannot know `{action}`",
                action.service()
            ),
            UnknownAction::Action { .. } => format!(
                "`{action}` is not an action of the `{}` catalog: no real request carries it",
                action.service()
            ),
        }
    }

    /// What to do instead: the closest action, or the services known.
    pub fn hint(&self, action: &crate::matcher::Action) -> String {
        match self {
            UnknownAction::Service { known } => {
                format!("s3guard knows the actions of {}", known.join(", "))
            }
            UnknownAction::Action {
                suggestion: Some(s),
            } => crate::diagnostic::did_you_mean_hint(action.as_str(), s),
            UnknownAction::Action { suggestion: None } => {
                format!("see `s3guard actions '{}:*'`", action.service())
            }
        }
    }
}

/// Whether the catalog has the action; why not when it does not.
pub fn unknown_action(action: &crate::matcher::Action) -> Option<UnknownAction> {
    let cat = super::catalog();
    if action.catalog_index().is_some() {
        return None;
    }
    if !cat.knows_service(action.service()) {
        return Some(UnknownAction::Service {
            known: cat
                .services()
                .iter()
                .map(|s| s.prefix.to_string())
                .collect(),
        });
    }
    Some(UnknownAction::Action {
        suggestion: cat.suggest(action.as_str()).map(str::to_string),
    })
}

/// Warnings about a request that AWS would never evaluate that way: an
/// unknown action, or an action asked about a resource type it does not
/// apply to (`s3:GetObject` on a bucket ARN), with what to ask instead.
pub fn request_warnings(action: &crate::matcher::Action, resource: &Resource) -> Vec<String> {
    let cat = super::catalog();
    let mut out = Vec::new();
    let Some(info) = action
        .catalog_index()
        .and_then(|i| cat.actions().get(i as usize))
    else {
        if cat.knows_service(action.service()) {
            let hint = cat
                .suggest(action.as_str())
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            out.push(format!(
                "{action} is not an action of the {} catalog{hint}: no real request carries it",
                action.service()
            ));
        }
        return out;
    };
    match resource {
        Resource::Wildcard if !info.wildcard_only => {
            let kinds: Vec<&str> = info.resource_types.iter().map(|r| r.name).collect();
            out.push(format!(
                "{} applies to {} ARNs, not to `*` (spec M-6); ask about a concrete ARN such as {}",
                info.iam_action,
                kinds.join(" / "),
                example_arn(
                    info.resource_types
                        .first()
                        .map(|r| r.name)
                        .unwrap_or("object")
                )
            ));
        }
        Resource::Arn(arn) if info.wildcard_only => {
            out.push(format!(
                "{} has no resource type: AWS evaluates it against `*`, never against {arn} (spec M-6); ask `s3guard can {} '*'`",
                info.iam_action, info.iam_action
            ));
        }
        Resource::Arn(arn) => {
            let Some(kind) = resource_type_of(arn.as_ref()) else {
                return out;
            };
            if !info.supports_resource_type(kind) {
                let wanted: Vec<&str> = info.resource_types.iter().map(|r| r.name).collect();
                let instead = if kind == "bucket" && wanted.contains(&"object") {
                    format!("{arn}/KEY")
                } else if kind == "object" && wanted.contains(&"bucket") {
                    let bucket = arn.resource().split('/').next().unwrap_or_default();
                    format!("arn:{}:s3:::{bucket}", arn.partition())
                } else {
                    wanted
                        .first()
                        .map(|k| example_arn(k))
                        .unwrap_or_else(|| "another resource".into())
                };
                out.push(format!(
                    "{} applies to {} resources, but {arn} is a {kind} (spec M-7): this request never happens; ask about {instead} instead",
                    info.iam_action,
                    wanted.join(" / ")
                ));
            }
        }
        Resource::Wildcard => {}
    }
    out
}

fn example_arn(kind: &str) -> String {
    match kind {
        "object" => "arn:aws:s3:::BUCKET/KEY".into(),
        "bucket" => "arn:aws:s3:::BUCKET".into(),
        other => super::catalog()
            .resource_types()
            .iter()
            .find(|r| r.name == other)
            .map(|r| r.arn_pattern.replace("${Partition}", "aws"))
            .unwrap_or_else(|| other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::{Action, Arn};

    fn kind(a: &str) -> Option<&'static str> {
        resource_type_of(Arn::parse(a).unwrap().as_ref())
    }

    #[test]
    fn infers_resource_types_spec_m5() {
        assert_eq!(kind("arn:aws:s3:::prod"), Some("bucket"));
        assert_eq!(kind("arn:aws:s3:::prod/a/b"), Some("object"));
        assert_eq!(
            kind("arn:aws:s3:us-east-1:111122223333:accesspoint/r"),
            Some("accesspoint")
        );
        assert_eq!(
            kind("arn:aws:s3:us-east-1:111122223333:accesspoint/r/object/k"),
            Some("accesspointobject")
        );
        assert_eq!(
            kind("arn:aws:s3::111122223333:accesspoint/x.mrap"),
            Some("multiregionaccesspoint")
        );
        assert_eq!(
            kind("arn:aws:s3:us-east-1:111122223333:job/abc"),
            Some("job")
        );
        assert_eq!(
            kind("arn:aws:s3express:us-west-2:111:bucket/b--usw2-az1--x-s3"),
            Some("bucket")
        );
    }

    fn warn(action: &str, resource: &str) -> Vec<String> {
        request_warnings(
            &Action::parse(action).unwrap(),
            &Resource::parse(resource).unwrap(),
        )
    }

    #[test]
    fn warns_about_requests_that_never_happen_spec_m7() {
        let w = warn("s3:GetObject", "arn:aws:s3:::bucket");
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("applies to")
                && w[0].contains("object")
                && w[0].contains("arn:aws:s3:::bucket/KEY"),
            "{w:?}"
        );
        let w = warn("s3:ListBucket", "arn:aws:s3:::bucket/k");
        assert!(
            w[0].contains("ask about arn:aws:s3:::bucket instead"),
            "{w:?}"
        );
        let w = warn("s3:ListAllMyBuckets", "arn:aws:s3:::bucket");
        assert!(w[0].contains("'*'"), "{w:?}");
        assert!(warn("s3:GetObject", "arn:aws:s3:::bucket/k").is_empty());
        assert!(warn("s3:ListAllMyBuckets", "*").is_empty());
        let w = warn("s3:GetObjects", "arn:aws:s3:::b/k");
        assert!(w[0].contains("did you mean s3:GetObject"), "{w:?}");
        assert!(warn("ec2:RunInstances", "*").is_empty());
    }
}
