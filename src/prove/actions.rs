//! The action space of a query (spec M-1, M-2, E-10).
//!
//! Catalog actions are finitely many: each one the pattern matches is
//! checked against every statement's `Action`/`NotAction` by the evaluator's
//! own matcher, and actions that every statement treats alike form one
//! class. Actions of services outside the catalog are infinitely many
//! strings that `*`, `s3*:*`-like patterns and `NotAction` also cover: they
//! are split into regions of automata over the (lower-cased) action
//! strings, one witness action per region.

use super::alphabet::Alphabet;
use super::automaton::{Class, Tok};
use super::lang::{self, Lang};
use super::regions;
use super::shapes;
use super::statements::Stmt;
use super::Limit;
use crate::catalog::{self, ActionInfo};
use crate::matcher::{Action, ActionPattern};
use crate::policy::ActionClause;

/// Which resources requests of a class carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Targets {
    /// Only `*` (wildcard-only actions, M-6).
    Wildcard,
    /// ARNs of these resource types (M-5, M-7).
    Typed(Vec<String>),
    /// Every ARN, and `*`.
    Anything,
}

/// Actions that every statement treats alike.
#[derive(Debug, Clone)]
pub(crate) struct ActionClass {
    /// The action a witness uses.
    pub witness: String,
    /// The catalog actions of the class (empty outside the catalog).
    pub members: Vec<String>,
    /// Lower-cased service prefix of the witness.
    pub service: String,
    /// Per statement: whether its action clause covers the class.
    pub covered: Vec<bool>,
    /// The resources its requests carry.
    pub targets: Targets,
    /// The bucket owner's root user may run it whatever the bucket policy says (E-11).
    pub lockout_exempt: bool,
    /// Lower-cased condition keys of the statements that no request of the
    /// class carries (service keys its actions do not declare, spec C-15):
    /// they are absent, not free.
    pub absent_keys: Vec<String>,
    /// Whether every action of the class reads an existing object, which
    /// its owner's permissions govern (E-21): `None` when the classes are
    /// not split by it (no object owner of another account) or outside
    /// the catalog.
    pub reads_object: Option<bool>,
    /// S3 refuses every request of the class whatever its context
    /// (`BlockPublicPolicy` on `s3:PutBucketPolicy`, E-19).
    pub refused: bool,
}

/// The action classes of a query, catalog classes first.
pub(crate) struct ActionSpace {
    /// The classes.
    pub classes: Vec<ActionClass>,
    /// Catalog actions the pattern matches.
    pub catalog_actions: Vec<String>,
    /// Whether the pattern covers actions of services outside the catalog.
    pub other_services: bool,
}

/// Resource patterns whose service segment decides whether they cover the
/// `*` resource of an action (M-6 depends on the action's service).
pub(crate) fn service_segments(patterns: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in patterns {
        let parts: Vec<&str> = p.splitn(6, ':').collect();
        if parts.len() >= 4 {
            if let Some(seg) = parts.get(2) {
                if !out.iter().any(|s| s == seg) {
                    out.push(seg.to_string());
                }
            }
        }
    }
    out
}

fn rank(info: &ActionInfo) -> (u8, u8, String) {
    let plain = info
        .resource_types
        .iter()
        .any(|r| r.name == "bucket" || r.name == "object");
    let kind = if info.service == "s3" && plain {
        0
    } else if info.wildcard_only {
        2
    } else {
        1
    };
    let service = u8::from(info.service != "s3");
    (kind, service, info.iam_action.to_string())
}

/// Builds the classes. `owner_root` says the caller is the bucket owner's
/// root user (E-11); `service_patterns` are the resource patterns whose
/// service segment matters for `*` resources; `by_owner` splits classes by
/// whether their actions read an existing object (E-21); `refused` says
/// whether S3 refuses every request of an action whatever its context.
pub(crate) fn build(
    query: &str,
    stmts: &[Stmt<'_>],
    any_resource: bool,
    owner_root: bool,
    service_patterns: &[String],
    by_owner: bool,
    refused: &dyn Fn(&str) -> bool,
) -> Result<ActionSpace, Limit> {
    let cat = catalog::catalog();
    let pattern = ActionPattern::new(query);
    let mut infos: Vec<&ActionInfo> = cat
        .actions()
        .iter()
        .zip(cat.lower_names())
        .filter(|(_, l)| pattern.matches_lower(l))
        .map(|(a, _)| a)
        .collect();
    infos.sort_by_key(|a| rank(a));
    let mut tested: Vec<&str> = stmts
        .iter()
        .flat_map(|s| s.statement.condition.blocks.iter())
        .flat_map(|b| b.keys.iter().map(|k| k.key_lower.as_str()))
        .collect();
    tested.sort_unstable();
    tested.dedup();
    let mut classes: Vec<ActionClass> = Vec::new();
    for info in &infos {
        let action =
            Action::parse(info.iam_action).map_err(|e| Limit(format!("catalog action: {e}")))?;
        let covered: Vec<bool> = stmts
            .iter()
            .map(|s| s.statement.action.matches(&action))
            .collect();
        let targets = if any_resource {
            Targets::Anything
        } else if info.wildcard_only {
            Targets::Wildcard
        } else {
            let mut names: Vec<String> = info
                .resource_types
                .iter()
                .map(|r| r.name.to_string())
                .collect();
            names.sort();
            names.dedup();
            if names.is_empty() {
                Targets::Anything
            } else {
                Targets::Typed(names)
            }
        };
        let lockout_exempt = owner_root
            && matches!(
                action.lower(),
                "s3:getbucketpolicy" | "s3:putbucketpolicy" | "s3:deletebucketpolicy"
            );
        let service = action.service().to_string();
        let absent_keys: Vec<String> = tested
            .iter()
            .filter(|k| !info.can_carry_key(k))
            .map(|k| k.to_string())
            .collect();
        let reads_object =
            by_owner.then(|| crate::eval::acl::reads_existing_object(action.lower()));
        let is_refused = refused(info.iam_action);
        match classes.iter_mut().find(|c| {
            c.covered == covered
                && c.service == service
                && c.targets == targets
                && c.lockout_exempt == lockout_exempt
                && c.absent_keys == absent_keys
                && c.reads_object == reads_object
                && c.refused == is_refused
        }) {
            Some(c) => c.members.push(info.iam_action.to_string()),
            None => classes.push(ActionClass {
                witness: info.iam_action.to_string(),
                members: vec![info.iam_action.to_string()],
                service,
                covered,
                targets,
                lockout_exempt,
                absent_keys,
                reads_object,
                refused: is_refused,
            }),
        }
    }
    let catalog_actions: Vec<String> = infos.iter().map(|a| a.iam_action.to_string()).collect();
    let others = other_services(query, stmts, service_patterns)?;
    let other_services = !others.is_empty();
    classes.extend(others);
    Ok(ActionSpace {
        classes,
        catalog_actions,
        other_services,
    })
}

fn clause_lang(clause: &ActionClause) -> Lang {
    let any = Lang::Or(
        clause
            .patterns()
            .iter()
            .map(|p| lang::action_pattern(p.as_str()))
            .collect(),
    );
    if clause.is_not() {
        any.not()
    } else {
        any
    }
}

/// Regions of the actions of services outside the catalog.
fn other_services(
    query: &str,
    stmts: &[Stmt<'_>],
    service_patterns: &[String],
) -> Result<Vec<ActionClass>, Limit> {
    let cat = catalog::catalog();
    let q = lang::action_pattern(query);
    let known = Lang::Or(
        cat.services()
            .iter()
            .map(|s| Lang::prefix(&format!("{}:", s.prefix.to_lowercase())))
            .collect(),
    );
    let mut preds: Vec<Lang> = Vec::new();
    for s in stmts.iter().filter(|s| s.eligible) {
        let l = clause_lang(&s.statement.action);
        if !preds.contains(&l) {
            preds.push(l);
        }
    }
    for seg in service_patterns {
        let mut t = lang::glob(seg, &Class::no_colon());
        t.push(Tok::Lit(':'));
        t.push(Tok::Star(Class::Any));
        let l = Lang::seq(t);
        if !preds.contains(&l) {
            preds.push(l);
        }
    }
    let mut chars: Vec<char> = vec![':'];
    q.chars(&mut chars);
    known.chars(&mut chars);
    for p in &preds {
        p.chars(&mut chars);
    }
    let alpha = Alphabet::new(chars);
    let base = Lang::And(vec![q, lang::action_valid(&alpha), known.not()]).compile(&alpha)?;
    if base.is_empty() {
        return Ok(Vec::new());
    }
    let dfas = regions::compile_all(&alpha, &preds)?;
    let nice = regions::compile_all(&alpha, &shapes::nice_strings())?;
    let cells = regions::split(
        &alpha,
        base,
        &dfas,
        &nice,
        2000,
        "actions of other services",
    )?;
    let mut out = Vec::new();
    for cell in cells {
        let action = Action::parse(&cell.witness)
            .map_err(|e| Limit(format!("internal: witness action: {e}")))?;
        out.push(ActionClass {
            witness: cell.witness.clone(),
            members: Vec::new(),
            service: action.service().to_string(),
            covered: stmts
                .iter()
                .map(|s| s.statement.action.matches(&action))
                .collect(),
            targets: Targets::Anything,
            lockout_exempt: false,
            // outside the catalog, s3guard does not know which keys are sent
            absent_keys: Vec::new(),
            // no action outside the catalog reads an object (E-21)
            reads_object: Some(false),
            refused: false,
        });
    }
    Ok(out)
}
