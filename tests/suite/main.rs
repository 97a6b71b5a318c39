//! s3guard's integration test suite: one binary, one module per area.

mod cli_can;
mod cli_eval;
mod corpus;
mod properties;
mod prove;
mod readme;
mod support;
