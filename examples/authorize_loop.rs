//! Answers one of the `authorize` benchmark's requests in a loop, for
//! counting the instructions of an evaluation (`valgrind --tool=callgrind`,
//! `perf stat`) where wall-clock benchmarks are too noisy on a shared
//! machine:
//!
//! `cargo run --release --example authorize_loop -- CASE [ITERATIONS]`
//!
//! CASE is `rails-put` (Rails policy, `s3:PutObject`, allowed),
//! `rails-delete-bucket` (implicit deny), `roa-get` (ReadOnlyAccess,
//! `s3:GetObject`), `roa-delete` or `synthetic-N` (the last statement of
//! `N` conditional statements grants it), as in `benches/evaluate.rs`.
//! Prints the mean time per answer.

#[path = "../benches/common/documents.rs"]
mod bench_documents;

use s3guard::{Policy, PolicySet, Request};

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "rails-put".into());
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let root = env!("CARGO_MANIFEST_DIR");
    let bundled = |name: &str| bench_documents::bundled_in(root, name);
    let (text, req) = match case.as_str() {
        "rails-put" => (
            bundled("rails-app.json"),
            Request::new(
                "s3:PutObject",
                "arn:aws:s3:::another-test-bucket/uploads/a.png",
            ),
        ),
        "rails-delete-bucket" => (
            bundled("rails-app.json"),
            Request::new("s3:DeleteBucket", "arn:aws:s3:::another-test-bucket"),
        ),
        "roa-get" => (
            bundled("read-only-access.json"),
            Request::new("s3:GetObject", "arn:aws:s3:::prod/k"),
        ),
        "roa-delete" => (
            bundled("read-only-access.json"),
            Request::new("s3:DeleteObject", "arn:aws:s3:::prod/k"),
        ),
        other => {
            let Some(k) = other
                .strip_prefix("synthetic-")
                .and_then(|k| k.parse::<usize>().ok())
                .filter(|&k| k > 0)
            else {
                eprintln!("unknown case `{other}`");
                std::process::exit(2);
            };
            let last = k - 1;
            let req = Request::new(
                "s3:GetObject",
                &format!("arn:aws:s3:::bucket-{last}/report.csv"),
            )
            .and_then(|r| r.with_principal("arn:aws:iam::111122223333:user/app"))
            .map(|r| {
                r.with_context("aws:PrincipalTag/team", &format!("team-{last}"))
                    .with_context("aws:SourceIp", &format!("10.{}.1.2", last % 256))
            });
            (bench_documents::conditional(k), req)
        }
    };
    let req = req.unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let policy = Policy::parse("policy.json", &text).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    let set = PolicySet::identity([policy]);
    let decision = set.authorize(&req).decision;
    let start = std::time::Instant::now();
    let mut same = 0usize;
    for _ in 0..n {
        let r = set.authorize(std::hint::black_box(&req));
        same += usize::from(r.decision == decision);
    }
    let el = start.elapsed();
    println!(
        "{case}: {decision:?}, {n} answers, {:?} each ({same})",
        el / n.max(1) as u32
    );
}
