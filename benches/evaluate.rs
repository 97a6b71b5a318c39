//! Benchmarks of issue 8: parse+compile and authorize for the bundled
//! policies and for synthetic policies of 1 to 10,000 statements with
//! conditions, pathological patterns, and batch evaluation.
//!
//! `cargo bench` runs them all; `cargo bench --bench evaluate -- authorize`
//! one group. README's performance table reports their medians.

#[path = "common/documents.rs"]
mod bench_documents;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use s3guard::batch::{self, Output};
use s3guard::matcher::Glob;
use s3guard::{Decision, Policy, PolicySet, Request};

/// A bundled policy's text.
fn bundled(name: &str) -> String {
    bench_documents::bundled_in(env!("CARGO_MANIFEST_DIR"), name)
}

/// A request granted only by the last statement of
/// `bench_documents::conditional(n)`.
fn synthetic_request(n: usize) -> Request {
    let last = n - 1;
    Request::new(
        "s3:GetObject",
        &format!("arn:aws:s3:::bucket-{last}/report.csv"),
    )
    .and_then(|r| r.with_principal("arn:aws:iam::111122223333:user/app"))
    .map(|r| {
        r.with_context("aws:PrincipalTag/team", &format!("team-{last}"))
            .with_context("aws:SourceIp", &format!("10.{}.1.2", last % 256))
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn set_of(text: &str) -> PolicySet {
    PolicySet::identity([Policy::parse("bench.json", text).unwrap_or_else(|e| panic!("{e}"))])
}

fn parse_compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_compile");
    for name in [
        "rails-app.json",
        "amazon-s3-full-access.json",
        "read-only-access.json",
    ] {
        let text = bundled(name);
        g.bench_function(name, |b| b.iter(|| set_of(black_box(&text))));
    }
    for n in [1usize, 10, 100, 1_000, 10_000] {
        let text = bench_documents::conditional(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(
            BenchmarkId::new("synthetic_statements", n),
            &text,
            |b, t| b.iter(|| set_of(black_box(t))),
        );
    }
    g.finish();
}

fn authorize(c: &mut Criterion) {
    let mut g = c.benchmark_group("authorize");
    let cases = [
        (
            "rails-app.json",
            "s3:PutObject",
            "arn:aws:s3:::another-test-bucket/uploads/a.png",
            Decision::Allowed,
        ),
        (
            "rails-app.json",
            "s3:DeleteBucket",
            "arn:aws:s3:::another-test-bucket",
            Decision::ImplicitDeny,
        ),
        (
            "amazon-s3-full-access.json",
            "s3:DeleteBucket",
            "arn:aws:s3:::prod",
            Decision::Allowed,
        ),
        (
            "read-only-access.json",
            "s3:GetObject",
            "arn:aws:s3:::prod/k",
            Decision::Allowed,
        ),
        (
            "read-only-access.json",
            "s3:DeleteObject",
            "arn:aws:s3:::prod/k",
            Decision::ImplicitDeny,
        ),
    ];
    for (policy, action, resource, expected) in cases {
        let set = set_of(&bundled(policy));
        let req = Request::new(action, resource).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(set.authorize(&req).decision, expected, "{policy} {action}");
        g.bench_function(format!("{policy}/{action}"), |b| {
            b.iter(|| set.authorize(black_box(&req)))
        });
    }
    for n in [1usize, 10, 100, 1_000, 10_000] {
        let set = set_of(&bench_documents::conditional(n));
        let req = synthetic_request(n);
        assert_eq!(set.authorize(&req).decision, Decision::Allowed);
        g.bench_with_input(BenchmarkId::new("synthetic_statements", n), &req, |b, r| {
            b.iter(|| set.authorize(black_box(r)))
        });
    }
    g.finish();
}

/// `*a*a*…*b` patterns of `n` characters against a text that ends in `b`
/// but holds one `a` too few: every segment must be placed before the
/// match fails. The cost grows linearly with `n` (no exponential or
/// quadratic backtracking).
fn pathological_patterns(c: &mut Criterion) {
    let mut g = c.benchmark_group("pathological_pattern");
    for n in [100usize, 1_000, 10_000] {
        let pattern = format!("{}*b", "*a".repeat(n / 2));
        let subject = format!("{}b", "a".repeat(n / 2 - 1));
        let glob = Glob::new(&pattern);
        assert!(!glob.is_match(&subject));
        assert!(glob.is_match(&format!("a{subject}")));
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_with_input(BenchmarkId::new("star_a_b", n), &subject, |b, s| {
            b.iter(|| glob.is_match(black_box(s)))
        });
    }
    g.finish();
}

/// Request lines evaluated in-process over both cores, as `eval
/// --requests` does (without the file reading and the process start).
fn batch_requests(c: &mut Criterion) {
    let set = set_of(&bundled("rails-app.json"));
    let n = 100_000;
    let text: String = (0..n)
        .map(|i| {
            let a = [
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteBucket",
                "s3:ListBucket",
            ][i % 4];
            format!(
                "{{\"action\":\"{a}\",\"resource\":\"arn:aws:s3:::another-test-bucket/k{i}\"}}\n"
            )
        })
        .collect();
    let builder = s3guard::RequestBuilder::new();
    let template = builder
        .clone()
        .no_defaults(true)
        .build("s3:GetObject", "*")
        .unwrap_or_else(|e| panic!("{e:?}"));
    let completion = batch::requests::Completion {
        template: &template,
        builder: &builder,
        object_acl: None,
        bucket_acl: None,
        // 2025-01-31T12:00:00Z: every request of a run happens at one instant
        at: Some(1_738_324_800_000_000_000),
    };
    let statements = batch::requests::StatementJson::new(&set);
    let mut g = c.benchmark_group("eval_requests");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    for threads in [1usize, 2] {
        g.bench_function(format!("rails-app/{threads}_threads"), |b| {
            b.iter(|| {
                let mut lines = 0usize;
                let input = Box::new(std::io::Cursor::new(text.clone().into_bytes()));
                let _ = batch::for_each_line(
                    input,
                    threads,
                    batch::requests::Requests::default,
                    |state, line, out: &mut Output<usize>| {
                        let Ok(text) = std::str::from_utf8(line.bytes) else {
                            return;
                        };
                        let Ok(next) =
                            state.next("b", line.number, text, &template, false, &completion)
                        else {
                            return;
                        };
                        let req = next.request;
                        let response = set.authorize(req);
                        batch::requests::write_decision(
                            &mut out.text,
                            line.number,
                            req,
                            None,
                            &response,
                            None,
                            &statements,
                        );
                        out.stats += 1;
                    },
                    |out| {
                        lines += out.stats;
                        true
                    },
                );
                assert_eq!(lines, n);
            })
        });
    }
    g.finish();
}

/// `eval --cases` over 2,600 heterogeneous cases (each with its own
/// policies): the bundled fixtures, repeated.
fn eval_cases(c: &mut Criterion) {
    let dir = format!("{}/tests/fixtures/cases", env!("CARGO_MANIFEST_DIR"));
    let mut lines: Vec<String> = Vec::new();
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
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        lines.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    assert!(!lines.is_empty());
    let corpus: Vec<String> = lines.iter().cycle().take(2_600).cloned().collect();
    let text = corpus.join("\n");
    let mut g = c.benchmark_group("eval_cases");
    g.throughput(Throughput::Elements(2_600));
    g.sample_size(10);
    // without a set cache, and with one (new for every run, as the
    // binary's is: the corpus repeats its sets, each kept when seen twice)
    for (cached, threads) in [(false, 1usize), (false, 2), (true, 1), (true, 2)] {
        let name = if cached {
            "2600_cases_cached"
        } else {
            "2600_cases"
        };
        g.bench_function(format!("{name}/{threads}_threads"), |b| {
            b.iter(|| {
                let mut passed = 0usize;
                let cache = s3guard::batch::cases::SetCache::default();
                let cache = cached.then_some(&cache);
                let input = Box::new(std::io::Cursor::new(text.clone().into_bytes()));
                let _ = batch::for_each_line(
                    input,
                    threads,
                    || (),
                    |_, line, out: &mut Output<usize>| {
                        let text = std::str::from_utf8(line.bytes).unwrap_or_default();
                        let r =
                            s3guard::batch::cases::run_line_with("bench", line.number, text, cache);
                        if r.status == s3guard::batch::cases::Status::Pass {
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

criterion_group!(
    benches,
    parse_compile,
    authorize,
    pathological_patterns,
    batch_requests,
    eval_cases
);
criterion_main!(benches);
