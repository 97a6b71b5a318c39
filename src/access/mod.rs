//! Access analysis over whole accounts: who can make a request
//! ([`who_can`](mod@who_can)), what one principal can do to S3 ([`principal_can`](mod@principal_can)), and
//! which principals could gain access by rewriting IAM policies or
//! assuming roles ([`escalation`]).
//!
//! The input is the output of `aws iam get-account-authorization-details`
//! (one per account, [`AccountModel`]) plus bucket policies, SCPs, RCPs
//! and VPC endpoint policies ([`Analysis`]). Each principal is evaluated
//! with the policy set and the request `s3guard can` would build for it,
//! so the answers agree with `can`, principal by principal.

pub mod account;
pub mod account_review;
mod columns;
pub mod decide;
pub mod escalation;
pub mod minimal;
pub mod principal_can;
mod share;
pub mod who_can;

pub use account::{
    account_of, AccountGroup, AccountModel, AccountPrincipal, Analysis, BucketPolicy,
    PrincipalKind, PrincipalSet,
};
pub use account_review::account_review;
pub use decide::{decide, Access, AccessAnswer, Deciding, Example, Grant, KeyNote, Question};
pub use escalation::{Escalation, Path, Step};
pub use minimal::{minimal_policy, ConditionalGrant, MinimalPolicy};
pub use principal_can::{principal_can, PrincipalCan};
pub use who_can::{who_can, Entry, Kind, WhoCan};
