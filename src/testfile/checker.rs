//! The boundary between the test runner and s3guard's proof and command
//! engines (`s3guard prove`, `s3guard can-run`).
//!
//! Request cases need only the evaluator. `cannot` cases need a prover and
//! `run` cases need the AWS CLI command model; the runner reaches both
//! through [`Checker`], so an engine can be plugged in (or replaced in a
//! test) without touching the runner. [`Engines`] is the checker that
//! `s3guard test` uses: its two methods are where the engines are wired.

use serde::Serialize;

use super::request::RequestTemplate;
use crate::eval::policy_set::PolicySet;
use crate::request::Request;

/// A proof to attempt: no request whose action matches `actions` and whose
/// resource matches `resources`, under any context, is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofQuery {
    /// Action pattern (`s3:Delete*`), validated against the catalog.
    pub actions: String,
    /// Resource pattern (`arn:aws:s3:::prod*`), validated as an ARN pattern.
    pub resources: String,
    /// The caller, when the test fixes one (`s3guard prove --principal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The bucket owner's account, when the test fixes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
}

/// What a proof attempt found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofOutcome {
    /// No such request is allowed (`s3guard prove` exit 0).
    Proved,
    /// A request that is allowed (`s3guard prove` exit 1).
    Counterexample {
        /// The allowed request.
        request: Box<Request>,
        /// Why it is allowed (the deciding statements), one line each.
        explanation: Vec<String>,
    },
    /// The prover could not decide (`s3guard prove` exit 3); never a pass.
    Undecided {
        /// Why.
        reason: String,
    },
}

/// An AWS CLI command to replay under the policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunQuery {
    /// The command as written (`aws s3 rb s3://prod --force`).
    pub command: String,
    /// The words of the command (quotes removed).
    pub words: Vec<String>,
    /// Object keys the command touches (`s3guard can-run --keys`); empty:
    /// the engine uses a placeholder key and says so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// Who runs it, in which context: build each step's request with
    /// [`RequestTemplate::request`] so that steps get the same context as
    /// request cases.
    pub template: RequestTemplate,
}

/// How an AWS CLI command ends (`s3guard can-run`): the command model's
/// own outcome, spelled `succeeds`, `fails`, `partial` in test files.
pub use crate::awscli::outcome::CommandOutcome;

/// What replaying a command found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// The command was expanded and every step evaluated.
    Completed {
        /// How it ends.
        outcome: CommandOutcome,
        /// The steps and their decisions, one line each.
        steps: Vec<String>,
    },
    /// The engine does not understand the command (an error, never a pass).
    Invalid {
        /// Why.
        message: String,
    },
}

/// What the test runner needs beyond the evaluator.
pub trait Checker {
    /// Attempts to prove that no request matching the query is allowed
    /// under `policies`, whatever its context.
    fn prove_cannot(&self, policies: &PolicySet, query: &ProofQuery) -> ProofOutcome;

    /// Expands an `aws s3` command into the requests it makes, evaluates
    /// each under `policies`, and says how the command ends.
    fn run_command(&self, policies: &PolicySet, query: &RunQuery) -> RunOutcome;
}

/// The checker `s3guard test` uses: s3guard's own engines, the prover
/// within its default [`Limits`](crate::prove::Limits).
#[derive(Debug, Clone, Copy, Default)]
pub struct Engines;

impl Checker for Engines {
    fn prove_cannot(&self, policies: &PolicySet, query: &ProofQuery) -> ProofOutcome {
        EnginesWithin(crate::prove::Limits::default()).prove_cannot(policies, query)
    }

    fn run_command(&self, policies: &PolicySet, query: &RunQuery) -> RunOutcome {
        EnginesWithin(crate::prove::Limits::default()).run_command(policies, query)
    }
}

/// [`Engines`] with the prover held to the given limits (`s3guard test
/// --max-memory/--timeout`): a `cannot` case past them is undecided.
#[derive(Debug, Clone, Copy)]
pub struct EnginesWithin(pub crate::prove::Limits);

impl Checker for EnginesWithin {
    /// Asks the prover (`s3guard prove --cannot`) with the case's caller
    /// and resource account.
    fn prove_cannot(&self, policies: &PolicySet, query: &ProofQuery) -> ProofOutcome {
        let built = crate::prove::Query::new(&query.actions, &query.resources).and_then(|q| {
            let q = match &query.principal {
                Some(p) => q.with_principal(p)?,
                None => q,
            };
            match &query.resource_account {
                Some(a) => q.with_resource_account(a),
                None => Ok(q),
            }
        });
        let q = match built {
            Ok(q) => q,
            Err(e) => {
                return ProofOutcome::Undecided {
                    reason: e.to_string(),
                }
            }
        };
        match crate::prove::prove_within(policies, &q, &self.0) {
            crate::prove::Proof::Proved(_) => ProofOutcome::Proved,
            crate::prove::Proof::Counterexample(w, _) => {
                let explanation = w
                    .response
                    .determining
                    .iter()
                    .filter_map(|r| {
                        policies.statement(*r).map(|s| {
                            format!(
                                "allowed by {}: {}",
                                policies.position(*r),
                                crate::render::text::describe_statement(s)
                            )
                        })
                    })
                    .collect();
                ProofOutcome::Counterexample {
                    request: Box::new(w.request.clone()),
                    explanation,
                }
            }
            crate::prove::Proof::Unknown { reason, .. } => ProofOutcome::Undecided { reason },
        }
    }

    /// Expands the command as `s3guard can-run` does and evaluates each
    /// step with the case's caller and context.
    fn run_command(&self, policies: &PolicySet, query: &RunQuery) -> RunOutcome {
        let cmd = match crate::awscli::command::parse(&query.command) {
            Ok(c) => c,
            Err(e) => {
                return RunOutcome::Invalid {
                    message: format!("{} ({})", e.message, e.hint),
                }
            }
        };
        let base = match query.template.request("s3:GetObject", "*") {
            Ok(r) => r,
            Err(diags) => {
                return RunOutcome::Invalid {
                    message: diags
                        .iter()
                        .map(|d| d.message.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            }
        };
        let plan =
            crate::awscli::requests::expand(&cmd, &query.keys, cmd.options.region.as_deref());
        let report = crate::awscli::outcome::evaluate(policies, &base, &plan);
        let outcome = report.outcome;
        let steps = report
            .steps
            .iter()
            .map(|s| {
                format!(
                    "{}. {} {} on {}: {}{}",
                    s.step,
                    s.api_call,
                    s.action,
                    s.resource,
                    s.decision.headline(),
                    if s.reached { "" } else { " (not reached)" }
                )
            })
            .collect();
        RunOutcome::Completed { outcome, steps }
    }
}
