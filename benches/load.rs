//! Load benchmarks of issue 20: parse + validate + lower + compile (the
//! `PolicySet` a request is evaluated against), for
//!
//! - ReadOnlyAccess (91 KB, ~2,900 action patterns) and the Rails policy,
//! - a 100-statement policy whose statements carry two conditions each,
//! - a generated 50 MB `aws iam get-account-authorization-details` dump
//!   (examples/gen_account.rs, the generator `who-can`'s benchmark uses),
//!   opened and every policy in it lowered,
//! - `eval --cases` over 2,600 cases, in-process, 1 and 2 threads (a corpus
//!   made from the repository's case fixtures).
//!
//! `cargo bench --bench load`; docs/performance.md reports the medians. The
//! side-by-side comparison with the iam-rs crate is a separate package
//! (benches/iam-rs-compare) so that iam-rs is never a dependency of
//! s3guard's own build or tests.

/// The allocator of the `s3guard` binary (src/main.rs), so that the
/// benchmark measures the load the command line does.
#[cfg(feature = "cli")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common/documents.rs"]
mod bench_documents;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use s3guard::batch::{self, Output};
use s3guard::sources::Source;
use s3guard::{Policy, PolicySet};

#[allow(dead_code)] // its `main` is the example's, not ours
#[path = "../examples/gen_account.rs"]
mod gen_account;

/// A bundled policy's text.
fn bundled(name: &str) -> String {
    bench_documents::bundled_in(env!("CARGO_MANIFEST_DIR"), name)
}

/// Parse, validate, lower and compile one identity policy.
fn load(text: &str) -> PolicySet {
    PolicySet::identity([Policy::parse("bench.json", text).unwrap_or_else(|e| panic!("{e}"))])
}

fn documents(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    for (name, text) in [
        ("read-only-access", bundled("read-only-access.json")),
        ("rails-app", bundled("rails-app.json")),
        (
            "conditional_100_statements",
            bench_documents::conditional(100),
        ),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| b.iter(|| load(black_box(&text))));
    }
    g.finish();
}

/// A dump of about 50 MB: 20,000 users, 50,000 roles, 500 groups, 10,000
/// managed policies.
fn account_dump_text() -> String {
    gen_account::generate(20_000, 50_000, 500, 10_000, 1)
}

fn account_dump(c: &mut Criterion) {
    let text = account_dump_text();
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    let dump = |t: &str| {
        let source = Source::from_text("account.json", t).unwrap_or_else(|e| panic!("{e}"));
        source.account_dump(false).unwrap_or_else(|e| panic!("{e}"))
    };
    black_box(dump(&text));
    g.bench_function(format!("account_dump_{}_mb", text.len() / 1_000_000), |b| {
        b.iter(|| dump(black_box(&text)))
    });
    g.finish();
}

/// `eval --cases` over 2,600 cases made from the fixtures, in-process.
fn cases(c: &mut Criterion) {
    let dir = format!("{}/tests/fixtures/cases", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for d in [dir.clone(), format!("{dir}/conditions")] {
        if let Ok(entries) = std::fs::read_dir(&d) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "jsonl")),
            );
        }
    }
    files.sort();
    let mut lines: Vec<String> = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        lines.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    assert!(!lines.is_empty());
    let text = lines
        .iter()
        .cycle()
        .take(2_600)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    let mut g = c.benchmark_group("load");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    for threads in [1usize, 2] {
        g.bench_function(format!("cases_2600/{threads}_threads"), |b| {
            b.iter(|| {
                let mut passed = 0usize;
                let input = Box::new(std::io::Cursor::new(text.clone().into_bytes()));
                let _ = batch::for_each_line(
                    input,
                    threads,
                    || (),
                    |_, line, out: &mut Output<usize>| {
                        let text = std::str::from_utf8(line.bytes).unwrap_or_default();
                        let r = batch::cases::run_line("bench", line.number, text);
                        if r.status == batch::cases::Status::Pass {
                            out.stats += 1;
                        }
                    },
                    |out| {
                        passed += out.stats;
                        true
                    },
                );
                assert_eq!(passed, 2_600);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, documents, account_dump, cases);
criterion_main!(benches);
