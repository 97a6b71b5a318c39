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
/// length alone puts them out of reach are now skipped (ba90162). The work
/// is bounded by the cells of edit-distance tables computed, not by a time.
#[test]
fn long_unknown_action_loads_quickly() {
    let text = fixture("policy_load-long-action-timeout.json");
    let cells = s3guard::edit_distance_cells();
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
    // Without the skip by length, the loads compare the 16 KB action with
    // every catalog action: 328 M cells (even with the early stop of a
    // row). With it, no candidate is within reach and none is compared (0).
    let cells = s3guard::edit_distance_cells() - cells;
    assert!(cells <= 10_000, "{cells} cells of edit distance computed");
}
