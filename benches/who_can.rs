//! `who-can s3:DeleteBucket arn:aws:s3:::prod` over a generated account
//! (examples/gen_account.rs; set S3GUARD_BENCH_ACCOUNT to a dump of your own,
//! e.g. the 2,000-user / 5,000-role account of docs/who-can.md).

use criterion::{criterion_group, criterion_main, Criterion};
use s3guard::access::{self, AccountModel, Analysis, Question};
use s3guard::sources::Source;

fn bench(c: &mut Criterion) {
    let Ok(path) = std::env::var("S3GUARD_BENCH_ACCOUNT") else {
        eprintln!("S3GUARD_BENCH_ACCOUNT not set: generate one with `cargo run --release --example gen_account -- --users 200 --roles 500 --groups 20 --policies 100 > /tmp/a.json`");
        return;
    };
    let source = Source::open(&path).expect("readable dump");
    let dump = source.account_dump(false).expect("valid dump");
    let model = AccountModel::from_dumps(&[(path, dump)]).expect("consistent dump");
    let analysis = Analysis {
        model,
        ..Analysis::default()
    };
    let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").expect("valid question");
    let mut g = c.benchmark_group("who_can");
    g.sample_size(10);
    g.bench_function("delete_bucket_prod_no_escalation", |b| {
        b.iter(|| access::who_can(&analysis, &q, None).expect("answer"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
