//! `s3guard eval`: many requests at once.
//!
//! - `--cases FILE.jsonl`: a corpus of cases (the oracle's JSONL format),
//!   each with its own policies and expected decision.
//! - `--requests FILE.jsonl`: one request per line under the policies given
//!   by the usual flags; one decision per line, in input order.
//!
//! Both stream in constant memory and use every core (`--threads`).

use std::io::Read;

use clap::{ArgGroup, Args, ValueEnum};

use super::args::{PolicyArgs, RequestArgs};
use super::{Io, EXIT_DENIED, EXIT_INVALID, EXIT_OK};
use crate::batch::cases::{run_line_with, CaseResult, SetCache, Status};
use crate::batch::{self, requests, Line, Output};
use crate::diagnostic::Diagnostic;

/// Output formats of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// For people: failures and a summary (`--cases`), one line per request (`--requests`).
    Text,
    /// One JSON object per line (`--cases`: then a summary object).
    Json,
}

/// Arguments of `eval`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("input").required(true).args(["cases", "requests"])))]
pub struct EvalArgs {
    /// A JSONL file of cases (`-` for stdin): one request with its policies and expected decision per line.
    #[arg(long, value_name = "FILE.jsonl")]
    pub cases: Option<String>,
    /// A JSONL file of requests (`-` for stdin): {"action", "resource", and
    /// optionally "principal", "resource_account", "context", "id"} per line,
    /// evaluated under the policies given by --policy and the other policy flags.
    #[arg(long, value_name = "FILE.jsonl")]
    pub requests: Option<String>,
    /// The policies (with --requests).
    #[command(flatten)]
    pub policies: PolicyArgs,
    /// Defaults for every request (with --requests): a line's own fields win.
    #[command(flatten)]
    pub request: RequestArgs,
    /// Worker threads, 1 to 256 (default: one per core). If the system
    /// starts fewer, the work runs on those it starts.
    #[arg(long, value_name = "N", value_parser = threads_arg)]
    pub threads: Option<usize>,
    /// Output format (default: text for --cases, json for --requests).
    #[arg(long, value_enum)]
    pub format: Option<EvalFormat>,
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Cases whose decision was the expected one.
    pub passed: usize,
    /// Cases that failed or could not be evaluated.
    pub failed: usize,
    /// Cases using something s3guard does not model.
    pub skipped: usize,
    /// Cases answered with warnings (a context that contradicts the
    /// caller): counted whatever their status, never as failures.
    pub warned: usize,
}

impl Summary {
    fn add(&mut self, r: &CaseResult) {
        match r.status {
            Status::Pass => self.passed += 1,
            Status::Fail | Status::Error => self.failed += 1,
            Status::Unsupported => self.skipped += 1,
            Status::Evaluated => {}
        }
        if !r.warnings.is_empty() {
            self.warned += 1;
        }
    }

    fn merge(&mut self, o: Summary) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
        self.warned += o.warned;
    }

    /// `N passed, N failed[, N skipped][, N with warnings]`.
    pub fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        if self.warned > 0 {
            s.push_str(&format!(", {} with warnings", self.warned));
        }
        s
    }
}

/// Runs `eval`.
pub fn run(args: &EvalArgs, io: &mut Io<'_>) -> i32 {
    match (&args.cases, &args.requests) {
        (Some(cases), None) => run_cases(cases, args, io),
        (None, Some(reqs)) => run_requests(reqs, args, io),
        _ => {
            io.diagnostics(
                &[Diagnostic::error(
                    "INVALID_ARGUMENT",
                    "give exactly one of --cases and --requests",
                )],
                args.format == Some(EvalFormat::Json),
            );
            EXIT_INVALID
        }
    }
}

/// The input, unbuffered: the batch reads it straight into its chunks.
fn open(path: &str) -> Result<Box<dyn Read + Send>, Box<Diagnostic>> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| {
            Box::new(Diagnostic::error(
                "IO_ERROR",
                format!("cannot read `{path}`: {e}"),
            ))
        })
}

fn display_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Reports an input that could not be read to the end.
fn read_failed(io: &mut Io<'_>, name: &str, e: &std::io::Error, json: bool) -> i32 {
    io.diagnostics(
        &[Diagnostic::error(
            "IO_ERROR",
            format!("cannot read `{name}`: {e}"),
        )],
        json,
    );
    EXIT_INVALID
}

/// Writes a chunk of answer lines: JSON as it is, text through the
/// terminal-safe net. `false` when stdout is gone (stop reading input).
fn emit_lines(io: &mut Io<'_>, text: &[u8], json: bool) -> bool {
    if json {
        return io.out_bytes(text);
    }
    let text = String::from_utf8_lossy(text);
    io.out_bytes(crate::render::escape::lines(&text).as_bytes())
}

/// `--threads`: 1 to [`batch::MAX_THREADS`].
fn threads_arg(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=batch::MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of threads from 1 to {}",
            batch::MAX_THREADS
        )),
    }
}

fn threads(args: &EvalArgs) -> usize {
    args.threads.unwrap_or_else(batch::default_threads)
}

/// A line as text, or the reason it cannot be one.
fn line_text<'a>(name: &str, line: Line<'a>) -> Result<&'a str, String> {
    if line.too_long {
        return Err(format!(
            "{name}:{}: the line is longer than {} MiB (skipped unread)",
            line.number,
            batch::MAX_LINE_BYTES >> 20
        ));
    }
    if let Some(text) = line.text {
        return Ok(text);
    }
    let text = std::str::from_utf8(line.bytes).map_err(|e| {
        format!(
            "{name}:{}:{}: the line is not valid UTF-8",
            line.number,
            String::from_utf8_lossy(line.bytes.get(..e.valid_up_to()).unwrap_or_default())
                .chars()
                .count()
                + 1
        )
    })?;
    Ok(text)
}

/// A line of nothing but white space (skipped), told at its first byte for
/// the common line, which starts with `{`.
fn is_blank(text: &str) -> bool {
    text.as_bytes().first() != Some(&b'{') && text.trim().is_empty()
}

fn run_cases(path: &str, args: &EvalArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format == Some(EvalFormat::Json);
    if !args.policies.is_empty() {
        io.diagnostics(
            &[Diagnostic::error(
                "INVALID_ARGUMENT",
                "--cases files carry their own policies; policy flags go with --requests",
            )],
            json,
        );
        return EXIT_INVALID;
    }
    let input = match open(path) {
        Ok(r) => r,
        Err(d) => return io.invalid(&[*d], json),
    };
    let name = display_name(path);
    // one cache for every worker: a set compiled by one serves them all
    let cache = SetCache::default();
    let work = |_: &mut (), line: Line<'_>, out: &mut Output<Summary>| {
        let result = match line_text(name, line) {
            Ok(text) if is_blank(text) => return,
            Ok(text) => run_line_with(name, line.number, text, Some(&cache)),
            Err(message) => CaseResult {
                id: format!("line {}", line.number),
                line: line.number,
                decision: None,
                expect: None,
                status: Status::Error,
                message: Some(message),
                warnings: Vec::new(),
                response: None,
            },
        };
        out.stats.add(&result);
        report(&result, name, json, &mut out.text);
    };
    let mut summary = Summary::default();
    let read = batch::for_each_line(
        input,
        threads(args),
        || (),
        work,
        |out| {
            summary.merge(out.stats);
            emit_lines(io, &out.text, json)
        },
    );
    // The command ends with this run: its cache's sets (megabytes, freed
    // block by block, most of them allocated on the workers' threads)
    // would be freed only for the process to exit; the system takes the
    // memory back at once.
    std::mem::forget(cache);
    if let Err(e) = read {
        return read_failed(io, name, &e, json);
    }
    if json {
        let mut line = serde_json::json!({
            "summary": summary.line(),
            "passed": summary.passed,
            "failed": summary.failed,
            "skipped": summary.skipped,
        });
        // only when there are any: a run without warnings reads as before
        if let Some(fields) = line.as_object_mut().filter(|_| summary.warned > 0) {
            fields.insert("warned".into(), summary.warned.into());
        }
        io.out(&line.to_string());
    } else {
        io.out(&summary.line());
    }
    if summary.failed == 0 {
        EXIT_OK
    } else {
        EXIT_DENIED
    }
}

fn report(r: &CaseResult, name: &str, json: bool, out: &mut Vec<u8>) {
    use std::io::Write;
    if json {
        let _ = serde_json::to_writer(&mut *out, r);
        out.push(b'\n');
        return;
    }
    let label = match r.status {
        Status::Pass | Status::Evaluated => None,
        Status::Fail => Some("FAIL"),
        Status::Error => Some("ERROR"),
        Status::Unsupported => Some("UNSUPPORTED"),
    };
    if let Some(label) = label {
        let _ = writeln!(
            out,
            "{label} {} ({name}:{}): {}",
            r.id,
            r.line,
            r.message.as_deref().unwrap_or_default()
        );
    }
    for w in &r.warnings {
        let _ = writeln!(
            out,
            "WARNING {} ({name}:{}) at {}: {}",
            r.id, r.line, w.pointer, w.message
        );
    }
}

/// Counts of a `--requests` run.
#[derive(Debug, Default, Clone, Copy)]
struct RequestStats {
    allowed: usize,
    denied: usize,
    invalid: usize,
}

fn run_requests(path: &str, args: &EvalArgs, io: &mut Io<'_>) -> i32 {
    let json = args.format != Some(EvalFormat::Text);
    let stdin_twice = path == "-"
        && [
            &args.policies.identity,
            &args.policies.bucket,
            &args.policies.boundary,
            &args.policies.session,
            &args.policies.vpce_policies,
        ]
        .iter()
        .any(|files| files.iter().any(|f| f == "-"));
    let problem = if args.policies.is_empty() {
        Some(super::load::no_policy())
    } else if stdin_twice {
        Some(Diagnostic::error(
            "INVALID_ARGUMENT",
            "stdin cannot hold both the requests and a policy",
        ))
    } else {
        None
    };
    if let Some(d) = problem {
        io.diagnostics(&[d], json);
        return EXIT_INVALID;
    }
    let Some(loaded) = io.load_policies(&args.policies, json) else {
        return EXIT_INVALID;
    };
    // The flags' principal, account and context, without defaults: those
    // are filled in per request, once its own fields are known.
    let builder = args.request.builder();
    let template = match builder.clone().no_defaults(true).build("s3:GetObject", "*") {
        Ok(r) => r,
        Err(diags) => return io.invalid(&diags, json),
    };
    let at = match builder.time() {
        Ok(at) => at,
        Err(d) => return io.invalid(&[*d], json),
    };
    let input = match open(path) {
        Ok(r) => r,
        Err(d) => return io.invalid(&[*d], json),
    };
    let set = &loaded.set;
    let statements = requests::StatementJson::new(set);
    let explain = set.uses_context();
    let name = display_name(path);
    // Every request of the run happens at one instant (--at, or now).
    let at = Some(at.unwrap_or_else(crate::request::builder::now));
    let completion = requests::Completion {
        template: &template,
        builder: &builder,
        object_acl: set.options().object_acl.as_ref(),
        bucket_acl: set.options().bucket_acl.as_ref(),
        at,
    };
    let work = |state: &mut requests::Requests, line: Line<'_>, out: &mut Output<RequestStats>| {
        let next = match line_text(name, line) {
            Ok(text) if is_blank(text) => return,
            Ok(text) => state.next(
                name,
                line.number,
                text,
                &template,
                args.request.allow_unknown_action,
                &completion,
            ),
            Err(message) => Err(vec![Diagnostic::error("INVALID_REQUEST", message)]),
        };
        let (request, id) = match next {
            Ok(n) => (n.request, n.id),
            Err(diags) => {
                out.stats.invalid += 1;
                if json {
                    state.errors.write(&mut out.text, line.number, diags);
                } else {
                    for d in &diags {
                        out.text.extend_from_slice(
                            format!(
                                "{}: INVALID {}\n",
                                line.number,
                                d.to_string().replace('\n', " ")
                            )
                            .as_bytes(),
                        );
                    }
                }
                return;
            }
        };
        let evaluation = explain.then(|| set.evaluate_relevant(request));
        let authorized;
        let response = match &evaluation {
            Some(e) => &e.response,
            None => {
                authorized = set.authorize(request);
                &authorized
            }
        };
        if response.is_allowed() {
            out.stats.allowed += 1;
        } else {
            out.stats.denied += 1;
        }
        if json {
            requests::write_decision(
                &mut out.text,
                line.number,
                request,
                id,
                response,
                evaluation.as_ref(),
                &statements,
            );
        } else {
            let _ = std::io::Write::write_fmt(
                &mut out.text,
                format_args!(
                    "{}: {} {} on {}\n",
                    line.number,
                    response.decision.headline(),
                    crate::render::escape::value(request.action.as_str()),
                    crate::render::escape::value(request.resource.as_str())
                ),
            );
        }
    };
    let mut stats = RequestStats::default();
    let read = batch::for_each_line(
        input,
        threads(args),
        requests::Requests::default,
        work,
        |out| {
            stats.allowed += out.stats.allowed;
            stats.denied += out.stats.denied;
            stats.invalid += out.stats.invalid;
            emit_lines(io, &out.text, json)
        },
    );
    if let Err(e) = read {
        return read_failed(io, name, &e, json);
    }
    if stats.invalid > 0 {
        io.err(&format!(
            "{name}: {} invalid request line(s) not evaluated ({} allowed, {} denied)",
            stats.invalid, stats.allowed, stats.denied
        ));
        EXIT_INVALID
    } else {
        EXIT_OK
    }
}
