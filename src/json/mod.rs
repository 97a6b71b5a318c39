//! JSON with positions: a strict parser (duplicate keys, depth limit), a
//! spanned value tree, JSON pointers, and the source map from byte offsets
//! to `FILE:LINE:COL`.

mod parser;
pub(crate) use parser::{parse_value_at, plain_string_end, skip_ws};
pub mod pointer;
mod source;
mod text;
pub(crate) use text::Str;
mod value;

pub use parser::{
    parse, parse_range, parse_shared, unescape_at, DuplicateKey, Parsed, SyntaxError, MAX_DEPTH,
};
pub use source::{Document, InputKind, Location, SourceFile, MAX_INPUT_BYTES};
pub use value::{Kind, Member, Span, Value};
