//! Evaluation: the compiled [`PolicySet`](policy_set::PolicySet) by layer,
//! the one statement matcher and the one evaluation order (`authorize`),
//! principal matching, the definition of a public bucket policy, and the
//! [`Response`](response::Response) they produce.

pub mod access_point;
pub mod acl;
pub(crate) mod applicability;
pub(crate) mod authorizer;
pub mod block_public_access;
pub(crate) mod policy_set;
pub(crate) mod principal_match;
pub mod public_access;
pub(crate) mod response;
pub mod s3_settings;
