//! Lowering `Principal`/`NotPrincipal`: which entries a policy type allows,
//! and each entry parsed into what it names (spec E-8, E-9, G-5).

use super::{Elements, Lowerer, Place};
use crate::diagnostic::{did_you_mean, Severity};
use crate::json::{pointer, Kind, Value};
use crate::policy::principal::{parse_aws, parse_other, PrincipalClause, PrincipalEntry};
use crate::policy::statement::Effect;
use crate::policy::PolicyType;

impl Lowerer<'_> {
    pub(super) fn principal(
        &mut self,
        st: &Elements<'_>,
        sp: &str,
        effect: Option<Effect>,
    ) -> Option<PrincipalClause> {
        let ptype = self.options.policy_type;
        let present = st.get("Principal").or(st.get("NotPrincipal"));
        if !ptype.has_principals() {
            if let Some(v) = present {
                let name = if st.get("Principal").is_some() {
                    "Principal"
                } else {
                    "NotPrincipal"
                };
                let a = if ptype == PolicyType::Identity {
                    "an"
                } else {
                    "a"
                };
                self.error(
                    "UNSUPPORTED_PRINCIPAL",
                    format!("`{name}` is not allowed in {a} {}", ptype.describe()),
                    v.span,
                    &pointer::join(sp, name),
                    &format!(
                        "{a} {} applies to the principal it is attached to; remove `{name}` (or load the file as a bucket policy)",
                        ptype.describe()
                    ),
                );
            }
            return None;
        }
        let Some((is_not, v)) = self.exclusive(st, sp, ("Principal", "NotPrincipal")) else {
            if present.is_none() {
                self.error(
                    "MISSING_PRINCIPAL",
                    format!("a {} statement needs `Principal` (or `NotPrincipal`)", ptype.describe()),
                    st.span,
                    sp,
                    "add \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"} (or \"*\" with a condition)",
                );
            }
            return None;
        };
        let name = if is_not { "NotPrincipal" } else { "Principal" };
        let p = pointer::join(sp, name);
        if is_not && ptype == PolicyType::Rcp {
            self.error(
                "UNSUPPORTED_ELEMENT",
                "`NotPrincipal` is not supported in RCPs".into(),
                v.span,
                &p,
                "use \"Principal\": \"*\" with conditions",
            );
            return None;
        }
        if is_not && effect == Some(Effect::Allow) {
            let severity = if self.options.strict {
                Severity::Error
            } else {
                Severity::SecurityWarning
            };
            self.emit(
                severity,
                "ALLOW_WITH_NOT_PRINCIPAL",
                "`NotPrincipal` with `Allow` grants access to everyone not listed, anonymous callers included".into(),
                v.span,
                &p,
                Some("use `Principal` with the callers to allow".into()),
            );
        }
        // one entry per string (a policy of one principal is the common case)
        let mut entries = Vec::with_capacity(match &v.kind {
            Kind::Object(members) => members
                .iter()
                .map(|m| m.value.as_array().map_or(1, <[Value]>::len))
                .sum(),
            _ => 1,
        });
        match &v.kind {
            Kind::String(s) if s == "*" => entries.push(PrincipalEntry {
                kind: crate::policy::PrincipalKind::Everyone,
                text: "*".into(),
                pointer: p.clone(),
            }),
            Kind::String(s) => self.error(
                "INVALID_PRINCIPAL_FORMAT",
                format!("`{name}` as a string must be \"*\", found `{s}`"),
                v.span,
                &p,
                "write {\"AWS\": \"...\"} to name an account, user or role",
            ),
            Kind::Object(members) => {
                if members.is_empty() {
                    self.emit(
                        Severity::Suggestion,
                        "EMPTY_OBJECT_PRINCIPAL",
                        format!("`{name}` is an empty object: it names nobody"),
                        v.span,
                        &p,
                        None,
                    );
                }
                for m in members {
                    let kp = pointer::join(&p, &m.key);
                    if !["AWS", "Service", "Federated", "CanonicalUser"].contains(&m.key.as_str()) {
                        self.error(
                            "INVALID_PRINCIPAL_KEY",
                            format!("unknown principal type `{}`", m.key),
                            m.key_span,
                            &kp,
                            &match did_you_mean(
                                &m.key,
                                ["AWS", "Service", "Federated", "CanonicalUser"],
                            ) {
                                Some(s) => crate::diagnostic::did_you_mean_hint(&m.key, s),
                                None => "use AWS, Service, Federated or CanonicalUser".into(),
                            },
                        );
                        continue;
                    }
                    for (text, item, at) in self.strings(&m.value, Place::at(&kp), name) {
                        let ip = at.pointer();
                        let parsed = if m.key == "AWS" {
                            parse_aws(text)
                        } else {
                            parse_other(&m.key, text)
                        };
                        match parsed {
                            Ok(kind) => {
                                if ptype == PolicyType::Rcp
                                    && kind != crate::policy::PrincipalKind::Everyone
                                {
                                    self.error(
                                        "INVALID_RCP_PRINCIPAL",
                                        "RCP statements must use \"Principal\": \"*\"".into(),
                                        item.span,
                                        &ip,
                                        "restrict callers with conditions instead",
                                    );
                                }
                                entries.push(PrincipalEntry {
                                    kind,
                                    text: text.to_string(),
                                    pointer: ip,
                                });
                            }
                            Err(e) => self.error(e.code, e.message, item.span, &ip, &e.hint),
                        }
                    }
                }
            }
            _ => self.type_error(v, &p, "\"*\" or an object such as {\"AWS\": \"...\"}"),
        }
        if ptype == PolicyType::Rcp
            && entries
                .iter()
                .any(|e| e.kind != crate::policy::PrincipalKind::Everyone)
        {
            return None;
        }
        Some(if is_not {
            PrincipalClause::NotPrincipal(entries)
        } else {
            PrincipalClause::Principal(entries)
        })
    }
}
