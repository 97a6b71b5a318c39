//! Rails upload libraries as profiles: the operations Active Storage,
//! CarrierWave (fog-aws) and Shrine perform on S3, the IAM requests each one
//! makes (`docs/can-run.md`), whether a policy
//! allows them, and what the policy grants beyond them (least privilege).

use serde::Serialize;

use super::app_operations::operations;
use super::outcome::{self, CommandOutcome, CommandStep};
use super::requests::{Caller, Plan, PLACEHOLDER_KEY};
use crate::catalog::{AccessLevel, Destructive, Scope};
use crate::eval::policy_set::PolicySet;
use crate::explain::grants::allowed_actions;
use crate::request::Request;

/// The libraries s3guard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum App {
    /// Rails Active Storage, S3 service.
    ActiveStorage,
    /// CarrierWave with fog-aws (`storage :fog`).
    Carrierwave,
    /// Shrine, `Shrine::Storage::S3`.
    Shrine,
}

impl App {
    /// Display name and source version.
    pub fn describe(self) -> &'static str {
        match self {
            App::ActiveStorage => "Active Storage (S3 service)",
            App::Carrierwave => "CarrierWave 3.1 with fog-aws",
            App::Shrine => "Shrine 3.8 (Shrine::Storage::S3)",
        }
    }

    /// Whether the library sets a public ACL unless told otherwise.
    pub fn public_by_default(self) -> bool {
        self == App::Carrierwave
    }
}

/// One library operation and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct OperationResult {
    /// `upload`, `exists? (missing key)`, …
    pub name: String,
    /// Whether the library cannot work without it.
    pub required: bool,
    /// Whether every mandatory request is allowed.
    pub works: bool,
    /// The evaluated requests (optional ones included, marked).
    pub steps: Vec<CommandStep>,
    /// What to know about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A grant the library does not need.
#[derive(Debug, Clone, Serialize)]
pub struct Excess {
    /// `s3:DeleteBucket`.
    pub action: String,
    /// Where (`*`, `arn:aws:s3:::other/*`).
    pub scope: String,
    /// Access level.
    pub access_level: String,
    /// Deletes or changes permissions.
    pub destructive: Option<Destructive>,
}

/// The answer for an app profile.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    /// The library.
    pub library: String,
    /// The bucket.
    pub bucket: String,
    /// Configured public.
    pub public: bool,
    /// The key prefixes assumed.
    pub keys: Vec<String>,
    /// Every required operation works.
    pub works: bool,
    /// The operations.
    pub operations: Vec<OperationResult>,
    /// The actions the library needs (on the app's bucket and prefix).
    pub needed: Vec<String>,
    /// What the policies grant beyond that, destructive first.
    pub excess: Vec<Excess>,
    /// Things to know.
    pub notes: Vec<String>,
}

fn in_app_scope(arn: &str, bucket: &str, prefix: Option<&str>) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:s3:::") else {
        return false;
    };
    match rest.split_once('/') {
        None => rest == bucket,
        Some((b, k)) => b == bucket && prefix.is_none_or(|p| k.starts_with(p)),
    }
}

/// Checks a library profile against the policies for the caller of `base`.
/// `public`: the library's public setting (`None`: its default).
pub fn check(
    set: &PolicySet,
    base: &Request,
    app: App,
    bucket: &str,
    prefix: Option<&str>,
    public: Option<bool>,
) -> AppReport {
    let public = public.unwrap_or(app.public_by_default());
    let (ops, keys, mut notes) = operations(app, bucket, prefix, public);
    let mut results = Vec::new();
    let mut needed: Vec<String> = Vec::new();
    for o in ops {
        for c in &o.calls {
            if c.caller == Caller::Principal {
                for r in &c.requests {
                    if !needed.contains(&r.action) {
                        needed.push(r.action.clone());
                    }
                }
            }
        }
        let plan = Plan {
            calls: o.calls,
            notes: Vec::new(),
            keys: Vec::new(),
            placeholder: true,
        };
        let rep = outcome::evaluate(set, base, &plan);
        let works = rep.outcome == CommandOutcome::Succeeds;
        let mut steps = rep.steps;
        steps.extend(rep.optional_steps);
        results.push(OperationResult {
            name: o.name,
            required: o.required,
            works,
            steps,
            note: o.note,
        });
    }
    needed.sort();
    let mut excess = Vec::new();
    for g in allowed_actions(set, base, None) {
        let is_needed = needed.contains(&g.action);
        let mut scopes: Vec<String> = Vec::new();
        for r in &g.allowed_on {
            if is_needed && in_app_scope(&r.arn, bucket, prefix) {
                continue;
            }
            let s = if r.scopes.is_empty() {
                r.arn.clone()
            } else {
                r.scopes.join(", ")
            };
            if !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        if !scopes.is_empty() {
            excess.push(Excess {
                action: g.action.clone(),
                scope: scopes.join("; "),
                access_level: g.access_level.clone(),
                destructive: g.destructive.clone(),
            });
        }
    }
    let rank = |e: &Excess| -> (u8, u8, usize) {
        let d = match e.destructive.as_ref().map(|d| d.scope) {
            Some(Scope::Account) => 0,
            Some(Scope::Bucket) => 1,
            Some(Scope::Other) => 2,
            Some(Scope::Object) => 3,
            None => 4,
        };
        let level = AccessLevel::REPORT_ORDER
            .iter()
            .position(|l| l.as_str() == e.access_level)
            .unwrap_or(5);
        (d, u8::try_from(level).unwrap_or(5), 0)
    };
    excess.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.action.cmp(&b.action)));
    let mut shown = keys.clone();
    shown.dedup();
    notes.insert(0, format!("keys: {PLACEHOLDER_KEY} stands for the keys the library generates ({}); --prefix changes where they live", shown.join(", ")));
    let works = results.iter().filter(|r| r.required).all(|r| r.works);
    AppReport {
        library: app.describe().to_string(),
        bucket: bucket.to_string(),
        public,
        keys,
        works,
        operations: results,
        needed,
        excess,
        notes,
    }
}
