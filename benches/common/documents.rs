//! The documents the benchmarks load, written once so that every benchmark
//! (s3guard's own and the iam-rs comparison) measures the same text.

/// The text of bundled policy `name`, from the `policies/` folder of the
/// repository at `root`.
pub fn bundled_in(root: &str, name: &str) -> String {
    let path = format!("{root}/policies/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `n` statements, each on its own bucket (`bucket-I`) and with two
/// conditions (`aws:PrincipalTag/team` = `team-I`, a /16 of `aws:SourceIp`).
pub fn conditional(n: usize) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:List*"],
                "Resource":["arn:aws:s3:::bucket-{i}","arn:aws:s3:::bucket-{i}/*"],
                "Condition":{{"StringEquals":{{"aws:PrincipalTag/team":"team-{i}"}},
                              "IpAddress":{{"aws:SourceIp":"10.{}.0.0/16"}}}}}}"#,
                i % 256
            )
        })
        .collect();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}
