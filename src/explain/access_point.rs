//! Explaining a request through an access point (spec AP-1): the traces of
//! both phases (each statement once: the bucket policy's at the bucket,
//! every other at the access point), the missing context and notes of the
//! request at the access point, and a note saying how each phase answered.

use super::notes::Note;
use super::Evaluation;
use crate::eval::access_point::Phases;
use crate::eval::policy_set::PolicySet;
use crate::policy::PolicyType;
use crate::request::Request;

impl PolicySet {
    /// [`PolicySet::evaluate`] of `req`, which goes through the access point.
    pub(crate) fn evaluate_through_access_point(
        &self,
        req: &Request,
        phases: &Phases,
        relevant_only: bool,
    ) -> Evaluation {
        let at_bucket = |t: &super::StatementTrace| t.policy_type == PolicyType::Resource;
        let mut traces: Vec<_> = self
            .traces(&phases.access_point, relevant_only)
            .into_iter()
            .filter(|t| !at_bucket(t))
            .chain(
                self.traces(&phases.bucket, relevant_only)
                    .into_iter()
                    .filter(at_bucket),
            )
            .collect();
        traces.sort_by_key(|t| t.statement_ref);
        let mut eval = Evaluation {
            response: self.authorize(req),
            traces,
            missing_context: Vec::new(),
            notes: Vec::new(),
            condition_errors: Vec::new(),
        };
        eval.condition_errors = super::condition_errors(&eval);
        self.missing_context(&phases.access_point, &mut eval);
        let mut general: Vec<Note> = self
            .general_notes(&phases.access_point, &eval)
            .into_iter()
            .filter(|n| {
                !matches!(
                    n,
                    Note::PublicPolicyRestricted
                        | Note::LayerNotTakingPart {
                            layer: PolicyType::Resource,
                            ..
                        }
                )
            })
            .collect();
        for n in self.general_notes(&phases.bucket, &eval) {
            if n == Note::PublicPolicyRestricted && !general.contains(&n) {
                general.push(n);
            }
        }
        eval.notes.extend(general);
        let (access_point, bucket) = self.phase_outcomes(phases);
        eval.notes.push(Note::ThroughAccessPoint {
            access_point,
            bucket,
            refusal: self.access_point_refusal(&phases.access_point),
        });
        eval
    }
}
