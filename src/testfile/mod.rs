//! Declarative policy tests: `*.s3guard.json` files that name policies and
//! the requests they must allow or deny, proofs over patterns (`cannot`),
//! and AWS CLI commands (`run`). `s3guard test` runs them; the format is
//! documented in `docs/test-files.md`.
//!
//! ```
//! use s3guard::testfile::{Engines, TestStatus, TestFile};
//!
//! let file = TestFile::parse("app.s3guard.json", r#"{
//!   "policies": [{"type": "identity", "document": {
//!     "Version": "2012-10-17",
//!     "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
//!                    "Resource": "arn:aws:s3:::media/*"}]}}],
//!   "cases": [
//!     {"name": "reads media", "action": "s3:GetObject",
//!      "resource": "arn:aws:s3:::media/cat.png", "expect": "allow"},
//!     {"name": "cannot drop the bucket", "action": "s3:DeleteBucket",
//!      "resource": "arn:aws:s3:::media", "expect": "deny"}
//!   ]
//! }"#)?;
//! let results = file.run(&Engines);
//! assert!(results.iter().all(|r| r.status == TestStatus::Pass));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod assertions;
mod checker;
mod discover;
mod junit;
mod model;
mod parse;
mod parse_cases;
mod parse_policies;
mod patterns;
mod report;
mod request;
mod run;
mod starter;
mod words;

pub use checker::{
    Checker, CommandOutcome, Engines, EnginesWithin, ProofOutcome, ProofQuery, RunOutcome, RunQuery,
};
pub use discover::{discover, SUFFIX};
pub use junit::junit;
pub use model::{decision_name, Check, Expect, PolicyEntry, TestCase, TestFile};
pub use patterns::{check_action_pattern, check_resource_pattern};
pub use report::{json, text};
pub use request::{check_request, RequestProblem, RequestSpec, RequestTemplate};
pub use run::{
    deciding, evaluate, run_case, run_path, DecidingStatement, FileOutcome, RequestInfo,
    TestCaseResult, TestFileReport, TestStatus, TestSummary,
};
pub use starter::{starter, Starter, StarterOptions};
pub use words::shell_words;
