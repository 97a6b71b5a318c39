//! Arbitrary bytes as a policy file, loaded the way the CLI loads one
//! (`SourceFile::from_bytes`: UTF-8 check; then JSON, AWS CLI unwrapping,
//! lowering) as every policy type; a loaded policy answers a few fixed
//! requests, with and without the explanation. Nothing may panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use s3guard::fuzzing::SourceFile;
use s3guard::{LoadOptions, Policy, PolicySet, PolicyType, Request};

/// Every policy type, the access point's included.
const TYPES: [PolicyType; 8] = PolicyType::ALL;

fn requests() -> Vec<Request> {
    let mk = |action: &str, resource: &str, principal: &str| {
        Request::new(action, resource)
            .and_then(|r| r.with_principal(principal))
            .expect("fixed request")
    };
    vec![
        mk(
            "s3:GetObject",
            "arn:aws:s3:::bucket/key.txt",
            "arn:aws:iam::111122223333:user/alice",
        )
        .with_context("aws:SecureTransport", "true")
        .with_context("aws:username", "alice"),
        mk(
            "s3:PutObject",
            "arn:aws:s3:::bucket/home/alice/x",
            "arn:aws:sts::444455556666:assumed-role/r/s",
        )
        .with_resource_account("111122223333")
        .with_context("aws:SourceIp", "10.1.2.3"),
        mk("s3:ListAllMyBuckets", "*", "anonymous"),
    ]
}

fn allow_all() -> Policy {
    Policy::parse(
        "allow-all.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .expect("fixed policy")
}

fuzz_target!(|data: &[u8]| {
    // The CLI refuses non-UTF-8 input with a diagnostic; so must we, without panicking.
    let file = match SourceFile::from_bytes("fuzz.json", data.to_vec()) {
        Ok(f) => Arc::new(f),
        Err(_) => return,
    };
    let _ = Policy::open(file.clone());
    let requests = requests();
    for (i, t) in TYPES.into_iter().enumerate() {
        // Vary strict/lenient with the input so both paths get exercised.
        let options = LoadOptions {
            policy_type: t,
            strict: (data.len() + i).is_multiple_of(2),
            lenient: (data.len() + i).is_multiple_of(3),
        };
        let Ok(policy) = Policy::load_source(file.clone(), options) else {
            continue;
        };
        for s in policy.statements() {
            let _ = policy.statement_position(s);
            let _ = (s.label(), s.describe_actions(), s.describe_resources());
        }
        // Other layers only restrict: give them an identity policy that
        // allows everything so evaluation gets past the identity layer.
        let mut b = PolicySet::builder().policy(policy);
        if t != PolicyType::Identity {
            b = b.identity(allow_all());
        }
        let set = b.build();
        for req in &requests {
            let _ = set.authorize(req);
            let eval = set.evaluate(req);
            for t in &eval.traces {
                let _ = (t.position(), t.label(), t.summary());
            }
        }
    }
});
