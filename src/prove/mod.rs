//! `prove`: decides whether ANY request in a set described by patterns
//! could be allowed, not only the requests someone thought of trying.
//!
//! A [`Query`] names an action pattern (`s3:Delete*`, case-insensitive
//! glob over `service:Name`, M-1), a resource pattern (an ARN glob with the
//! per-segment rules of M-4, or `*`), the caller and the context keys it
//! fixes. [`prove`] answers with a [`Proof`]:
//!
//! - [`Proof::Proved`]: no request of the set is allowed, under any value of
//!   the context keys the query leaves free;
//! - [`Proof::Counterexample`]: a concrete request that the evaluator
//!   ([`PolicySet::authorize`]) allows, built exactly as `s3guard can` builds
//!   it from the printed arguments;
//! - [`Proof::Unknown`]: s3guard cannot decide exactly, and says why.
//!
//! ```
//! use s3guard::{Policy, PolicySet};
//! use s3guard::prove::{prove, Proof, Query};
//!
//! let policy = Policy::parse("app.json", r#"{"Version": "2012-10-17", "Statement": [
//!     {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::media/*"}]}"#)?;
//! let set = PolicySet::identity([policy]);
//! let buckets = Query::new("s3:DeleteBucket", "arn:aws:s3:::*")?;
//! assert!(matches!(prove(&set, &buckets), Proof::Proved(_)));
//! let objects = Query::new("s3:Delete*", "arn:aws:s3:::*")?;
//! let Proof::Counterexample(w, _) = prove(&set, &objects) else { panic!() };
//! assert_eq!(w.request.action.as_str(), "s3:DeleteObject");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How it decides
//!
//! The question is reduced to finitely many cases, each decided exactly:
//!
//! 1. **Actions** (`actions`): every catalog action the pattern matches,
//!    grouped by the statements whose `Action`/`NotAction` cover it; actions
//!    of services outside the catalog, which `*` and `NotAction` also cover
//!    (E-10), as regions of automata over the action strings.
//! 2. **Resources** (`resources`): the ARNs the pattern matches, split into
//!    regions by every statement's `Resource`/`NotResource` language and by
//!    resource type (the ARNs AWS sends for an action, M-5..M-7), plus the
//!    `*` resource of wildcard-only actions (M-6).
//! 3. **Context** (`keys`): each condition key's values split into regions
//!    that no condition tells apart.
//! 4. **Decision** (`decision`): the combinations of granting layers that the
//!    evaluator's own decision function accepts (E-4..E-17), computed by
//!    asking it.
//! 5. **Search** (`search`): for each action class and resource region, a
//!    search over context regions for a context where a granting combination
//!    holds and no Deny applies.
//!
//! Policy variables whose keys the query leaves free are unknown strings:
//! a grant counts where some value could make it match, a Deny only where
//! it matches for every value. Every candidate is then made concrete and
//! checked by the evaluator; one that is not confirmed is never printed.

mod actions;
mod alphabet;
mod atoms;
mod automaton;
mod bits;
mod budget;
mod constraints;
mod decision;
mod dominance;
mod keys;
mod lang;
mod minimize;
mod overlap;
mod ownership;
mod regions;
mod resources;
mod search;
mod shapes;
mod statements;
mod through;
pub(crate) use through::reaches_access_points;
mod values;

mod variables;
mod witness;

use std::fmt;

use serde::Serialize;

use crate::eval::policy_set::PolicySet;
use crate::eval::response::Response;
use crate::matcher::ResourcePattern;
use crate::request::builder::RequestBuilder;
use crate::request::context::ContextValue;
use crate::request::{Request, RequestError};

pub(crate) use automaton::TooLarge;
pub use budget::{Limits, DEFAULT_MEMORY, DEFAULT_TIME};
pub use overlap::{
    action_contains, action_overlap, resource_contains, resource_difference, resource_overlap,
    TooComplex,
};

/// A reason the proof had to stop short (limits, approximations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Limit(pub String);

impl From<TooLarge> for Limit {
    fn from(e: TooLarge) -> Limit {
        Limit(match e {
            TooLarge::States => format!(
                "cannot decide within limits: an automaton of the patterns grew past {} states",
                automaton::STATE_LIMIT
            ),
            TooLarge::Memory(bytes) => format!(
                "cannot decide within limits: the automata of the patterns need more than {} MiB (--max-memory)",
                bytes >> 20
            ),
            TooLarge::Time(t) => format!(
                "cannot decide within limits: the proof ran longer than {} s (--timeout)",
                t.as_secs()
            ),
        })
    }
}

/// The set of requests a proof is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Action pattern: a case-insensitive glob over `service:Name` (M-1).
    pub action: String,
    /// Resource pattern: `*` or an ARN glob (M-4).
    pub resource: String,
    /// The caller, as `s3guard can --principal` takes it (`None`: an
    /// unspecified principal of the resource's account).
    pub principal: Option<String>,
    /// The account owning the resource (`None`: the caller's own).
    pub resource_account: Option<String>,
    /// Context keys fixed to a value (`KEY=VALUE`, repeat a key for a list);
    /// every other key may take any value or be missing.
    pub context: Vec<String>,
    /// Context keys fixed as absent: AWS never sends them with the query's
    /// actions (a service key the action does not list), so they are not free.
    pub absent: Vec<String>,
    /// Consider every ARN (and `*`) for every action, not only the resource
    /// types AWS sends for a catalog action (M-5..M-7).
    pub any_resource: bool,
}

/// Why a query is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The resource pattern is not `*` or an ARN pattern.
    #[error(
        "`{0}` is not a resource pattern (expected `*` or an ARN such as arn:aws:s3:::bucket/*)"
    )]
    Resource(String),
    /// The action pattern is empty.
    #[error("the action pattern is empty")]
    Action,
    /// The principal, resource account or context could not be parsed.
    #[error("{0}")]
    Request(String),
}

impl From<RequestError> for QueryError {
    fn from(e: RequestError) -> QueryError {
        QueryError::Request(e.to_string())
    }
}

impl Query {
    /// A query about every request matching the two patterns, by an
    /// unspecified principal, under any context.
    pub fn new(action: &str, resource: &str) -> Result<Query, QueryError> {
        let q = Query {
            action: action.to_string(),
            resource: resource.to_string(),
            principal: None,
            resource_account: None,
            context: Vec::new(),
            absent: Vec::new(),
            any_resource: false,
        };
        q.check()?;
        Ok(q)
    }

    /// Sets the caller (an ARN, a service principal, or `anonymous`).
    pub fn with_principal(mut self, principal: &str) -> Result<Query, QueryError> {
        self.principal = Some(principal.to_string());
        self.check()?;
        Ok(self)
    }

    /// Sets the resource's account.
    pub fn with_resource_account(mut self, account: &str) -> Result<Query, QueryError> {
        self.resource_account = Some(account.to_string());
        self.check()?;
        Ok(self)
    }

    /// Fixes a context key (repeat for a list).
    pub fn with_context(mut self, key: &str, value: &str) -> Result<Query, QueryError> {
        self.context.push(format!("{key}={value}"));
        self.check()?;
        Ok(self)
    }

    /// Fixes a context key as absent (AWS never sends it with these actions).
    pub fn with_absent(mut self, key: &str) -> Query {
        self.absent.push(key.to_string());
        self
    }

    /// Whether the patterns and request arguments are valid.
    pub fn check(&self) -> Result<(), QueryError> {
        if self.action.trim().is_empty() {
            return Err(QueryError::Action);
        }
        if !is_resource_pattern(&self.resource) {
            return Err(QueryError::Resource(self.resource.clone()));
        }
        self.base_request()
            .map(|_| ())
            .map_err(|d| QueryError::Request(render(&d)))
    }

    /// The request builder of `s3guard can` for this query's caller, with
    /// these context entries (`KEY=VALUE`).
    pub(crate) fn request_builder(
        &self,
        context: Vec<String>,
        no_defaults: bool,
    ) -> RequestBuilder {
        // the prover explores every action a pattern reaches, catalog or not
        let mut b = RequestBuilder::new()
            .no_defaults(no_defaults)
            .allow_unknown_action(true);
        if let Some(p) = &self.principal {
            b = b.principal(p.clone());
        }
        if let Some(a) = &self.resource_account {
            b = b.resource_account(a.clone());
        }
        for c in context {
            b = b.context_entry(c);
        }
        b
    }

    /// A request carrying the query's caller and fixed context (no defaults).
    pub(crate) fn base_request(&self) -> Result<Request, Vec<crate::Diagnostic>> {
        self.request_builder(self.context.clone(), true)
            .build("s3:GetObject", "*")
    }

    pub(crate) fn resource_pattern(&self) -> ResourcePattern {
        ResourcePattern::new(&self.resource, None)
    }
}

fn render(diags: &[crate::Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.message.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `*`, or an ARN pattern with six parts or ending in `*` (as policies accept, M-4).
fn is_resource_pattern(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    if !text.starts_with("arn:") && !text.starts_with("arn*") {
        return false;
    }
    text.splitn(6, ':').count() == 6 || text.ends_with('*')
}

/// What a proof covered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// Catalog actions the action pattern matches (all were considered), in
    /// the order they were searched: bucket and object actions of `s3`
    /// first, then other resource actions, then wildcard-only ones.
    pub catalog_actions: Vec<String>,
    /// Whether actions of services outside the catalog were considered too
    /// (the pattern covers other services).
    pub other_services: bool,
    /// Whether catalog actions were taken only with the resource types AWS
    /// sends for them (`false` with `any_resource`).
    pub resource_types: bool,
    /// Context keys the query fixes (given, or derived from the principal).
    pub fixed_keys: Vec<String>,
    /// Context keys the policies test that the query leaves free.
    pub free_keys: Vec<String>,
    /// Service keys the policies test that no action of the query carries
    /// (`s3:prefix` for `s3:PutBucketPolicy`): absent, so conditions on
    /// them are evaluated as for a missing key (spec C-15).
    pub absent_keys: Vec<String>,
    /// Where the proof approximated (variables, keys compared in several ways).
    pub approximations: Vec<String>,
    /// The catalog's source and version.
    pub catalog: String,
}

/// A concrete request the policies allow, confirmed by the evaluator.
#[derive(Debug, Clone)]
pub struct Witness {
    /// The request, as `s3guard can` builds it from [`Witness::args`].
    pub request: Request,
    /// The evaluator's answer (always allowed).
    pub response: Response,
    /// The context keys the policies test: their value, or `None` when missing.
    pub context: Vec<(String, Option<ContextValue>)>,
    /// The arguments of `s3guard can` (after the subcommand, without policy
    /// flags) that reproduce the request.
    pub args: Vec<String>,
}

/// The answer of [`prove`].
#[derive(Debug, Clone)]
pub enum Proof {
    /// No request of the query is allowed.
    Proved(Coverage),
    /// This request of the query is allowed.
    Counterexample(Box<Witness>, Coverage),
    /// s3guard cannot decide exactly.
    Unknown {
        /// Why, in plain words.
        reason: String,
        /// What was covered.
        scope: Coverage,
    },
}

impl Proof {
    /// What the proof covered.
    pub fn scope(&self) -> &Coverage {
        match self {
            Proof::Proved(s) | Proof::Counterexample(_, s) | Proof::Unknown { scope: s, .. } => s,
        }
    }
}

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Proof::Proved(_) => f.write_str("proved: no such request is allowed"),
            Proof::Counterexample(w, _) => write!(
                f,
                "counterexample: {} on {} is allowed",
                w.request.action, w.request.resource
            ),
            Proof::Unknown { reason, .. } => write!(f, "cannot prove: {reason}"),
        }
    }
}

/// Decides whether any request of the query is allowed by the policy set,
/// within the default [`Limits`]. Never panics; an invalid query (see
/// [`Query::check`]) is `Unknown`.
pub fn prove(set: &PolicySet, query: &Query) -> Proof {
    prove_within(set, query, &Limits::default())
}

/// [`prove`] within `limits`: a proof that would need more memory or time
/// is `Unknown` ("cannot decide within limits").
pub fn prove_within(set: &PolicySet, query: &Query, limits: &Limits) -> Proof {
    budget::within(limits, || search::run(set, query))
}
