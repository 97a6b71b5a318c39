//! Explanations: why each statement did or did not apply, which missing
//! context keys the answer depends on, and what s3guard assumed (spec O-1,
//! O-3).
//!
//! This is the slow, allocating companion of [`PolicySet::authorize`]: it
//! asks the same statement matcher again with an observer that keeps typed
//! reasons ([`trace`]), then reads the traces for missing context
//! ([`missing`]) and the other things worth saying ([`notes`]). Everything
//! here is data that serializes to JSON; words are made by `Display` impls
//! and the renderers.

mod access_point;
pub mod classify;
pub mod grants;
pub(crate) mod missing;
pub mod near_miss;
pub mod notes;
pub mod probe;
pub mod trace;

use std::fmt;

use serde::Serializer;

pub use notes::{MissingKeyNote, Note, Values, WhatIf};
pub use trace::{ConditionTest, LayerAbsence, PrincipalDetail, Reason, StatementTrace};

use crate::eval::policy_set::PolicySet;
use crate::eval::response::{Decision, Response, StatementRef};
use crate::request::Request;

/// A full answer: the response plus everything people need to trust it.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The decision and determining statements.
    pub response: Response,
    /// Every statement of the set, with reasons.
    pub traces: Vec<StatementTrace>,
    /// Condition keys and policy variables the answer depended on that the
    /// request did not carry (O-1 `MissingContextValues`).
    pub missing_context: Vec<String>,
    /// Things the user should know (what-ifs on missing keys, assumptions).
    pub notes: Vec<Note>,
    /// Request values that could not be compared (wrong type).
    pub condition_errors: Vec<String>,
}

impl Evaluation {
    /// The trace of a statement.
    pub fn trace(&self, r: StatementRef) -> Option<&StatementTrace> {
        self.traces.iter().find(|t| t.statement_ref == r)
    }

    /// Whether a note says the decision depends on a missing key.
    pub fn depends_on_missing_key(&self) -> bool {
        self.notes.iter().any(Note::is_missing_key)
    }
}

impl PolicySet {
    /// Authorizes and explains: traces every statement, lists missing
    /// context keys that matter and what the answer would be with them.
    pub fn evaluate(&self, req: &Request) -> Evaluation {
        self.evaluate_traced(req, false)
    }

    /// As [`PolicySet::evaluate`], but traces only the statements whose
    /// action and resource may match (the compiled index's candidates, in
    /// the layers that take part): the same decision, missing context,
    /// notes and condition errors, without a trace per statement of the
    /// set. For callers that ask many questions of large policies.
    pub fn evaluate_relevant(&self, req: &Request) -> Evaluation {
        self.evaluate_traced(req, true)
    }

    fn evaluate_traced(&self, req: &Request, relevant_only: bool) -> Evaluation {
        if let Some(phases) = self.access_point_phases(req) {
            return self.evaluate_through_access_point(req, &phases, relevant_only);
        }
        let mut eval = Evaluation {
            response: self.authorize(req),
            traces: self.traces(req, relevant_only),
            missing_context: Vec::new(),
            notes: Vec::new(),
            condition_errors: Vec::new(),
        };
        eval.condition_errors = condition_errors(&eval);
        self.missing_context(req, &mut eval);
        let general = self.general_notes(req, &eval);
        eval.notes.extend(general);
        eval
    }

    /// `FILE:LINE:COL (Sid X)` of a statement.
    pub fn position(&self, r: StatementRef) -> String {
        match (self.member(r), self.statement(r)) {
            (Some(m), Some(s)) => format!("{} ({})", m.policy.statement_position(s), s.label()),
            _ => "?".into(),
        }
    }
}

/// Request values of the wrong type for their operator (C-5): the
/// statement does not apply, and the answer says so.
fn condition_errors(eval: &Evaluation) -> Vec<String> {
    let mut out = Vec::new();
    for t in eval.traces.iter().filter(|t| t.elements_match) {
        for r in &t.reasons {
            if let Reason::Condition {
                test: ConditionTest { key, operator, .. },
                why: crate::condition::KeyReason::WrongType(ty),
                result: crate::condition::Outcome::Error,
                context_value,
            } = r
            {
                out.push(format!(
                    "{}: `{key}` = {} is not {ty} for `{operator}`; {} does not apply",
                    t.position(),
                    context_value
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    t.label()
                ));
            }
        }
    }
    out
}

/// Whether a decision was reached despite missing context (for exit codes and summaries).
pub fn depends_on_missing(eval: &Evaluation) -> bool {
    eval.depends_on_missing_key()
        || (!eval.missing_context.is_empty() && eval.response.decision != Decision::Allowed)
}

/// Serializes a fact as the sentence its `Display` makes (JSON fields that
/// read as the text answer does).
pub(crate) fn display_string<T: fmt::Display, S: Serializer>(
    value: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    #[test]
    fn condition_type_errors_become_diagnostics() {
        let p = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}]}"#;
        let set = PolicySet::identity([Policy::parse("p.json", p).unwrap()]);
        let req = Request::new("s3:ListBucket", "arn:aws:s3:::b")
            .unwrap()
            .with_context("s3:max-keys", "ten");
        let e = set.evaluate(&req);
        assert_eq!(e.response.decision, Decision::ImplicitDeny);
        assert!(e.response.has_condition_errors);
        assert_eq!(e.condition_errors.len(), 1);
        assert!(
            e.condition_errors[0].contains("is not a number"),
            "{}",
            e.condition_errors[0]
        );
    }
}
