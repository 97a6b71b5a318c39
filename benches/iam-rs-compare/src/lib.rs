//! Nothing here: the package exists for `benches/compare.rs`.
