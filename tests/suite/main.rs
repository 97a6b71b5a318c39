//! s3guard's integration test suite: one binary, one module per area.

mod cli_can;
mod cli_eval;
mod corpus;
mod diff;
mod layers;
mod near_miss;
mod properties;
mod readme;
mod review;
mod s3_actions;
mod s3_can_run;
mod s3_layers;
mod s3_mapping;
mod s3_replay;
mod sources;
mod support;
