//! The account review (`s3guard review --account`): every principal's
//! verdict row ([`crate::review::AccountReview`]), computed with the
//! review's own matrix and verdict ([`Matrix::compute_for`](crate::review::Matrix::compute_for),
//! [`Verdict::of`]) over the actions the verdict's questions name
//! ([`crate::review::asks_about`]); the last question of `review`'s
//! verdict (every other destructive action) is left out: `principal-can`
//! answers it for one principal.
//!
//! Scale comes from asking little, once:
//!
//! - the columns of a principal are the buckets its own S3 statements name
//!   (all buckets with a policy when a statement covers any bucket), the
//!   buckets whose policy grants it something, "any other bucket" and the
//!   account; a bucket whose policy neither grants it anything nor meets a
//!   grant of its own answers as "any other bucket" does;
//! - principals whose S3 statements have the same content (and who are of
//!   the same kind and account, and whom the bucket policies name the same
//!   way) share one matrix, as in `who-can` (`access::share`);
//! - the distinct matrices are computed on every core.

use std::collections::HashMap;
use std::sync::Arc;

use super::account::{Analysis, PrincipalKind};
use super::columns::Columns;
use super::decide::Question;
use super::escalation::Escalation;
use super::share::{caller_part, guardrails, Contents};
use super::who_can::{assumed_own_policies, external_principals, Kind, OTHER_ACCOUNT};
use crate::catalog::{self, ActionInfo};
use crate::diagnostic::Diagnostic;
use crate::matcher::{Action, NoVariables, Resource};
use crate::policy::{PolicyType, Statement};
use crate::review::{asks_about, AccountReview, AccountRow, Verdict, OTHERS_TOPIC};
use crate::sources::NamedPolicy;

/// A bucket no policy names: stands for "any other bucket" when deciding
/// whether a statement reaches buckets it does not name.
const OTHER_BUCKET: &str = "arn:aws:s3:::s3guard-other-bucket";

/// What a principal's row is computed from.
struct Job<'a> {
    /// The caller (`can --principal`).
    caller: String,
    /// Its tags.
    tags: &'a [(String, String)],
    /// Identity policies (with the assumed ones of outside principals).
    identity: Vec<NamedPolicy>,
    /// Its boundary.
    boundary: Option<NamedPolicy>,
    /// Indices of the bucket policies that take part.
    buckets: Vec<usize>,
    /// Whether SCPs apply (principals of the data).
    scps: bool,
}

/// The verdict's actions, parsed once.
struct Asked {
    actions: Vec<(&'static ActionInfo, Action)>,
}

/// Whether an action can target buckets or objects (not only `*`).
fn on_buckets(info: &ActionInfo) -> bool {
    info.supports_resource_type("bucket") || info.supports_resource_type("object")
}

impl Asked {
    fn new() -> Asked {
        Asked {
            actions: catalog::catalog()
                .actions()
                .iter()
                .filter(|a| asks_about(a))
                .filter_map(|a| Action::parse(a.iam_action).ok().map(|p| (a, p)))
                .collect(),
        }
    }

    /// Whether a statement covers an action the verdict asks about.
    fn concerns(&self, st: &Statement) -> bool {
        self.actions.iter().any(|(_, a)| st.action.matches(a))
    }

    /// Whether a statement covers such an action on buckets or objects.
    fn concerns_buckets(&self, st: &Statement) -> bool {
        self.actions
            .iter()
            .any(|(info, a)| on_buckets(info) && st.action.matches(a))
    }
}

/// The buckets (indices into `a.buckets`) a statement's resources reach
/// among those with a policy; all of them when it reaches a bucket no
/// policy names.
fn reached(a: &Analysis, st: &Statement, other: &Resource) -> Vec<usize> {
    let any_bucket = st.resource.patterns().iter().any(|p| p.has_variables())
        || st.resource.matches(other, "s3", &NoVariables)
        || {
            let objects = Resource::parse(&format!("{OTHER_BUCKET}/k")).ok();
            objects.is_some_and(|o| st.resource.matches(&o, "s3", &NoVariables))
        };
    a.buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            any_bucket || {
                let bucket = Resource::parse(&format!("arn:aws:s3:::{}", b.bucket)).ok();
                let objects = Resource::parse(&format!("arn:aws:s3:::{}/k", b.bucket)).ok();
                bucket.is_some_and(|r| st.resource.matches(&r, "s3", &NoVariables))
                    || objects.is_some_and(|r| st.resource.matches(&r, "s3", &NoVariables))
                    || st
                        .resource
                        .patterns()
                        .iter()
                        .any(|p| p.fixed_first_component() == Some(b.bucket.as_str()))
            }
        })
        .map(|(i, _)| i)
        .collect()
}

/// Computes the account review.
pub fn account_review(
    a: &Analysis,
    escalation: Option<&Escalation>,
) -> Result<AccountReview, Vec<Diagnostic>> {
    let asked = Asked::new();
    let other = Resource::parse(OTHER_BUCKET)
        .map_err(|e| vec![Diagnostic::error("INTERNAL", e.to_string())])?;
    let principals = a.model.principals();
    let mut contents = Contents::default();
    // Any S3 action: the statements of bucket policies that name principals.
    let everyone_q = Question::new("s3:*", "arn:aws:s3:::*")?;
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let mut firsts: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut job_of: Vec<usize> = Vec::with_capacity(principals.len());
    let mut reach_memo: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for p in principals {
        let req = a.base_request(&p.arn, &p.tags)?;
        let mut key: Vec<u64> = vec![
            p.kind as u64,
            a.model
                .accounts()
                .iter()
                .position(|x| *x == p.account)
                .unwrap_or(usize::MAX) as u64,
            u64::from(p.boundary.is_some())
                // guardrails do not restrict service-linked roles (E-4)
                | u64::from(p.arn.contains(":role/aws-service-role/")) << 1,
        ];
        let mut alone = false;
        let mut met: Vec<(usize, usize)> = Vec::new();
        // The caller's values of the caller-derived keys the statements
        // test (identity, boundary, bucket and access point policies,
        // guardrails): equal values, equal answers.
        let mut callers: Vec<u64> = Vec::new();
        let mut depends = |st: &Statement, callers: &mut Vec<u64>| {
            if caller_dependent(st) && !caller_part(st, &req, callers) {
                alone = true;
            }
        };
        let mut buckets: Vec<usize> = Vec::new();
        let own = p
            .identity
            .iter()
            .map(|n| (1u64, &n.policy))
            .chain(p.boundary.iter().map(|n| (2u64, &n.policy)));
        for (layer, policy) in own {
            for st in &policy.statements {
                if !asked.concerns(st) {
                    continue;
                }
                depends(st, &mut callers);
                // The same statement reached twice (a policy attached and
                // through a group) is worded once, two copies twice: a
                // repeat counts apart from a copy.
                let at = (Arc::as_ptr(policy) as usize, st.index);
                let repeat = u64::from(met.contains(&at)) << 39;
                met.push(at);
                key.push(layer << 40 | repeat | u64::from(contents.id(policy, st)));
                // Only an Allow of its own brings a bucket in: elsewhere a
                // bucket answers as "any other bucket" does.
                if layer == 1
                    && st.effect == crate::policy::Effect::Allow
                    && asked.concerns_buckets(st)
                {
                    let at = (Arc::as_ptr(policy) as usize, st.index);
                    let reach = reach_memo
                        .entry(at)
                        .or_insert_with(|| reached(a, st, &other));
                    buckets.extend(reach.iter().copied());
                }
            }
        }
        // Bucket policies that grant it something, and how they name it.
        for (bi, bp) in a.buckets.iter().enumerate() {
            for st in &bp.policy.policy.statements {
                let Some(clause) = &st.principal else {
                    continue;
                };
                if !asked.concerns(st) {
                    continue;
                }
                let Some(how) = crate::eval::principal_match::match_clause(
                    clause,
                    PolicyType::Resource,
                    &req,
                    &a.options,
                    p.boundary.is_some(),
                ) else {
                    continue;
                };
                if st.effect == crate::policy::Effect::Allow {
                    buckets.push(bi);
                }
                depends(st, &mut callers);
                key.push(3 << 40 | (bi as u64) << 20 | (st.index as u64) << 4 | how as u64);
            }
        }
        // The access point's policies, and how they name it (AP-1).
        for (ai, n) in a.access_points.iter().enumerate() {
            for st in &n.policy.statements {
                let Some(clause) = &st.principal else {
                    continue;
                };
                if !asked.concerns(st) {
                    continue;
                }
                let Some(how) = crate::eval::principal_match::match_clause(
                    clause,
                    PolicyType::AccessPoint,
                    &req,
                    &a.options,
                    p.boundary.is_some(),
                ) else {
                    continue;
                };
                depends(st, &mut callers);
                key.push(4 << 40 | (ai as u64) << 20 | (st.index as u64) << 4 | how as u64);
            }
        }
        // The guardrails every principal meets: one that tests the caller
        // or names principals answers per principal.
        for (ci, (layer, policy)) in guardrails(a).enumerate() {
            for st in &policy.statements {
                if !asked.concerns(st) {
                    continue;
                }
                let how = match &st.principal {
                    None => 0,
                    Some(clause) => crate::eval::principal_match::match_clause(
                        clause,
                        layer,
                        &req,
                        &a.options,
                        p.boundary.is_some(),
                    )
                    .map_or(0xff, |m| 1 + m as u64),
                };
                depends(st, &mut callers);
                if how != 0 {
                    key.push(5 << 40 | (ci as u64) << 20 | (st.index as u64) << 8 | how);
                }
            }
        }
        buckets.sort_unstable();
        buckets.dedup();
        let head = key.len().min(3);
        if let Some(rest) = key.get_mut(head..) {
            rest.sort_unstable();
        }
        callers.sort_unstable();
        key.push(u64::MAX);
        key.extend(callers);
        if alone {
            key.push(u64::MAX - job_of.len() as u64);
        }
        let j = match firsts.get(&key) {
            Some(j) => *j,
            None => {
                jobs.push(Job {
                    caller: p.arn.clone(),
                    tags: &p.tags,
                    identity: p.identity.clone(),
                    boundary: p.boundary.clone(),
                    buckets,
                    scps: true,
                });
                firsts.insert(key, jobs.len() - 1);
                jobs.len() - 1
            }
        };
        job_of.push(j);
    }
    // Principals the bucket policies name from outside the data: (label,
    // the label the policies use, caller, kind, own policies assumed).
    let own = assumed_own_policies();
    let mut named_by: Vec<Vec<(String, String, Kind)>> = a
        .buckets
        .iter()
        .map(|bp| external_principals(a, &everyone_q, &bp.policy.policy))
        .collect();
    // Principals the access point policies name reach the bucket behind it
    // (through the access point, AP-1).
    let behind = a
        .options
        .access_point
        .as_ref()
        .and_then(|ap| a.buckets.iter().position(|b| b.bucket == ap.bucket));
    let by_access_point: Vec<(String, String, Kind)> = a
        .access_points
        .iter()
        .flat_map(|n| external_principals(a, &everyone_q, &n.policy))
        .collect();
    if let Some(bi) = behind {
        if let Some(names) = named_by.get_mut(bi) {
            for e in &by_access_point {
                if !names.iter().any(|(l, _, _)| *l == e.0) {
                    names.push(e.clone());
                }
            }
        }
    } else if !by_access_point.is_empty() {
        // the bucket behind has no policy: the principals still get a row
        named_by.push(by_access_point);
    }
    let mut outside: Vec<(String, String, String, Kind)> = Vec::new();
    for (label, caller, kind) in named_by.iter().flatten() {
        let mut add = |shown: String, caller: String, kind: Kind| {
            if !outside.iter().any(|o| o.0 == shown) {
                outside.push((shown, label.clone(), caller, kind));
            }
        };
        add(label.clone(), caller.clone(), *kind);
        if *kind == Kind::Anyone {
            add(
                format!("{label} (any authenticated principal)"),
                format!("arn:aws:iam::{OTHER_ACCOUNT}:user/any-authenticated-principal"),
                Kind::AnyAuthenticated,
            );
        }
    }
    let first_outside = jobs.len();
    for (_, label, caller, kind) in &outside {
        let assumed = matches!(
            kind,
            Kind::ExternalAccount | Kind::ExternalPrincipal | Kind::AnyAuthenticated
        );
        jobs.push(Job {
            caller: caller.clone(),
            tags: &[],
            identity: own.iter().filter(|_| assumed).cloned().collect(),
            boundary: None,
            buckets: named_by
                .iter()
                .enumerate()
                .filter(|(b, names)| {
                    *b < a.buckets.len() && names.iter().any(|(l, _, _)| l == label)
                })
                .map(|(b, _)| b)
                .collect(),
            scps: false,
        });
    }
    let own_policies: Vec<&Arc<crate::policy::Policy>> = own.iter().map(|n| &n.policy).collect();
    let columns = Columns::new(a, &asked.actions, &own_policies);
    let verdicts: Vec<Result<Row, Vec<Diagnostic>>> =
        crate::parallel::map_costly(&jobs, |job| row_of(a, job, &columns));
    let mut computed = Vec::with_capacity(verdicts.len());
    for v in verdicts {
        computed.push(v?);
    }
    let mut notes: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(principals.len() + outside.len());
    for (i, (p, j)) in principals.iter().zip(&job_of).enumerate() {
        let Some((verdict, job_notes)) = computed.get(*j) else {
            continue;
        };
        for n in job_notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        rows.push(AccountRow {
            principal: p.arn.clone(),
            kind: match p.kind {
                PrincipalKind::User => "user".into(),
                PrincipalKind::Role => "role".into(),
            },
            verdict: verdict.clone(),
            escalation: escalation
                .and_then(|e| e.escalates(i))
                .map(|x| x.to_string()),
        });
    }
    for (i, (shown, _, _, kind)) in outside.iter().enumerate() {
        if let Some((verdict, _)) = computed.get(first_outside + i) {
            rows.push(AccountRow {
                principal: shown.clone(),
                kind: kind_name(*kind).to_string(),
                verdict: verdict.clone(),
                escalation: None,
            });
        }
    }
    notes.push("each principal is reviewed as `s3guard review` reviews a policy set: its identity policies and boundary, the bucket policies that reach it, the SCPs and RCPs; requests carry what `s3guard can` fills in (`aws:SecureTransport` true, the current time, the caller's keys), every other context key is unknown".into());
    if !outside.is_empty() {
        notes.push(
            "principals outside the data are assumed to be allowed by their own identity policies"
                .into(),
        );
    }
    Ok(AccountReview {
        accounts: a.model.accounts().to_vec(),
        buckets: a.known_buckets(),
        principals_in_data: principals.len(),
        rows,
        notes,
    })
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::User => "user",
        Kind::Role => "role",
        Kind::ExternalAccount => "external-account",
        Kind::ExternalPrincipal => "external-principal",
        Kind::Service => "service",
        Kind::Anyone => "anyone",
        Kind::AnyAuthenticated => "any-authenticated",
    }
}

/// Keys derived from the caller: a statement testing one answers per principal.
fn caller_dependent(st: &Statement) -> bool {
    super::share::caller_dependent(st)
}

/// A computed row: the verdict and the notes of its matrix.
type Row = (Verdict, Vec<String>);

/// One row: the matrix of the job's policy set over its columns, and its verdict.
fn row_of(a: &Analysis, job: &Job<'_>, columns: &Columns<'_>) -> Result<Row, Vec<Diagnostic>> {
    let buckets: Vec<&super::BucketPolicy> = job
        .buckets
        .iter()
        .filter_map(|bi| a.buckets.get(*bi))
        .collect();
    let names: Vec<String> = buckets.iter().map(|b| b.bucket.clone()).collect();
    let set = a
        .layered_set(
            &job.identity,
            job.boundary.as_ref(),
            buckets.iter().copied(),
            job.scps,
        )
        .set;
    let base = a.base_request(&job.caller, job.tags)?;
    // The columns `review` asks for this set: every layer's resources
    // (boundary and guardrails included), the buckets that take part, and
    // the requests through the access point (AP-1).
    let classes = columns.classes(&set, &base, &names);
    let matrix = columns.matrix(a, &set, classes.classes, &base);
    let mut notes = classes.notes;
    notes.extend(matrix.notes.iter().cloned());
    let mut verdict = Verdict::of(&matrix);
    // The matrix holds the questions' actions only: the last question
    // (every other destructive action) is not asked here.
    verdict.items.retain(|i| i.topic != OTHERS_TOPIC);
    Ok((verdict, notes))
}

/// The policies of a principal that concern the verdict (for tests).
#[cfg(test)]
fn concerning(p: &super::account::AccountPrincipal) -> usize {
    let asked = Asked::new();
    p.identity
        .iter()
        .flat_map(|n| n.policy.statements.iter())
        .filter(|s| asked.concerns(s))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::Source;

    fn analysis() -> Analysis {
        let source = Source::open("policies/account/example-account.json").unwrap();
        let dump = source.account_dump(false).unwrap();
        let model =
            crate::access::AccountModel::from_dumps(&[("example-account.json".into(), dump)])
                .unwrap();
        Analysis {
            model,
            ..Analysis::default()
        }
    }

    /// Each row is the verdict `review` gives for that principal's policy
    /// set (one truth: the same matrix, the same verdict).
    #[test]
    fn rows_are_the_review_verdicts_of_each_principal() {
        let a = analysis();
        let r = account_review(&a, None).unwrap();
        assert_eq!(r.rows.len(), a.model.principals().len());
        for (row, p) in r.rows.iter().zip(a.model.principals()) {
            let ps = a.principal_set_all_buckets(p);
            let base = a
                .builder_for(&p.arn, &p.tags)
                .build("s3:ListAllMyBuckets", "*")
                .unwrap();
            let review = crate::review::Review::new(&ps.set, &base, &a.known_buckets());
            for (mine, theirs) in row.verdict.items.iter().zip(&review.verdict.items) {
                assert_eq!(mine.topic, theirs.topic);
                assert_eq!(mine.answer, theirs.answer, "{} {}", p.arn, mine.topic);
                assert_eq!(
                    mine.conditional, theirs.conditional,
                    "{} {}",
                    p.arn, mine.topic
                );
            }
            if concerning(p) == 0 {
                assert!(!row.has_access(), "{}", p.arn);
            }
        }
    }
}
