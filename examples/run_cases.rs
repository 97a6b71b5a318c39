fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        let t = std::time::Instant::now();
        let res = s3guard::batch::cases::run_text(&path, &text);
        let el = t.elapsed();
        let mut counts = std::collections::BTreeMap::new();
        for r in &res {
            *counts.entry(format!("{:?}", r.status)).or_insert(0) += 1;
            if !matches!(r.status, s3guard::batch::cases::Status::Pass) {
                println!(
                    "{} line {} {:?} expect {:?} got {:?} {}",
                    r.id,
                    r.line,
                    r.status,
                    r.expect,
                    r.decision,
                    r.message.clone().unwrap_or_default()
                );
            }
        }
        println!("{path}: {counts:?} in {el:?}");
    }
}
