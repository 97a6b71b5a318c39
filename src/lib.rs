//! s3guard: an offline simulator of AWS IAM authorization, focused on Amazon S3.
//!
//! Load policies, put them in a [`PolicySet`] by layer, and ask
//! [`PolicySet::authorize`] what AWS would answer for a [`Request`]:
//!
//! ```
//! use s3guard::{Policy, PolicySet, Request, Decision};
//!
//! let policy = Policy::parse("app.json", r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
//!                    "Resource": "arn:aws:s3:::media/*"}]
//! }"#)?;
//! let set = PolicySet::identity([policy]);
//! let read = Request::new("s3:GetObject", "arn:aws:s3:::media/cat.png")?;
//! assert_eq!(set.authorize(&read).decision, Decision::Allowed);
//! let drop = Request::new("s3:DeleteBucket", "arn:aws:s3:::media")?;
//! assert_eq!(set.authorize(&drop).decision, Decision::ImplicitDeny);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![warn(missing_docs)]
// Without the command line, the helpers only it calls are unused.
#![cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]

pub mod access;
pub mod awscli;
pub mod batch;
pub mod catalog;
#[cfg(feature = "cli")]
pub mod cli;
pub mod cloudtrail;
pub mod condition;
pub(crate) mod diagnostic;
pub(crate) mod eval;
pub(crate) mod explain;
pub(crate) mod json;
pub mod lint;
pub mod matcher;
pub(crate) mod parallel;
pub(crate) mod policy;
pub mod prove;
pub mod render;
pub(crate) mod request;
pub mod review;
pub mod sources;
pub mod testfile;

/// Internals the fuzz targets (`fuzz/`) drive directly: source files with
/// their position maps. Not a stable API; only with the `fuzzing` feature.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::json::SourceFile;
}

pub use diagnostic::{Diagnostic, Severity};
pub use eval::access_point::{
    AccessPoint, AccessPointArn, AccessPointRefusal, AccessPointSettings, AccessPointSettingsError,
    NetworkOrigin, PhaseOutcome, Phases,
};
pub use eval::acl::{Acl, ObjectOwnership};
pub use eval::block_public_access::{PublicAccessBlock, Refusal};
pub use eval::policy_set::{
    EvalOptions, Member, NotPrincipalMode, PolicySet, PolicySetBuilder, VpceType,
};
pub use eval::response::{
    Decision, LayerDecision, PerType, PrincipalMatch, Response, StatementRef,
};
pub use eval::s3_settings::{S3Settings, Spelling};
pub use explain::{
    depends_on_missing, Evaluation, LayerAbsence, MissingKeyNote, Note, PrincipalDetail, Reason,
    StatementTrace, Values, WhatIf,
};
pub use policy::{Effect, LoadError, LoadOptions, Policy, PolicyType, Statement};
pub use request::builder::RequestBuilder;
pub use request::context::{Context, ContextValue, Origin};
pub use request::{Principal, PrincipalParseError, Request, RequestError};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The Rust examples of `docs/rust.md` (the library guide), compiled and
/// run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/rust.md")]
pub struct RustGuideDoctests;
