//! How a condition key pattern of the catalog matches keys, shared by the
//! crate and `build.rs` (which includes this file with `#[path]`, as it
//! does `fold.rs`): the build stores each key's lower-cased match text and
//! whether it is a prefix, and [`super::may_be_sent`](crate::catalog::may_be_sent) reads the action
//! catalog's patterns the same way. One definition, so the two cannot
//! drift apart. Plain `std` only: it compiles in the build script.

/// The key a pattern matches, lower-cased, and whether it is a prefix (a
/// tag-key pattern: `aws:PrincipalTag/${TagKey}` → `aws:principaltag/`).
pub(crate) fn split_pattern(pattern: &str) -> (String, bool) {
    let lower = pattern.to_lowercase();
    for marker in ["${tagkey}", "<key>", "tag-key"] {
        if let Some(prefix) = lower.strip_suffix(marker) {
            if prefix.ends_with('/') {
                return (prefix.to_string(), true);
            }
        }
    }
    (lower, false)
}
