//! The statements of a policy set as the query's caller sees them: which
//! can apply at all (their layer takes part, their principal element
//! matches, E-1, E-4, E-8), what role a grant fills, and the context the
//! caller fixes (section 0: the keys AWS derives from the principal).

use std::collections::HashSet;

use super::decision::Role;
use super::lang::VarEnv;
use crate::eval::policy_set::PolicySet;
use crate::eval::principal_match::match_clause;
use crate::eval::response::PrincipalMatch;
use crate::policy::{Effect, PolicyType, Statement};
use crate::request::Request;

/// A statement of the set, with what the query's caller makes of it.
pub(crate) struct Stmt<'a> {
    /// The statement.
    pub statement: &'a Statement,
    /// Its policy's layer.
    pub layer: PolicyType,
    /// Whether `${…}` are variables in its policy.
    pub variables: bool,
    /// Whether it can apply to the caller at all (its layer takes part, its
    /// principal element matches, E-1, E-8).
    pub eligible: bool,
    /// For eligible Allow statements: the role it fills.
    pub role: Option<Role>,
}

/// The fixed context of a query's request: the given keys, the keys AWS
/// derives from the caller, and the keys it never sends for this caller
/// (with their display names). Returns the environment, the request with
/// that context, and the names of the absent keys.
pub(crate) fn fixed_context(base: Request) -> (VarEnv, Request, Vec<String>) {
    let mut env = VarEnv {
        fixed: base.context.clone(),
        absent: HashSet::new(),
    };
    base.principal.derive_context(&mut env.fixed);
    let mut shown: Vec<String> = Vec::new();
    for k in base.principal.never_carried_keys() {
        let lower = k.to_lowercase();
        if env.fixed.get_lower(&lower).is_none() {
            env.absent.insert(lower);
            shown.push(format!("{k} (absent)"));
        }
    }
    let template = Request {
        context: env.fixed.clone(),
        ..base
    };
    (env, template, shown)
}

/// Every statement of the set, in order, for the caller of `template`.
pub(crate) fn of<'a>(set: &'a PolicySet, template: &Request) -> Vec<Stmt<'a>> {
    let part = set.participation(template);
    let takes_part = |t: PolicyType| match t {
        PolicyType::Identity => part.identity,
        PolicyType::Resource => part.resource,
        PolicyType::Boundary => part.boundary,
        PolicyType::Session => part.session,
        PolicyType::Scp => part.scp,
        PolicyType::Rcp => part.rcp,
        PolicyType::VpcEndpoint => part.vpce,
        PolicyType::AccessPoint => part.access_point,
    };
    let mut stmts: Vec<Stmt<'_>> = Vec::new();
    for member in set.members() {
        for statement in &member.policy.statements {
            let layer = member.layer;
            let mut eligible = takes_part(layer);
            let mut pm: Option<PrincipalMatch> = None;
            if let (
                Some(clause),
                PolicyType::Resource
                | PolicyType::Rcp
                | PolicyType::VpcEndpoint
                | PolicyType::AccessPoint,
            ) = (&statement.principal, layer)
            {
                pm = match_clause(clause, layer, template, set.options(), part.boundary);
                eligible &= pm.is_some();
            }
            let role = (eligible && statement.effect == Effect::Allow)
                .then(|| Role::of(layer, member.level, pm))
                .flatten();
            stmts.push(Stmt {
                statement,
                layer,
                variables: member.policy.version.has_variables(),
                eligible,
                role,
            });
        }
    }
    stmts
}
