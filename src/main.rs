//! The `s3guard` binary: everything lives in the library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    s3guard::cli::main()
}
