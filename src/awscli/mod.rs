//! The `aws s3` command model: what each high-level `aws s3` command and each
//! Rails upload library (Active Storage, CarrierWave, Shrine) asks IAM for,
//! and whether it succeeds under a policy set (`docs/can-run.md`).

mod app_operations;
pub mod apps;
pub mod command;
mod command_options;
pub mod outcome;
pub mod requests;
mod transfers;
