//! What s3guard knows about S3: its actions, resource types and condition
//! keys, embedded at build time from `data/` (spec M-2, M-5, C-14).

mod actions;
mod advice;
mod data;
mod destructive;
mod fold;
mod iam;
mod key_pattern;
mod keys;
mod request_kinds;

pub use actions::{
    catalog, expand, fill_arn_template, info, lookup, AccessLevel, ActionInfo, ActionResource,
    Catalog, ResourceType, Service,
};
pub use advice::{
    request_warnings, resource_type_of, unknown_action, UnknownAction, S3_RESOURCE_PREFIXES,
};
pub use destructive::{destructive, Danger, Destructive, Scope, INDIRECT_DELETES};
pub use iam::{iam_action, iam_actions, IamAction};
pub use keys::{
    condition_key, is_multivalued, keys, may_be_sent, suggest_key, KeyInfo, KeyType, Presence,
};
pub use request_kinds::RequestKind;
