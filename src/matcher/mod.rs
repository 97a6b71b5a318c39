//! Matching of actions and resources: compiled once when a policy loads,
//! evaluated per request without allocation (spec M-1..M-7, V-1..V-7).

mod action;
mod action_pattern;
mod arn;
pub(crate) mod bytes;
mod glob;
mod resource;
mod variable;

pub(crate) use action::ActionShape;
pub use action::{Action, ActionError};
pub use action_pattern::{ActionPattern, ActionPatterns, PatternIter, PatternRef};
pub use arn::{Arn, ArnError, ArnRef, Resource};
pub use glob::{Glob, Match, NoVariables, Resolve};
pub use resource::{Fit, ResourcePattern, PARTITIONS};
pub use variable::{fill, has_variable, parse_template, Piece, Variable, VariableError};
