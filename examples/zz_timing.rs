use s3guard::access::{self, AccountModel, Analysis, Escalation, Question};
use s3guard::sources::Source;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let action = std::env::args().nth(2).unwrap_or("s3:DeleteBucket".into());
    let res = std::env::args()
        .nth(3)
        .unwrap_or("arn:aws:s3:::prod".into());
    let t = Instant::now();
    let source = Source::open(&path).unwrap();
    eprintln!("open {:?}", t.elapsed());
    let dump = source.account_dump(false).unwrap();
    eprintln!("dump {:?}", t.elapsed());
    let model = AccountModel::from_dumps(&[(path, dump)]).unwrap();
    eprintln!("model {:?}", t.elapsed());
    let analysis = Analysis {
        model,
        ..Analysis::default()
    };
    let q = Question::new(&action, &res).unwrap();
    let w = access::who_can(&analysis, &q, None).unwrap();
    eprintln!("who_can {:?} {}", t.elapsed(), w.principals.len());
    let e = Escalation::compute(&analysis);
    eprintln!("escalation {:?} {}", t.elapsed(), e.edges());
    let w = access::who_can(&analysis, &q, Some(&e)).unwrap();
    eprintln!("who_can+gains {:?} {}", t.elapsed(), w.could_gain.len());
}
