//! The access matrix: for every catalog action and every resource class it
//! applies to, what the real evaluator ([`PolicySet::evaluate`]) answers.
//!
//! A cell is *allowed* or *denied* when the answer does not depend on
//! anything the user left unknown; otherwise it is *conditional*, and the
//! conditions are named. Unknown are: context keys the user did not give
//! (s3guard's defaults such as `aws:SecureTransport=true` included), policy
//! variables without a value, and who the caller is when `--principal` was
//! not given (for statements that name principals). A statement whose
//! known elements match but whose outcome depends on an unknown is forced
//! to apply and not to apply ([`PolicySet::authorize_forcing`]): because
//! the decision only grows with applicable Allows and shrinks with
//! applicable Denies, "allowed even with every uncertain Allow off and
//! every uncertain Deny on" means allowed in every context, and "denied
//! even with every uncertain Allow on and every uncertain Deny off" means
//! denied in every context.

use serde::Serialize;

use super::classes::ResourceClass;
use super::uncertain::uncertain_statements;
use super::witness;
use crate::catalog::{self, ActionInfo};
use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, Response, StatementRef};
use crate::explain::classify::{self, Bounds, Unknown};
use crate::explain::{Evaluation, Note};
use crate::matcher::{Action, Resource};
use crate::policy::Effect;
use crate::request::context::Origin;
use crate::request::Request;

pub use crate::explain::classify::Access;

/// How a condition bears on a conditional cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    /// Without it the action is never allowed.
    OnlyIf,
    /// It suffices (when no Deny applies), but other statements may allow too.
    If,
    /// When it holds, a Deny applies.
    DeniedIf,
}

/// A condition a conditional cell depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// How it bears on the answer.
    pub kind: RequirementKind,
    /// The condition in words.
    pub text: String,
    /// The statement it comes from (`FILE:LINE:COL (Sid X)`).
    pub statement: String,
}

impl Requirement {
    /// `only if X`, `if X`, `denied if X`.
    pub fn phrase(&self) -> String {
        match self.kind {
            RequirementKind::OnlyIf => format!("only if {}", self.text),
            RequirementKind::If => format!("if {}", self.text),
            RequirementKind::DeniedIf => format!("denied if {}", self.text),
        }
    }
}

/// The requirements of a cell in one phrase: `only if X; denied if Y`.
/// Canonical: each kind's conditions sorted by their words, so that the
/// phrase depends on what the statements say, not on the order of the
/// policies that hold them (principals sharing a row of the account
/// review, a policy attached before or after another).
pub fn phrase(requirements: &[Requirement]) -> String {
    let mut sorted: Vec<&Requirement> = requirements.iter().collect();
    sorted.sort_by(|x, y| (x.kind, &x.text).cmp(&(y.kind, &y.text)));
    let of = |kind: RequirementKind| sorted.iter().copied().filter(move |r| r.kind == kind);
    let mut parts: Vec<String> = of(RequirementKind::OnlyIf)
        .map(Requirement::phrase)
        .collect();
    let ifs: Vec<&str> = of(RequirementKind::If).map(|r| r.text.as_str()).collect();
    if !ifs.is_empty() {
        parts.push(format!("if {}", ifs.join(", or if ")));
    }
    parts.extend(of(RequirementKind::DeniedIf).map(Requirement::phrase));
    parts.join("; ")
}

/// One action on one resource class.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The action.
    pub action: &'static ActionInfo,
    /// Index of the class in [`Matrix::classes`].
    pub class: usize,
    /// The answer.
    pub access: Access,
    /// A denied cell is denied by an explicit Deny.
    pub explicit_deny: bool,
    /// What a conditional cell depends on.
    pub requirements: Vec<Requirement>,
    /// The statements that decide (allowing ones for allowed and
    /// conditional cells, denying ones for explicit denials).
    pub statements: Vec<String>,
    /// For a conditional cell: request values under which it is allowed
    /// (`aws:SourceIp=203.0.113.0`), when s3guard found some.
    pub example: Option<String>,
    /// For a conditional cell the search could not confirm both ways.
    pub note: Option<String>,
}

/// The whole matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// The columns.
    pub classes: Vec<ResourceClass>,
    /// Cells, by class, then in catalog order.
    pub cells: Vec<Cell>,
    /// What the user should know (from the evaluations, deduplicated).
    pub notes: Vec<String>,
}

/// Whether an action can target a class's resources (by the catalog).
pub fn applies_to(info: &ActionInfo, class: &ResourceClass) -> bool {
    if info.wildcard_only {
        return class.resource_type == "*";
    }
    info.resource_types.iter().any(|r| {
        r.name == class.resource_type
            && r.arn_pattern.split(':').nth(2) == Some(class.service.as_str())
    })
}

impl Matrix {
    /// Computes the matrix: every catalog action against every class it
    /// applies to, each cell asked of `set` with a copy of `base` (its
    /// principal and context) carrying the action and the class's ARN.
    pub fn compute(set: &PolicySet, classes: Vec<ResourceClass>, base: &Request) -> Matrix {
        Matrix::compute_for(set, classes, base, |_| true)
    }

    /// As [`Matrix::compute`], for the catalog actions `keep` selects only
    /// (the account review asks the verdict's actions).
    pub fn compute_for(
        set: &PolicySet,
        classes: Vec<ResourceClass>,
        base: &Request,
        keep: impl Fn(&ActionInfo) -> bool,
    ) -> Matrix {
        let mut cells = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let actions: Vec<(&'static ActionInfo, Action)> = catalog::catalog()
            .actions()
            .iter()
            .filter(|a| keep(a))
            .filter_map(|a| Action::parse(a.iam_action).ok().map(|p| (a, p)))
            .collect();
        for (ci, class) in classes.iter().enumerate() {
            let Ok(resource) = Resource::parse(&class.arn) else {
                notes.push(format!(
                    "{}: `{}` is not an ARN s3guard can ask about",
                    class.label, class.arn
                ));
                continue;
            };
            for (info, action) in &actions {
                if !applies_to(info, class) {
                    continue;
                }
                let mut req = base.clone();
                req.action = action.clone();
                req.resource = resource.clone();
                if info.service != "s3"
                    && req
                        .context
                        .get_lower("s3:resourceaccount")
                        .is_some_and(|e| e.origin == Origin::Derived)
                {
                    req.context.remove("s3:ResourceAccount");
                }
                if class.through_access_point.is_some() {
                    // the keys AWS sets through an access point (AP-3) are facts here
                    if let Some(phases) = set.access_point_phases(&req) {
                        req = phases.access_point;
                    }
                }
                let eval = set.evaluate_relevant(&req);
                collect_notes(&eval, &mut notes);
                cells.push(decide_cell(set, &req, &eval, info, ci));
            }
        }
        Matrix {
            classes,
            cells,
            notes,
        }
    }

    /// The cells of a class.
    pub fn cells_of(&self, class: usize) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(move |c| c.class == class)
    }

    /// The cell of an action (`s3:DeleteBucket`) on a class (by id).
    pub fn cell(&self, action: &str, class_id: &str) -> Option<&Cell> {
        let ci = self.classes.iter().position(|c| c.id == class_id)?;
        self.cells
            .iter()
            .find(|c| c.class == ci && c.action.iam_action.eq_ignore_ascii_case(action))
    }
}

fn collect_notes(eval: &Evaluation, notes: &mut Vec<String>) {
    let said = eval.notes.iter().filter_map(|n| match n {
        // conditional cells say this, with the condition
        Note::DependsOnMissing(_) => None,
        // the columns through the access point say this (AP-1)
        Note::ThroughAccessPoint { .. } => None,
        // the columns of the bucket itself: the access point takes no part
        // there by definition (AP-1); the columns through it show it
        Note::LayerNotTakingPart {
            why: crate::explain::LayerAbsence::NotThroughAccessPoint,
            ..
        } => None,
        Note::WildcardOnlyThroughPattern { .. } => Some("some account-level actions are granted through an ARN pattern such as `arn:aws:s3:::*` instead of \"*\"; AWS documentation disagrees on whether that works: use \"Resource\": \"*\" (spec M-6)".to_string()),
        other => Some(other.to_string()),
    });
    for n in said.chain(eval.condition_errors.iter().cloned()) {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
}

fn decide_cell(
    set: &PolicySet,
    req: &Request,
    eval: &Evaluation,
    info: &'static ActionInfo,
    class: usize,
) -> Cell {
    let positions = |resp: &Response| -> Vec<String> {
        resp.determining.iter().map(|r| set.position(*r)).collect()
    };
    let uncertain = uncertain_statements(set, req, eval);
    let mut cell = Cell {
        action: info,
        class,
        access: Access::Denied,
        explicit_deny: false,
        requirements: Vec::new(),
        statements: Vec::new(),
        example: None,
        note: None,
    };
    if uncertain.is_empty() {
        let resp = &eval.response;
        match resp.decision {
            Decision::Allowed => cell.access = Access::Allowed,
            Decision::ExplicitDeny => cell.explicit_deny = true,
            Decision::ImplicitDeny => {}
        }
        if resp.decision != Decision::ImplicitDeny {
            cell.statements = positions(resp);
        }
        return cell;
    }
    // `allows`/`denies`: whether uncertain Allows/Denies apply; `flip`: one
    // statement set the other way.
    let unknowns: Vec<Unknown> = uncertain
        .iter()
        .map(|u| Unknown {
            r: u.r,
            effect: u.effect,
            applies_as: u.applies_as,
        })
        .collect();
    let ask = |allows: bool, denies: bool, flip: Option<usize>| -> Response {
        classify::force(set, req, &unknowns, allows, denies, flip)
    };
    let bounds = Bounds::of(set, req, &unknowns);
    match bounds.settled() {
        Some(Access::Allowed) => {
            cell.access = Access::Allowed;
            cell.statements = positions(&bounds.worst);
            return cell;
        }
        Some(_) => {
            cell.explicit_deny = bounds.best.decision == Decision::ExplicitDeny;
            if cell.explicit_deny {
                cell.statements = positions(&bounds.best);
            }
            return cell;
        }
        None => {}
    }
    let best = bounds.best;
    // The bounds leave it open: look for real requests either way.
    let refs: Vec<StatementRef> = uncertain.iter().map(|u| u.r).collect();
    let w = witness::search(set, req, &refs);
    match (&w.allowed, &w.denied, w.exhaustive) {
        (None, Some(_), true) => return cell, // the conditions exclude each other
        (Some((allowed, _)), None, true) => {
            cell.access = Access::Allowed;
            cell.statements = positions(allowed);
            return cell;
        }
        (None, _, false) => {
            cell.note = Some("s3guard found no request context that allows it: the conditions may exclude each other".into())
        }
        (Some(_), None, false) => {
            cell.note = Some("s3guard found no request context that denies it".into())
        }
        _ => {}
    }
    cell.example = w.allowed.map(|(_, example)| example);
    cell.access = Access::Conditional;
    cell.statements = positions(&best);
    let mut reqs = Vec::new();
    for (i, u) in uncertain.iter().enumerate() {
        let kind = match u.effect {
            Effect::Deny => (!ask(true, false, Some(i)).decision.is_allowed())
                .then_some(RequirementKind::DeniedIf),
            Effect::Allow => {
                if !ask(true, false, Some(i)).decision.is_allowed() {
                    Some(RequirementKind::OnlyIf)
                } else if ask(false, false, Some(i)).decision.is_allowed() {
                    Some(RequirementKind::If)
                } else {
                    None
                }
            }
        };
        if let Some(kind) = kind {
            reqs.push(Requirement {
                kind,
                text: u.words.clone(),
                statement: u.position.clone(),
            });
        }
    }
    if !reqs.iter().any(|r| r.kind != RequirementKind::DeniedIf) {
        // No single Allow decides alone: they are needed together.
        reqs.extend(
            uncertain
                .iter()
                .filter(|u| u.effect == Effect::Allow)
                .map(|u| Requirement {
                    kind: RequirementKind::If,
                    text: u.words.clone(),
                    statement: u.position.clone(),
                }),
        );
    }
    reqs.dedup();
    cell.requirements = reqs;
    cell
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{LoadOptions, Policy, PolicyType};
    use crate::review::classes::resource_classes;

    fn matrix(identity: &[&str], bucket: Option<&str>, principal: Option<&str>) -> Matrix {
        matrix_with(identity, bucket, principal, &[])
    }

    fn matrix_with(
        identity: &[&str],
        bucket: Option<&str>,
        principal: Option<&str>,
        given: &[(&str, &str)],
    ) -> Matrix {
        let mut b = PolicySet::builder();
        let mut policies = Vec::new();
        for (i, text) in identity.iter().enumerate() {
            policies.push(Policy::parse(&format!("id{i}.json"), text).unwrap());
        }
        if let Some(text) = bucket {
            policies.push(
                Policy::parse_as("bucket.json", text, LoadOptions::new(PolicyType::Resource))
                    .unwrap(),
            );
        }
        for p in &policies {
            b = b.policy(p.clone());
        }
        let set = b.build();
        let mut base = Request::new("s3:ListAllMyBuckets", "*").unwrap();
        if let Some(p) = principal {
            base = base.with_principal(p).unwrap();
            base.principal.clone().derive_context(&mut base.context);
        }
        base.context
            .set("aws:SecureTransport", "true", Origin::Default);
        for (k, v) in given {
            base.context.set(k, *v, Origin::Given);
        }
        let classes = resource_classes(&policies, &[], &base.context).classes;
        Matrix::compute(&set, classes, &base)
    }

    const RAILS: &str = include_str!("../../policies/rails-app.json");
    const TLS: &str = include_str!("../../policies/bucket-policy-tls-only.json");
    /// Allows `s3:GetObject` from one network only.
    const SOURCE_IP: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;

    /// The access of an action on a class (by id).
    fn access(m: &Matrix, action: &str, class_id: &str) -> Access {
        m.cell(action, class_id).unwrap().access
    }

    #[test]
    fn rails_app_deletes_objects_only_in_its_bucket() {
        let m = matrix(&[RAILS], None, None);
        let c = |a: &str, k: &str| access(&m, a, k);
        assert_eq!(
            c("s3:DeleteObject", "objects:another-test-bucket"),
            Access::Allowed
        );
        assert_eq!(c("s3:DeleteObject", "objects:*"), Access::Denied);
        assert_eq!(
            c("s3:DeleteBucket", "bucket:another-test-bucket"),
            Access::Denied
        );
        assert_eq!(
            c("s3:ListBucket", "bucket:another-test-bucket"),
            Access::Allowed
        );
        assert_eq!(c("s3:ListAllMyBuckets", "account:*"), Access::Denied);
        let cell = m
            .cell("s3:DeleteObject", "objects:another-test-bucket")
            .unwrap();
        assert_eq!(cell.statements, ["id0.json:10:5 (Sid ReadWriteAppObjects)"]);
    }

    #[test]
    fn a_conditional_deny_makes_the_cell_conditional_spec_c7() {
        // s3guard's default aws:SecureTransport=true is an assumption, not a fact.
        let m = matrix(&[RAILS], Some(TLS), None);
        let cell = m
            .cell("s3:GetObject", "objects:another-test-bucket")
            .unwrap();
        assert_eq!(cell.access, Access::Conditional);
        assert_eq!(cell.requirements.len(), 1);
        assert_eq!(cell.requirements[0].kind, RequirementKind::DeniedIf);
        assert_eq!(
            phrase(&cell.requirements),
            "denied if `aws:SecureTransport` is `false`"
        );
        // a given context value is a fact
        let given = matrix_with(
            &[RAILS],
            Some(TLS),
            None,
            &[("aws:SecureTransport", "true")],
        );
        let cell = given
            .cell("s3:GetObject", "objects:another-test-bucket")
            .unwrap();
        assert_eq!(cell.access, Access::Allowed);
        assert_eq!(access(&m, "s3:GetObject", "objects:*"), Access::Denied);
    }

    #[test]
    fn conditional_allows_name_their_condition_spec_c9() {
        let m = matrix(&[SOURCE_IP], None, None);
        let cell = m.cell("s3:GetObject", "objects:*").unwrap();
        assert_eq!(cell.access, Access::Conditional);
        assert_eq!(
            phrase(&cell.requirements),
            "only if `aws:SourceIp` is in `203.0.113.0/24`"
        );
        assert_eq!(access(&m, "s3:PutObject", "objects:*"), Access::Denied);
    }

    #[test]
    fn unconditional_deny_is_explicit_spec_e2() {
        let deny = include_str!("../../policies/deny-bucket-deletion.json");
        let full = include_str!("../../policies/amazon-s3-full-access.json");
        let m = matrix(&[full, deny], None, None);
        let cell = m.cell("s3:DeleteBucket", "bucket:*").unwrap();
        assert_eq!(cell.access, Access::Denied);
        assert!(cell.explicit_deny);
        assert_eq!(access(&m, "s3:DeleteObject", "objects:*"), Access::Allowed);
    }

    #[test]
    fn unknown_principal_makes_named_grants_conditional_spec_e5() {
        let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::media/*"}]}"#;
        let m = matrix(&[], Some(bucket), None);
        let cell = m.cell("s3:GetObject", "objects:media").unwrap();
        assert_eq!(cell.access, Access::Conditional);
        assert_eq!(
            phrase(&cell.requirements),
            "only if the caller is `arn:aws:iam::111122223333:role/reader`"
        );
        let known = matrix(
            &[],
            Some(bucket),
            Some("arn:aws:sts::111122223333:assumed-role/reader/s1"),
        );
        assert_eq!(
            access(&known, "s3:GetObject", "objects:media"),
            Access::Allowed
        );
        let other = matrix(
            &[],
            Some(bucket),
            Some("arn:aws:iam::111122223333:user/bob"),
        );
        assert_eq!(
            access(&other, "s3:GetObject", "objects:media"),
            Access::Denied
        );
    }

    #[test]
    fn home_prefixes_depend_on_the_username_spec_v4() {
        let p = include_str!("../../policies/user-home-prefix.json");
        let m = matrix(&[p], None, None);
        let id = "objects:team-files/home/${aws:username}/*";
        let cell = m.cell("s3:GetObject", id).unwrap();
        assert_eq!(cell.access, Access::Conditional);
        assert!(
            phrase(&cell.requirements)
                == "only if the caller's `aws:username` fits `arn:aws:s3:::team-files/home/${aws:username}/*`",
            "{:?}",
            cell.requirements
        );
        assert_eq!(
            access(&m, "s3:GetObject", "objects:team-files"),
            Access::Denied
        );
        let alice = matrix(&[p], None, Some("arn:aws:iam::111122223333:user/alice"));
        assert_eq!(access(&alice, "s3:GetObject", id), Access::Allowed);
        let list = alice.cell("s3:ListBucket", "bucket:team-files").unwrap();
        assert_eq!(list.access, Access::Conditional);
        assert!(phrase(&list.requirements).starts_with("only if `s3:prefix` matches one of"));
    }

    #[test]
    fn wildcard_only_actions_are_asked_on_star_spec_m6() {
        let full = include_str!("../../policies/amazon-s3-full-access.json");
        let m = matrix(&[full], None, None);
        assert_eq!(
            access(&m, "s3:ListAllMyBuckets", "account:*"),
            Access::Allowed
        );
        assert!(m.cell("s3:ListAllMyBuckets", "bucket:*").is_none());
        assert!(m.cell("s3:GetObject", "account:*").is_none());
    }

    #[test]
    fn correlated_conditions_are_settled_by_witnesses_spec_c2() {
        // An Allow and a Deny on the same condition: never allowed.
        let same = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
            {"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;
        let m = matrix(&[same], None, None);
        assert_eq!(access(&m, "s3:GetObject", "objects:*"), Access::Denied);
        // Allows on both values of a key AWS always sends: always allowed.
        let both = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        let m = matrix(&[both], None, None);
        assert_eq!(access(&m, "s3:GetObject", "objects:*"), Access::Allowed);
        // A grant and a deny naming the same role.
        let bucket = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
            {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/r"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        let m = matrix(&[], Some(bucket), None);
        assert_eq!(access(&m, "s3:GetObject", "objects:b"), Access::Denied);
    }

    #[test]
    fn conditional_cells_carry_an_allowing_example() {
        let m = matrix(&[SOURCE_IP], None, None);
        let cell = m.cell("s3:GetObject", "objects:*").unwrap();
        assert_eq!(
            cell.example.as_deref(),
            Some("aws:SourceIp=\"203.0.113.0\"")
        );
        assert!(cell.note.is_none());
    }
}
