//! Differences in access between two reviews over the same resource
//! classes: what NEW grants that OLD did not (the offline counterpart of
//! Access Analyzer's check-no-new-access), and the reverse.

use serde::Serialize;

use super::classes::ResourceClass;
use super::matrix::{phrase, Access, Cell, Matrix};
use super::risk::report_order;
use crate::catalog::ActionInfo;

/// How one (action, resource class) changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// NEW allows where OLD denied, or allows unconditionally where OLD
    /// allowed only under a condition.
    NewAccess,
    /// Both allow under a condition, but the conditions differ: s3guard
    /// cannot tell whether the new one is weaker, so it counts as new access.
    ChangedCondition,
    /// OLD allowed where NEW denies, or NEW adds a condition.
    RemovedAccess,
}

/// One side of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    /// The access.
    pub access: Access,
    /// Its conditions in words (conditional access only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
}

impl Side {
    fn of(c: &Cell) -> Side {
        Side {
            access: c.access,
            conditions: (c.access == Access::Conditional).then(|| phrase(&c.requirements)),
        }
    }
}

/// One changed (action, resource class).
#[derive(Debug, Clone)]
pub struct DiffRow {
    /// The action.
    pub action: &'static ActionInfo,
    /// Index of the class in [`AccessDiff::classes`].
    pub class: usize,
    /// The change.
    pub change: Change,
    /// Before.
    pub old: Side,
    /// After.
    pub new: Side,
}

/// All changes between two matrices.
#[derive(Debug, Clone)]
pub struct AccessDiff {
    /// The classes both matrices were computed over.
    pub classes: Vec<ResourceClass>,
    /// Changed cells: new access first, then changed conditions, then
    /// removed access; destructive actions first within each.
    pub rows: Vec<DiffRow>,
}

impl AccessDiff {
    /// Compares two matrices cell by cell (matched by class id and action).
    pub fn between(old: &Matrix, new: &Matrix) -> AccessDiff {
        let mut rows = Vec::new();
        // The old cells by (class id, action): one lookup per new cell.
        let old_cells: std::collections::HashMap<(&str, &str), &Cell> = old
            .cells
            .iter()
            .filter_map(|c| {
                let class = old.classes.get(c.class)?;
                Some(((class.id.as_str(), c.action.iam_action), c))
            })
            .collect();
        for n in &new.cells {
            let Some(class) = new.classes.get(n.class) else {
                continue;
            };
            let Some(&o) = old_cells.get(&(class.id.as_str(), n.action.iam_action)) else {
                continue;
            };
            let (old_side, new_side) = (Side::of(o), Side::of(n));
            let change = match (o.access, n.access) {
                (a, b) if a == b && old_side.conditions == new_side.conditions => continue,
                (Access::Conditional, Access::Conditional) => Change::ChangedCondition,
                (a, b) if b < a => Change::NewAccess,
                _ => Change::RemovedAccess,
            };
            rows.push(DiffRow {
                action: n.action,
                class: n.class,
                change,
                old: old_side,
                new: new_side,
            });
        }
        rows.sort_by(|a, b| {
            a.change
                .cmp(&b.change)
                .then(report_order(a.action, b.action))
                .then(a.class.cmp(&b.class))
        });
        AccessDiff {
            classes: new.classes.clone(),
            rows,
        }
    }

    /// Rows of one kind of change.
    pub fn rows_of(&self, change: Change) -> impl Iterator<Item = &DiffRow> {
        self.rows.iter().filter(move |r| r.change == change)
    }

    /// Whether NEW grants anything OLD did not (changed conditions count).
    pub fn grants_new_access(&self) -> bool {
        self.rows.iter().any(|r| r.change != Change::RemovedAccess)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::policy_set::PolicySet;
    use crate::policy::Policy;
    use crate::request::Request;
    use crate::review::classes::resource_classes;

    fn matrices(old: &str, new: &str) -> (Matrix, Matrix) {
        let o = Policy::parse("old.json", old).unwrap();
        let n = Policy::parse("new.json", new).unwrap();
        let base = Request::new("s3:ListAllMyBuckets", "*").unwrap();
        let classes = resource_classes([&o, &n], &[], &base.context).classes;
        (
            Matrix::compute(&PolicySet::identity([o]), classes.clone(), &base),
            Matrix::compute(&PolicySet::identity([n]), classes, &base),
        )
    }

    const RAILS: &str = include_str!("../../policies/rails-app.json");
    const FULL: &str = include_str!("../../policies/amazon-s3-full-access.json");

    #[test]
    fn full_access_adds_delete_bucket_issue6() {
        let (o, n) = matrices(RAILS, FULL);
        let d = AccessDiff::between(&o, &n);
        assert!(d.grants_new_access());
        let first = d.rows.first().unwrap();
        assert_eq!(first.change, Change::NewAccess);
        assert!(crate::review::Risk::of(first.action).destructive);
        assert!(d
            .rows_of(Change::NewAccess)
            .any(|r| r.action.iam_action == "s3:DeleteBucket"));
        // DeleteObject on the app bucket was already allowed
        assert!(!d
            .rows
            .iter()
            .any(|r| r.action.iam_action == "s3:DeleteObject"
                && d.classes[r.class].id == "objects:another-test-bucket"));
        assert_eq!(d.rows_of(Change::RemovedAccess).count(), 0);
        let back = AccessDiff::between(&n, &o);
        assert!(!back.grants_new_access());
        assert_eq!(
            back.rows_of(Change::RemovedAccess).count(),
            d.rows_of(Change::NewAccess).count()
        );
    }

    #[test]
    fn identical_policies_differ_in_nothing() {
        let (o, n) = matrices(RAILS, RAILS);
        assert!(AccessDiff::between(&o, &n).rows.is_empty());
    }

    #[test]
    fn a_new_condition_removes_access_and_a_changed_one_counts_as_new() {
        let ip = |cidr: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{"IpAddress":{{"aws:SourceIp":"{cidr}"}}}}}}]}}"#
            )
        };
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let (o, n) = matrices(plain, &ip("203.0.113.0/24"));
        let d = AccessDiff::between(&o, &n);
        assert!(!d.grants_new_access());
        assert!(d.rows.iter().all(|r| r.change == Change::RemovedAccess));
        let (o, n) = matrices(&ip("203.0.113.0/24"), &ip("0.0.0.0/0"));
        let d = AccessDiff::between(&o, &n);
        assert!(d.grants_new_access());
        assert!(d.rows.iter().all(|r| r.change == Change::ChangedCondition));
    }
}
