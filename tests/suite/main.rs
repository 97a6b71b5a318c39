//! s3guard's integration test suite: one binary, one module per area.

mod assertions;
mod ci_tests;
mod cli_can;
mod cli_eval;
mod corpus;
mod diff;
mod fuzz_regressions;
mod init_tests;
mod install;
mod layers;
mod lint;
mod near_miss;
mod properties;
mod prove;
mod readme;
mod reports;
mod review;
mod s3_actions;
mod s3_can_run;
mod s3_layers;
mod s3_mapping;
mod s3_replay;
mod sources;
mod support;
mod test_file_errors;
