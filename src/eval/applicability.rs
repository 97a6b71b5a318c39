//! The one statement matcher (spec E-1): whether a statement applies to a
//! request, element by element — principal (resource-side layers only),
//! action, resource, then every condition key.
//!
//! [`PolicySet::applicability`] is generic over an [`Observer`]. The fast
//! path of `authorize` passes [`Unobserved`]: every hook is an empty inline
//! function and matching stops at the first element that fails, so it
//! costs what a hand-written matcher costs and allocates nothing. The
//! explaining path (`explain::trace`) passes an observer that records a
//! typed reason per element and asks to see every element: the same code
//! decides both answers, as `condition::KeyCondition::evaluate` delegates
//! to `evaluate_detailed`.

use crate::condition::{Block, KeyCondition, KeyResult, Outcome};
use crate::eval::policy_set::PolicySet;
use crate::eval::principal_match::match_clause;
use crate::eval::response::PrincipalMatch;
use crate::policy::{ClauseMatch, PolicyType, PrincipalClause, Statement};
use crate::request::Request;

/// Whether one statement applies to a request (E-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Applicability {
    /// All of principal, action, resource and condition match.
    Applies(Option<PrincipalMatch>),
    /// Some element does not match.
    DoesNotApply,
    /// A condition could not be evaluated (request value of the wrong type).
    ConditionError,
}

/// Watches the statement matcher element by element.
pub(crate) trait Observer {
    /// Whether matching goes on after an element that does not match
    /// (explaining wants every element; authorizing stops at the first).
    const EVERY_ELEMENT: bool;

    /// The principal element of a resource-side statement and how the
    /// caller matched it (`None`: it does not concern the caller).
    #[inline]
    fn principal(&mut self, _clause: &PrincipalClause, _matched: Option<PrincipalMatch>) {}

    /// The action element (skipped when the index already matched it and
    /// the observer does not ask for every element).
    #[inline]
    fn action(&mut self, _stmt: &Statement, _matched: ClauseMatch) {}

    /// The resource element.
    #[inline]
    fn resource(&mut self, _stmt: &Statement, _matched: ClauseMatch) {}

    /// Principal, action and resource have been decided; `all_match` says
    /// whether they all matched (the condition decides the rest).
    #[inline]
    fn elements(&mut self, _all_match: bool) {}

    /// One key of a condition block.
    #[inline]
    fn condition(&mut self, _block: &Block, _key: &KeyCondition, _result: KeyResult) {}
}

/// The observer of the fast path: sees nothing, stops at the first miss.
pub(crate) struct Unobserved;

impl Observer for Unobserved {
    const EVERY_ELEMENT: bool = false;
}

impl PolicySet {
    /// Whether a statement applies to the request (E-1), telling
    /// `observer` how each element fared. `action_known` skips the action
    /// test when the index already established it (unless the observer
    /// wants every element).
    pub(crate) fn applicability<O: Observer>(
        &self,
        stmt: &Statement,
        layer: PolicyType,
        req: &Request,
        action_known: bool,
        caller_has_boundary: bool,
        observer: &mut O,
    ) -> Applicability {
        let mut all_match = true;
        let principal = match (&stmt.principal, layer) {
            (Some(clause), layer) if layer.has_principals() => {
                let m = match_clause(clause, layer, req, self.options(), caller_has_boundary);
                observer.principal(clause, m);
                if m.is_none() {
                    if !O::EVERY_ELEMENT {
                        return Applicability::DoesNotApply;
                    }
                    all_match = false;
                }
                m
            }
            _ => None,
        };
        if !action_known || O::EVERY_ELEMENT {
            let m = stmt.action.matches_detailed(&req.action);
            observer.action(stmt, m);
            if !m.applies {
                if !O::EVERY_ELEMENT {
                    return Applicability::DoesNotApply;
                }
                all_match = false;
            }
        }
        let service = req.action.service();
        let m = if O::EVERY_ELEMENT {
            stmt.resource
                .matches_detailed(&req.resource, service, &req.context)
        } else {
            ClauseMatch {
                applies: stmt.resource.matches(&req.resource, service, &req.context),
                entry: None,
                unresolved: 0,
            }
        };
        observer.resource(stmt, m);
        if !m.applies {
            if !O::EVERY_ELEMENT {
                return Applicability::DoesNotApply;
            }
            all_match = false;
        }
        observer.elements(all_match);
        let mut outcome = Outcome::True;
        for block in &stmt.condition.blocks {
            for key in &block.keys {
                let result = key.evaluate_detailed(&block.operator, &req.context);
                observer.condition(block, key, result);
                if outcome == Outcome::True {
                    outcome = result.outcome;
                }
                if outcome != Outcome::True && !O::EVERY_ELEMENT {
                    break;
                }
            }
            if outcome != Outcome::True && !O::EVERY_ELEMENT {
                break;
            }
        }
        match (all_match, outcome) {
            (false, _) | (true, Outcome::False) => Applicability::DoesNotApply,
            (true, Outcome::Error) => Applicability::ConditionError,
            (true, Outcome::True) => Applicability::Applies(principal),
        }
    }
}
