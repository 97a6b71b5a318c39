//! Policy review: everything a set of policies grants over the whole S3
//! catalog, in words people read (issue 6; spec M-5, M-6, M-7, E-1..E-17).
//!
//! [`resource_classes`] picks the columns (each bucket the policies name,
//! its objects, "any other bucket", account-level actions, the other S3
//! resource types), [`Matrix::compute`] asks the real evaluator about every
//! catalog action on each of them, [`Verdict`] sums the matrix up in one
//! paragraph, [`Review`] bundles them for the renderers in [`render`], and
//! [`AccessDiff`] compares two matrices.
//!
//! ```
//! use s3guard::{Policy, PolicySet, Request};
//! use s3guard::review::{Access, Review};
//!
//! let policy = Policy::from_file("policies/rails-app.json")?;
//! let set = PolicySet::identity([policy]);
//! let base = Request::new("s3:ListAllMyBuckets", "*")?;
//! let review = Review::new(&set, &base, &[]);
//! let cell = review.matrix.cell("s3:DeleteBucket", "bucket:another-test-bucket").unwrap();
//! assert_eq!(cell.access, Access::Denied);
//! assert!(review.verdict.paragraph().starts_with("can delete buckets: no."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod account;
mod classes;
mod diff;
mod matrix;
mod other_types;
pub mod render;
mod report;
mod risk;
mod sample;
mod through;
mod uncertain;
mod verdict;
pub(crate) mod witness;
mod wording;

pub use account::{AccountReview, AccountRow, Capability, Holder};
pub use classes::{
    resource_classes, resource_classes_with, ClassKind, Classes, ResourceClass, ThroughAccessPoint,
};
pub use diff::{AccessDiff, Change, DiffRow, Side};
pub use matrix::{applies_to, phrase, Access, Cell, Matrix, Requirement, RequirementKind};
pub use other_types::SampleMemo;
pub use report::{review_classes, review_classes_with, Review, Reviewed};
pub use risk::{destructive_reason, report_order, Risk};
pub use verdict::{asks_about, is_dangerous_topic, Answer, Verdict, VerdictItem, OTHERS_TOPIC};
pub use wording::describe_condition;
