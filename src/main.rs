//! The `s3guard` binary: everything lives in the library.
#![forbid(unsafe_code)]

/// Loading policies is allocation-bound; mimalloc loads ReadOnlyAccess in
/// two thirds of the time glibc's allocator takes (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    s3guard::cli::main()
}
