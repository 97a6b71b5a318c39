//! s3guard's integration test suite: one binary, one module per area.

mod assertions;
mod ci_tests;
mod cli_can;
mod cli_eval;
mod corpus;
mod init_tests;
mod install;
mod properties;
mod readme;
mod reports;
mod support;
mod test_file_errors;
