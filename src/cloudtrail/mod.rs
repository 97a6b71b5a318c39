//! CloudTrail records of S3: reading them, mapping event names to the IAM
//! requests S3 authorizes them as, replaying them under policies, and
//! suggesting the smallest policy that allows what was recorded.

pub mod event_names;
pub mod events;
pub mod replay;
pub mod suggest;
