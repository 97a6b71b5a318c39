//! Inputs found by fuzzing (`scripts/fuzz.sh`, docs/fuzzing.md), replayed.
//! Each test names the target that found it and what went wrong.

use s3guard::{LoadOptions, Policy, PolicySet, PolicyType, Request};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every policy type, the access point's included.
const TYPES: [PolicyType; 8] = PolicyType::ALL;

/// policy_load, timeout: an unknown `s3:` action 16 KB long made the
/// "did you mean" hint compute a full edit distance against every catalog
/// action (seconds per load; minutes for larger inputs). Candidates whose
/// length alone puts them out of reach are now skipped (ba90162); the unit
/// test `a_long_unknown_action_computes_no_edit_distance` (src/diagnostic.rs)
/// bounds the work by the cells of edit-distance tables computed. Here:
/// the policy loads as every type, warns with the catalog's list as its
/// hint, answers a request, and lints.
#[test]
fn long_unknown_action_loads_with_a_warning() {
    let text = fixture("policy_load-long-action-timeout.json");
    for t in TYPES {
        let p = Policy::parse_as("fuzz.json", &text, LoadOptions::new(t));
        if t == PolicyType::Identity {
            let p = p.expect("loads with a warning");
            let w = p
                .warnings
                .iter()
                .find(|d| d.code == "INVALID_ACTION")
                .expect("INVALID_ACTION warning");
            let hint = w.hint.as_deref().unwrap_or_default();
            assert!(hint.contains("s3guard actions 's3:*'"), "{hint}");
            let set = PolicySet::identity([p]);
            let req = Request::new("s3:GetObject", "arn:aws:s3:::media.cdn-eu/k").unwrap();
            let _ = set.evaluate(&req);
        }
    }
    let lint = s3guard::lint::lint_text("fuzz.json", &text, Default::default());
    assert!(lint.readable);
}
