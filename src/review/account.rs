//! The account review (`s3guard review --account FILE…`): the S3 blast
//! radius of every principal of one or more accounts. Each row is a
//! principal's [`Verdict`] (the same questions, answered from the same
//! matrix cells as `review` answers them for a policy set), with how the
//! principal could escalate; [`AccountReview::capabilities`] turns the
//! rows around: for each destructive or permission-changing question, the
//! principals that can.
//!
//! The rows are computed by `crate::access` (which knows the accounts);
//! this module holds the report and `render::account` draws it.

use serde::Serialize;

use super::verdict::{is_dangerous_topic, Answer, Verdict, VerdictItem};

/// One principal's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    /// The user or role ARN, an account root ARN, a service name, or `*`.
    pub principal: String,
    /// `user`, `role`, `external-account`, `external-principal`,
    /// `service`, `anyone`, `any-authenticated`.
    pub kind: String,
    /// The verdict: the questions in their fixed order.
    pub verdict: Verdict,
    /// How it can rewrite its own permissions (or those of a principal it
    /// can become), in words; `None` when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<String>,
}

impl AccountRow {
    /// Whether the principal can do anything the verdict asks about.
    pub fn has_access(&self) -> bool {
        self.verdict.items.iter().any(|i| i.answer != Answer::No)
    }

    /// Whether it can do something destructive or permission-changing.
    pub fn is_dangerous(&self) -> bool {
        self.verdict
            .items
            .iter()
            .any(|i| i.answer != Answer::No && is_dangerous_topic(&i.topic))
    }
}

/// A principal that has a capability, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// The principal.
    pub principal: String,
    /// Its kind (as in [`AccountRow::kind`]).
    pub kind: String,
    /// Yes (anywhere) or some (only on named resources).
    pub answer: Answer,
    /// Only under conditions somewhere.
    pub conditional: bool,
    /// Where, in words (the verdict's text).
    pub text: String,
    /// It could also rewrite its permissions.
    pub escalates: bool,
}

/// One destructive or permission-changing question and who can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capability {
    /// `delete buckets`, …
    pub topic: String,
    /// The principals that can, in row order.
    pub principals: Vec<Holder>,
}

/// The account review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountReview {
    /// The accounts of the data.
    pub accounts: Vec<String>,
    /// The buckets the review names (with a bucket policy, or named by a
    /// policy); every other bucket is "any other bucket".
    pub buckets: Vec<String>,
    /// Number of users and roles in the data.
    pub principals_in_data: usize,
    /// One row per principal: users and roles of the data, then the
    /// principals bucket policies name from outside it.
    pub rows: Vec<AccountRow>,
    /// What the reader must know about the scope.
    pub notes: Vec<String>,
}

impl AccountReview {
    /// For each destructive or permission-changing question (verdict
    /// order), the principals that can.
    pub fn capabilities(&self) -> Vec<Capability> {
        let topics: Vec<&str> = self
            .rows
            .first()
            .map(|r| r.verdict.items.iter().map(|i| i.topic.as_str()).collect())
            .unwrap_or_default();
        topics
            .into_iter()
            .filter(|t| is_dangerous_topic(t))
            .map(|topic| Capability {
                topic: topic.to_string(),
                principals: self
                    .rows
                    .iter()
                    .filter_map(|r| {
                        let item: &VerdictItem =
                            r.verdict.items.iter().find(|i| i.topic == topic)?;
                        (item.answer != Answer::No).then(|| Holder {
                            principal: r.principal.clone(),
                            kind: r.kind.clone(),
                            answer: item.answer,
                            conditional: item.conditional,
                            text: item.text.clone(),
                            escalates: r.escalation.is_some(),
                        })
                    })
                    .collect(),
            })
            .collect()
    }
}
