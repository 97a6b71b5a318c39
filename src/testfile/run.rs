//! Running the cases of a test file: each case ends `pass`, `fail` or
//! `error`, with the deciding statements when it did not pass.

use serde::Serialize;

use super::checker::{Checker, ProofOutcome, RunOutcome};
use super::model::{decision_name, Check, TestCase, TestFile};
use super::request::RequestSpec;
use crate::diagnostic::Diagnostic;
use crate::eval::policy_set::PolicySet;
use crate::explain::{depends_on_missing, Evaluation};
use crate::policy::{Effect, PolicyType};
use crate::render::text::render_text;
use crate::request::Request;

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    /// The expectation holds.
    Pass,
    /// It does not (or a proof could not be established).
    Fail,
    /// The case could not be checked (a missing engine, a command the
    /// engine does not understand). Never counted as a pass.
    Error,
}

/// A statement that decided, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidingStatement {
    /// The policy file (the test file for inline policies).
    pub file: String,
    /// Line of the statement.
    pub line: u32,
    /// Column of the statement.
    pub column: u32,
    /// `Sid`, when the statement has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// 0-based position in its policy.
    pub index: usize,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// The policy's layer.
    pub policy_type: PolicyType,
}

/// The request of a request case, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestInfo {
    /// Action.
    pub action: String,
    /// Resource.
    pub resource: String,
    /// The caller as s3guard understood it.
    pub principal: String,
    /// The bucket owner's account, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestCaseResult {
    /// The case's name.
    pub name: String,
    /// `request`, `cannot` or `run`.
    pub kind: &'static str,
    /// Line of the case in the test file.
    pub line: u32,
    /// Column of the case in the test file.
    pub column: u32,
    /// JSON pointer of the case.
    pub pointer: String,
    /// Pass, fail or error.
    pub status: TestStatus,
    /// What the case expects (`deny`, `proved`, `partial`, …).
    pub expected: String,
    /// What s3guard found (`allow`, `implicit-deny`, `counterexample`,
    /// `undecided`, `fails`, …); `null` when the case could not be checked.
    pub actual: Option<String>,
    /// Why it did not pass, one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The explanation: `s3guard can`'s answer, a counterexample, the
    /// steps of a command; one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    /// Things to know even when the case passed (a decision that depends
    /// on a context key the case did not give).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The request, for request cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestInfo>,
    /// The statements that decided (request cases).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deciding: Vec<DecidingStatement>,
}

impl TestCaseResult {
    fn new(case: &TestCase, expected: String) -> TestCaseResult {
        TestCaseResult {
            name: case.name.clone(),
            kind: case.check.kind(),
            line: case.location.line,
            column: case.location.column,
            pointer: case.pointer.clone(),
            status: TestStatus::Error,
            expected,
            actual: None,
            message: None,
            details: Vec::new(),
            notes: Vec::new(),
            request: None,
            deciding: Vec::new(),
        }
    }
}

impl TestFile {
    /// Runs every case, in order.
    pub fn run(&self, checker: &dyn Checker) -> Vec<TestCaseResult> {
        self.cases
            .iter()
            .map(|c| run_case(&self.set, c, checker))
            .collect()
    }
}

/// Runs one case against a policy set.
pub fn run_case(set: &PolicySet, case: &TestCase, checker: &dyn Checker) -> TestCaseResult {
    match &case.check {
        Check::Request { spec, expect } => {
            let mut r = TestCaseResult::new(case, expect.as_str().to_string());
            let (req, eval) = match evaluate(set, spec) {
                Ok(x) => x,
                Err(message) => {
                    r.message = Some(message);
                    return r;
                }
            };
            let decision = eval.response.decision;
            r.actual = Some(decision_name(decision).to_string());
            r.request = Some(RequestInfo {
                action: req.action.to_string(),
                resource: req.resource.as_str().to_string(),
                principal: req.principal.to_string(),
                resource_account: req.effective_resource_account().map(str::to_string),
            });
            r.deciding = deciding(set, &eval);
            if depends_on_missing(&eval) {
                r.notes = eval.notes.iter().map(ToString::to_string).collect();
            }
            if expect.is_met_by(decision) {
                r.status = TestStatus::Pass;
            } else {
                r.status = TestStatus::Fail;
                r.message = Some(format!(
                    "expected {}, got {}: {} on {}",
                    expect.as_str(),
                    decision_name(decision),
                    req.action,
                    req.resource.as_str()
                ));
                r.details = lines(&render_text(set, &req, &eval, false));
            }
            r
        }
        Check::Cannot(query) => {
            let mut r = TestCaseResult::new(case, "proved".into());
            match checker.prove_cannot(set, query) {
                ProofOutcome::Proved => {
                    r.status = TestStatus::Pass;
                    r.actual = Some("proved".into());
                }
                ProofOutcome::Counterexample {
                    request,
                    explanation,
                } => {
                    r.status = TestStatus::Fail;
                    r.actual = Some("counterexample".into());
                    r.message = Some(format!(
                        "not proved: {} on {} is allowed",
                        request.action,
                        request.resource.as_str()
                    ));
                    r.details = explanation;
                }
                ProofOutcome::Undecided { reason } => {
                    r.status = TestStatus::Fail;
                    r.actual = Some("undecided".into());
                    r.message = Some(format!("not proved: s3guard cannot decide ({reason})"));
                }
            }
            r
        }
        Check::Run { query, expect } => {
            let mut r = TestCaseResult::new(case, expect.as_str().to_string());
            match checker.run_command(set, query) {
                RunOutcome::Completed { outcome, steps } => {
                    r.actual = Some(outcome.as_str().to_string());
                    if outcome == *expect {
                        r.status = TestStatus::Pass;
                    } else {
                        r.status = TestStatus::Fail;
                        r.message = Some(format!(
                            "expected `{}` to {}, but it {}",
                            query.command,
                            match expect {
                                super::checker::CommandOutcome::Succeeds => "succeed",
                                super::checker::CommandOutcome::Fails => "fail",
                                super::checker::CommandOutcome::Partial => "partly run",
                            },
                            match outcome {
                                super::checker::CommandOutcome::Succeeds => "succeeds",
                                super::checker::CommandOutcome::Fails => "fails",
                                super::checker::CommandOutcome::Partial => "runs partly",
                            }
                        ));
                        r.details = steps;
                    }
                }
                RunOutcome::Invalid { message } => r.message = Some(message),
            }
            r
        }
    }
}

/// Builds and evaluates the request of a spec.
pub fn evaluate(set: &PolicySet, spec: &RequestSpec) -> Result<(Request, Evaluation), String> {
    let mut req = spec.request().map_err(|diags| {
        diags
            .iter()
            .map(|d| d.to_string().replace('\n', " "))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    // the ACL a PutObject or PutObjectAcl carries is in its headers (E-20)
    crate::eval::acl::set_header_keys(
        &mut req,
        set.options().object_acl.as_ref(),
        set.options().bucket_acl.as_ref(),
    );
    let eval = set.evaluate(&req);
    Ok((req, eval))
}

/// The statements that determined a decision.
pub fn deciding(set: &PolicySet, eval: &Evaluation) -> Vec<DecidingStatement> {
    eval.response
        .determining
        .iter()
        .filter_map(|r| {
            let m = set.member(*r)?;
            let s = set.statement(*r)?;
            Some(DecidingStatement {
                file: m.policy.name.clone(),
                line: s.location.start().line,
                column: s.location.start().column,
                sid: s.sid.clone(),
                index: s.index,
                effect: s.effect,
                policy_type: m.layer,
            })
        })
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// The results of one test file, or why it could not be run.
#[derive(Debug, Clone)]
pub struct TestFileReport {
    /// The test file as shown in messages.
    pub path: String,
    /// The case results, or the problems that made the file invalid.
    pub outcome: FileOutcome,
}

/// Whether a test file ran.
#[derive(Debug, Clone)]
pub enum FileOutcome {
    /// The file was valid; its cases ran.
    Ran {
        /// Results in file order.
        cases: Vec<TestCaseResult>,
        /// Warnings of the file and its policies.
        warnings: Vec<Diagnostic>,
    },
    /// The file is invalid: nothing of it ran.
    Invalid {
        /// Errors (then warnings), each with its place.
        diagnostics: Vec<Diagnostic>,
    },
}

/// Loads and runs one test file.
pub fn run_path(path: &str, checker: &dyn Checker) -> TestFileReport {
    let outcome = match TestFile::load(path) {
        Ok(f) => FileOutcome::Ran {
            cases: f.run(checker),
            warnings: f.warnings.clone(),
        },
        Err(e) => FileOutcome::Invalid {
            diagnostics: e.diagnostics,
        },
    };
    TestFileReport {
        path: path.to_string(),
        outcome,
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TestSummary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that could not be checked.
    pub errors: usize,
    /// Test files that are invalid (none of their cases ran).
    pub invalid_files: usize,
}

impl TestSummary {
    /// Counts the results of several files.
    pub fn of(reports: &[TestFileReport]) -> TestSummary {
        let mut s = TestSummary::default();
        for r in reports {
            match &r.outcome {
                FileOutcome::Ran { cases, .. } => {
                    for c in cases {
                        match c.status {
                            TestStatus::Pass => s.passed += 1,
                            TestStatus::Fail => s.failed += 1,
                            TestStatus::Error => s.errors += 1,
                        }
                    }
                }
                FileOutcome::Invalid { .. } => s.invalid_files += 1,
            }
        }
        s
    }

    /// `N passed, N failed` (then `, N errors` and `, N invalid files`
    /// when there are any).
    pub fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.errors > 0 {
            s.push_str(&format!(
                ", {} error{}",
                self.errors,
                if self.errors == 1 { "" } else { "s" }
            ));
        }
        if self.invalid_files > 0 {
            s.push_str(&format!(
                ", {} invalid file{}",
                self.invalid_files,
                if self.invalid_files == 1 { "" } else { "s" }
            ));
        }
        s
    }

    /// Whether everything passed.
    pub fn is_success(&self) -> bool {
        self.failed == 0 && self.errors == 0 && self.invalid_files == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testfile::checker::{CommandOutcome, ProofQuery, RunQuery};
    use crate::testfile::Engines;

    /// A checker that answers what it is told, to test the runner alone.
    struct Fake {
        proof: ProofOutcome,
        run: RunOutcome,
    }

    impl Checker for Fake {
        fn prove_cannot(&self, _: &PolicySet, q: &ProofQuery) -> ProofOutcome {
            assert_eq!(q.actions, "s3:Delete*");
            assert_eq!(q.resources, "arn:aws:s3:::prod*");
            assert_eq!(
                q.principal.as_deref(),
                Some("arn:aws:iam::111122223333:user/app")
            );
            self.proof.clone()
        }

        fn run_command(&self, _: &PolicySet, q: &RunQuery) -> RunOutcome {
            assert_eq!(q.words, ["aws", "s3", "rb", "s3://prod", "--force"]);
            assert_eq!(q.keys, ["a.txt"]);
            // steps are built with the case's caller and context
            let step = q
                .template
                .request("s3:DeleteObject", "arn:aws:s3:::prod/a.txt")
                .unwrap();
            assert_eq!(
                step.principal.to_string(),
                "arn:aws:iam::111122223333:user/app"
            );
            assert!(step.context.get("aws:SourceIp").is_some());
            self.run.clone()
        }
    }

    const FILE: &str = r#"{
      "policies": [{"type": "identity", "document": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}],
      "defaults": {"principal": "arn:aws:iam::111122223333:user/app"},
      "cases": [
        {"name": "proof", "cannot": "s3:Delete*", "on": "arn:aws:s3:::prod*"},
        {"name": "command", "run": "aws s3 rb s3://prod --force", "keys": ["a.txt"],
         "context": {"aws:SourceIp": "203.0.113.9"}, "expect": "partial"}
      ]
    }"#;

    fn statuses(checker: &dyn Checker) -> Vec<(TestStatus, Option<String>, Option<String>)> {
        TestFile::parse("t.s3guard.json", FILE)
            .unwrap()
            .run(checker)
            .into_iter()
            .map(|r| (r.status, r.actual, r.message))
            .collect()
    }

    #[test]
    fn proofs_and_commands_pass_only_on_the_engines_answer() {
        let req = Request::new("s3:DeleteObject", "arn:aws:s3:::prod/a").unwrap();
        let cases = [
            (ProofOutcome::Proved, TestStatus::Pass),
            (
                ProofOutcome::Counterexample {
                    request: Box::new(req),
                    explanation: vec!["ALLOW".into()],
                },
                TestStatus::Fail,
            ),
            (
                ProofOutcome::Undecided {
                    reason: "a condition".into(),
                },
                TestStatus::Fail,
            ),
        ];
        for (proof, want) in cases {
            let fake = Fake {
                proof,
                run: RunOutcome::Completed {
                    outcome: CommandOutcome::Partial,
                    steps: vec![],
                },
            };
            let got = statuses(&fake);
            assert_eq!(got[0].0, want, "{:?}", got[0]);
            assert_eq!(got[1].0, TestStatus::Pass);
        }
        let runs = [
            (
                RunOutcome::Completed {
                    outcome: CommandOutcome::Fails,
                    steps: vec!["DENY s3:ListBucket".into()],
                },
                TestStatus::Fail,
                Some("expected `aws s3 rb s3://prod --force` to partly run, but it fails"),
            ),
            (
                RunOutcome::Invalid {
                    message: "unknown command".into(),
                },
                TestStatus::Error,
                Some("unknown command"),
            ),
        ];
        for (run, want, message) in runs {
            let fake = Fake {
                proof: ProofOutcome::Proved,
                run,
            };
            let got = statuses(&fake);
            assert_eq!(got[1].0, want);
            assert_eq!(got[1].2.as_deref(), message);
        }
    }

    /// With only GetObject allowed: no delete is possible (proved), and
    /// `rb --force` fails at its first step, the listing (expected partial).
    #[test]
    fn s3guards_engines_decide_proofs_and_commands() {
        let got = statuses(&Engines);
        assert_eq!(got[0].0, TestStatus::Pass, "{got:?}");
        assert_eq!(got[1].0, TestStatus::Fail, "{got:?}");
        assert_eq!(got[1].1.as_deref(), Some("fails"), "{got:?}");
    }

    #[test]
    fn summary_line_counts_errors_and_invalid_files() {
        let s = TestSummary {
            passed: 3,
            failed: 1,
            errors: 2,
            invalid_files: 1,
        };
        assert_eq!(s.line(), "3 passed, 1 failed, 2 errors, 1 invalid file");
        assert!(!s.is_success());
        let ok = TestSummary {
            passed: 3,
            ..TestSummary::default()
        };
        assert_eq!(ok.line(), "3 passed, 0 failed");
        assert!(ok.is_success());
    }
}
