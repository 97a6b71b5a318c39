//! `prove` on policies of long wildcard patterns (issue 15): the input
//! spells up to three short pattern units, each repeated up to 3,000 times
//! (`*a*a…`, `aaa…`, `?*?*…`), placed in a Resource, a StringLike
//! condition value and a Deny. The prover must answer within its budget
//! (64 MiB of automata, 2 s) without panicking, and a counterexample must
//! be a request the evaluator allows.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use s3guard::prove::{prove_within, Limits, Proof, Query};
use s3guard::{Policy, PolicySet};

/// A JSON string body: quotes, backslashes and control characters dropped.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .take(16)
        .collect()
}

/// `unit` repeated `times`, then `tail`.
fn long(unit: &str, times: usize, tail: &str) -> String {
    format!("{}{tail}", unit.repeat(times))
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let counts: Vec<usize> = data[..3].iter().map(|b| usize::from(*b) * 12).collect();
    let text = String::from_utf8_lossy(&data[3..]);
    let mut parts = text.split('\n').map(clean);
    let units: Vec<String> = (0..3).map(|_| parts.next().unwrap_or_default()).collect();
    let tail = parts.next().unwrap_or_default();
    let resource = long(&units[0], counts[0], &tail);
    let agent = long(&units[1], counts[1], &tail);
    let denied = long(&units[2], counts[2], "");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/{resource}",
              "Condition":{{"StringLike":{{"aws:UserAgent":["{agent}","{denied}"]}}}}}},
            {{"Effect":"Deny","Action":"s3:*","Resource":"*",
              "Condition":{{"StringLike":{{"aws:UserAgent":"{denied}"}}}}}}]}}"#
    );
    let Ok(policy) = Policy::parse("fuzz.json", &policy) else {
        return;
    };
    let set = PolicySet::identity([policy]);
    let Ok(query) = Query::new("s3:GetObject", "arn:aws:s3:::*") else {
        return;
    };
    let limits = Limits {
        memory: 64 << 20,
        time: Some(Duration::from_secs(2)),
    };
    if let Proof::Counterexample(w, _) = prove_within(&set, &query, &limits) {
        assert!(set.authorize(&w.request).is_allowed(), "{:?}", w.request);
    }
});
