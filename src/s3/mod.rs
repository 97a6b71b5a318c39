//! S3 knowledge on top of the evaluator: what policies allow per catalog
//! action, what `aws s3` commands and Rails upload libraries ask IAM for,
//! and replaying CloudTrail records (issue 5; `shared/spec/aws-cli-s3-mapping.md`).

mod app_operations;
pub mod apps;
pub mod cloudtrail;
pub mod command;
mod command_options;
pub mod event_names;
pub mod grants;
pub mod outcome;
pub mod probe;
pub mod replay;
pub mod requests;
pub mod suggest;
mod transfers;
