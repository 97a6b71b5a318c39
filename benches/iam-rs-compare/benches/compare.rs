//! s3guard's load (parse + validate + lower + compile into a `PolicySet`)
//! beside iam-rs's parse (`IAMPolicy::from_json`, serde into its model, no
//! validation and no compilation) of the same documents. s3guard does more
//! work per document; the issue-20 target is to be faster all the same.

#[path = "../../common/documents.rs"]
mod bench_documents;

use std::hint::black_box;

/// The `s3guard` binary's allocator, for both sides of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A bundled policy's text.
fn bundled(name: &str) -> String {
    bench_documents::bundled_in(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."), name)
}

fn compare(c: &mut Criterion) {
    for (name, text) in [
        ("read-only-access", bundled("read-only-access.json")),
        ("rails-app", bundled("rails-app.json")),
        (
            "conditional_100_statements",
            bench_documents::conditional(100),
        ),
    ] {
        let mut g = c.benchmark_group(format!("compare/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        // both must accept the document, or the comparison means nothing
        iam_rs::IAMPolicy::from_json(&text).unwrap_or_else(|e| panic!("iam-rs: {name}: {e}"));
        s3guard::Policy::parse("p.json", &text).unwrap_or_else(|e| panic!("s3guard: {name}: {e}"));
        g.bench_function("s3guard_load_and_compile", |b| {
            b.iter(|| {
                let p = s3guard::Policy::parse("p.json", black_box(&text));
                s3guard::PolicySet::identity(p.ok())
            })
        });
        g.bench_function("iam_rs_parse", |b| {
            b.iter(|| iam_rs::IAMPolicy::from_json(black_box(&text)))
        });
        g.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
