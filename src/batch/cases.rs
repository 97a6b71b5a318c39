//! The JSONL case format of differential testing (`eval --cases`, `docs/eval.md`):
//! one request with all its policies per line, and the expected decision.
//!
//! The context of a case is exactly what the case gives: nothing is derived
//! or defaulted.

use std::sync::Arc;

use serde::Serialize;
use smallvec::SmallVec;

use super::case_scan::{self, Field, Fields};
use crate::diagnostic::Diagnostic;
use crate::eval::access_point::{self, AccessPointSettings};
use crate::eval::policy_set::{EvalOptions, PolicySet, PolicySetBuilder};
use crate::eval::response::{Decision, Response};
use crate::eval::s3_settings::{S3Settings, Spelling};
use crate::json::{self, pointer, Document, Kind, SourceFile, Value};
use crate::matcher::{Action, Resource};
use crate::policy::{LoadOptions, Policy, PolicyType};
use crate::request::context::{Context, ContextKey, ContextValue, Origin};
use crate::request::{Principal, Request};

/// Fields a case may have. Anything else is an error: a typo must not pass.
const FIELDS: &[&str] = &[
    "id",
    "identity",
    "resource_policy",
    "boundary",
    "session",
    "scp",
    "rcp",
    "access_point_policy",
    "access_point",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "service_linked_role",
    "vpce_policy",
    "new_bucket_policy",
    "block_public_access",
    "object_owner",
    "object_acl",
    "bucket_acl",
    "object_ownership",
    "vpce_type",
    "expect",
    "source",
    "note",
    "tags",
    "oracle_expect",
    "oracle_error",
    "oracle_ignored_context_keys",
    "oracle_warnings",
];

/// One parsed case, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Case {
    /// `id`, or `line N` when absent.
    pub id: String,
    /// 1-based line in the file.
    pub line: usize,
    /// Every policy of the case (shared with the cases of a [`SetCache`]
    /// that have the same).
    pub policies: Arc<PolicySet>,
    /// The request.
    pub request: Request,
    /// The expected decision, when given.
    pub expect: Option<Decision>,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The decision is the expected one.
    Pass,
    /// It is not.
    Fail,
    /// The case uses something s3guard does not model (never counted as a pass).
    Unsupported,
    /// The case is invalid (bad JSON, bad policy, bad request).
    Error,
    /// No `expect`: evaluated only.
    Evaluated,
}

/// The result of one case (one line of `eval --cases --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Line in the file.
    pub line: usize,
    /// s3guard's decision (`Allow`, `ExplicitDeny`, `ImplicitDeny`), null on error.
    #[serde(serialize_with = "ser_decision")]
    pub decision: Option<Decision>,
    /// The expected decision.
    #[serde(serialize_with = "ser_decision")]
    pub expect: Option<Decision>,
    /// Pass, fail, unsupported or error.
    pub status: Status,
    /// Why it failed or errored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the case asks that AWS could not receive, though it is
    /// answered: each key of its context that contradicts its caller
    /// (spec E-7, [`Principal::context_conflicts`]). Absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<CaseWarning>,
    /// The full response, for failures.
    #[serde(skip)]
    pub response: Option<Response>,
}

/// A warning on a case that is answered all the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseWarning {
    /// Where in the case: the JSON pointer of the field (`/context/KEY`).
    pub pointer: String,
    /// What is wrong there.
    pub message: String,
}

/// The warnings of a request: each context key that contradicts its caller,
/// with the message `can` refuses such a request with.
fn warnings(request: &Request) -> Vec<CaseWarning> {
    request
        .principal
        .context_conflicts(&request.context)
        .into_iter()
        .map(|c| CaseWarning {
            pointer: pointer::join("/context", &c.key),
            message: c.message(&request.principal),
        })
        .collect()
}

fn ser_decision<S: serde::Serializer>(d: &Option<Decision>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(d.case_name()),
        None => s.serialize_none(),
    }
}

/// Splits a JSONL file into `(line number, start, end)` of its non-blank lines.
pub fn lines(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut offset = 0;
    text.split('\n').enumerate().filter_map(move |(i, line)| {
        let start = offset;
        offset += line.len() + 1;
        let trimmed = line.trim_end_matches('\r');
        (!trimmed.trim().is_empty()).then_some((i + 1, start, start + trimmed.len()))
    })
}

/// Parses one case: `text` is line `line` of the file named `name`.
pub fn parse_case(name: &str, line: usize, text: &str) -> Result<Case, (String, Vec<Diagnostic>)> {
    parse_case_with(name, line, text, None)
}

/// The fields of a case that say nothing about its policy set (the
/// request and the labels). Every other field (policies, bucket state,
/// access point) is part of [`SetCache`]'s key: a field added later is in
/// the key unless it is added here and flagged so in [`classify`] (which
/// a test keeps to this list; a field added to [`FIELDS`] only is unknown
/// to `classify`, and its lines are read in full, without the cache).
#[cfg(test)]
const REQUEST_FIELDS: &[&str] = &[
    "id",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "service_linked_role",
    "expect",
    "source",
    "note",
    "tags",
    "oracle_expect",
    "oracle_error",
    "oracle_ignored_context_keys",
    "oracle_warnings",
];

/// Most policy sets a [`SetCache`] holds.
const CACHE_SETS: usize = 4096;
/// Most bytes a [`SetCache`] keeps alive, estimated as its keys and
/// [`SET_BYTES_PER_LINE_BYTE`] times the lines the sets were read from.
const CACHE_BYTES: usize = 32 << 20;
/// What a compiled set costs in memory per byte of its case line (the
/// line's document, its parsed policies and their matchers; measured: a
/// corpus of 7.8 MB of lines held 53 MB more when every set was kept).
const SET_BYTES_PER_LINE_BYTE: usize = 8;
/// Sets are kept the first time they are seen while the cache holds less
/// than this (estimated as for `CACHE_BYTES`), past it only the second
/// time: a corpus that repeats its policies then reads each set once, not
/// twice (the benchmark: 482 sets for 2,600 cases, 188 → 167 M
/// instructions), and a managed policy like ReadOnlyAccess (91 KB, ~4.5 M
/// instructions to read) once. In a corpus without repeats the sets kept
/// are never asked for again and the memory they hold is fresh pages (a
/// page fault each, ~2 µs here): the budget bounds that.
const KEEP_AT_ONCE_BUDGET: usize = 8 << 20;
/// Most keys a [`SetCache`] remembers having seen.
const CACHE_SEEN: usize = 1 << 16;

/// Compiled policy sets of earlier cases, by the text of the fields they
/// are built from: a corpus repeats policies across cases (a policy and
/// many requests), and parsing, validating and compiling them costs most
/// of a case. One cache serves every worker (it is locked only to look a
/// key up and to keep a set). A set is kept the first time its key is
/// seen while the cache is small (`KEEP_AT_ONCE_BUDGET`), then the
/// second time, so a corpus without repeats keeps few (it costs a hash
/// per case).
/// Bounded (`CACHE_SETS`, `CACHE_BYTES`, `CACHE_SEEN`): when full,
/// it is emptied. Only sets of valid cases are kept, so every diagnostic
/// of a case still comes from reading that case.
///
/// The key is found without parsing the policies
/// ([`case_scan::scan`]: the line's top-level members and their texts):
/// a case whose key is kept has exactly the text of a valid case's
/// policies and bucket state, so only its request fields are parsed
/// ([`parse_case_with`]). A line the scan declines (a key written with
/// escapes, bad JSON, an unknown or repeated field) is read in full,
/// without the cache.
#[derive(Debug, Default)]
pub struct SetCache {
    hasher: foldhash::fast::RandomState,
    /// Read-locked for look-ups, which compare whole policy texts with
    /// the line's (a mutex made the workers wait on each other's
    /// comparisons); write-locked to keep a set or note a key seen.
    inner: std::sync::RwLock<Sets>,
}

/// A key of a [`SetCache`]: the name and text of each set field, in turn.
type Key = Box<[Arc<str>]>;

/// Set fields at least this long are remembered by their first bytes
/// ([`Sets::known`]); shorter ones cost little to scan. Policies share
/// their first fifty bytes or so (`[{"Version":"2012-10-17","Statement":
/// [{"Effect":…`): by their first 64 the benchmark's look-ups went through
/// lists of texts alike (206.4 M instructions), by 128 they do not (202.8 M).
const KNOWN_FROM: usize = 128;

/// What a [`SetCache`] holds.
#[derive(Debug, Default)]
struct Sets {
    /// The sets by the hash of their key, with the key.
    sets: std::collections::HashMap<u64, (Key, Arc<PolicySet>), foldhash::fast::RandomState>,
    /// Hashes of the keys seen.
    seen: std::collections::HashSet<u64, foldhash::fast::RandomState>,
    bytes: usize,
    /// The texts of the kept sets' fields of at least [`KNOWN_FROM`]
    /// bytes (shared with their keys), by their field's number and the
    /// hash of their first [`KNOWN_FROM`] bytes: the scan of a line takes
    /// such a field's length from here ([`case_scan::scan_with`]).
    known: std::collections::HashMap<
        (u32, u64),
        smallvec::SmallVec<[Arc<str>; 1]>,
        foldhash::fast::RandomState,
    >,
}

/// A case line's members, and what a [`SetCache`] has for its set fields.
struct Probe<'c, 'a> {
    cache: &'c SetCache,
    fields: Fields<'a>,
    /// The members of the line's `context` when it is a flat object, read
    /// by the scan (which then need not skip it first).
    context: Option<FlatMembers<'a>>,
    hash: u64,
    /// The key was seen before (and no set is kept): keep this case's set.
    keep: bool,
    /// The set kept under the key.
    set: Option<Arc<PolicySet>>,
}

/// Whether `name` is a field of a case, its place in [`FIELDS`], and
/// whether it is a request or label field (`REQUEST_FIELDS`) rather
/// than part of the policy set: what [`case_scan::scan`] keeps in
/// [`Field::flag`]. A `match` (one test of the length, then a few
/// comparisons) rather than a search of both lists: a case line asks for
/// each of its fields. The test `fields_are_classified_as_listed` keeps
/// it to the lists.
fn classify(name: &str) -> Option<(u32, bool)> {
    let class = match name {
        "id" => (0, true),
        "identity" => (1, false),
        "resource_policy" => (2, false),
        "boundary" => (3, false),
        "session" => (4, false),
        "scp" => (5, false),
        "rcp" => (6, false),
        "access_point_policy" => (7, false),
        "access_point" => (8, false),
        "principal" => (9, true),
        "action" => (10, true),
        "resource" => (11, true),
        "resource_account" => (12, true),
        "context" => (13, true),
        "service_linked_role" => (14, true),
        "vpce_policy" => (15, false),
        "new_bucket_policy" => (16, false),
        "block_public_access" => (17, false),
        "object_owner" => (18, false),
        "object_acl" => (19, false),
        "bucket_acl" => (20, false),
        "object_ownership" => (21, false),
        "vpce_type" => (22, false),
        "expect" => (23, true),
        "source" => (24, true),
        "note" => (25, true),
        "tags" => (26, true),
        "oracle_expect" => (27, true),
        "oracle_error" => (28, true),
        "oracle_ignored_context_keys" => (29, true),
        "oracle_warnings" => (30, true),
        _ => return None,
    };
    Some(class)
}

/// The fields a request is read from ([`build_request`], `id`,
/// `expect`): the other request fields are labels, only checked. A hint
/// for speed only: a field the reader asks for that was not built sends
/// the case to the full reading. The warm path asks [`READ`], its bits.
#[cfg(test)]
const READ_FIELDS: &[&str] = &[
    "id",
    "principal",
    "action",
    "resource",
    "resource_account",
    "context",
    "service_linked_role",
    "expect",
];

/// The read fields (`READ_FIELDS`: `id`, `principal`, `action`,
/// `resource`, `resource_account`, `context`, `service_linked_role`,
/// `expect`) as a bit per [`classify`] number (kept to the list by the
/// test `fields_are_classified_as_listed`).
const READ: u64 = 1 << 0 | 1 << 9 | 1 << 10 | 1 << 11 | 1 << 12 | 1 << 13 | 1 << 14 | 1 << 23;

/// The set fields (the fields not in `REQUEST_FIELDS`) as a bit per
/// [`classify`] number: only their texts are kept in [`Sets::known`], so
/// only they are looked up there (a line's `context` object cost a lock
/// and a hash for nothing). Kept to the lists by the test
/// `fields_are_classified_as_listed`.
const SET_FIELDS: u64 = (1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8)
    | (1 << 15 | 1 << 16 | 1 << 17 | 1 << 18 | 1 << 19 | 1 << 20 | 1 << 21 | 1 << 22);

/// The [`classify`] number of `context`.
const CONTEXT: u32 = 13;

/// The members of a flat object ([`case_scan::flat_members`]), on the
/// stack for a usual context (about twenty keys).
type FlatMembers<'a> = SmallVec<[(&'a str, case_scan::Plain<'a>); 32]>;

/// The set fields of a scanned line: each one's name and JSON text, in order.
fn set_fields<'f, 'a>(fields: &'f [Field<'a>]) -> impl Iterator<Item = &'f Field<'a>> + 'f {
    fields.iter().filter(|f| !f.flag)
}

impl SetCache {
    /// Scans `text` and looks its set fields up; `None` when the scan
    /// declines the line.
    fn probe<'c, 'a>(&'c self, text: &'a str) -> Option<Probe<'c, 'a>> {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut context = None;
        let fields = case_scan::scan_with(text, classify, |number, rest| {
            if number == CONTEXT {
                // a flat context is read here, once: its members, and its
                // length for the scan (a flat object is a whole JSON
                // value, ending where the scan's skip would end it: the
                // test `flat_objects_are_read_in_place`)
                let mut members = FlatMembers::new();
                let len = case_scan::flat_members_len(rest, |k, v| members.push((k, v)))?;
                context = Some(members);
                return Some(len);
            }
            self.known_len(number, rest.as_bytes())
        })?;
        let mut h = self.hasher.build_hasher();
        for f in set_fields(&fields) {
            f.name.hash(&mut h);
            f.raw.hash(&mut h);
        }
        let hash = h.finish();
        let set_bytes = set_fields(&fields).map(|f| f.raw.len()).sum::<usize>();
        let inner = self.inner.read().ok()?;
        let at_once =
            inner.bytes + set_bytes.saturating_mul(SET_BYTES_PER_LINE_BYTE) <= KEEP_AT_ONCE_BUDGET;
        let set = inner
            .sets
            .get(&hash)
            .filter(|(key, _)| same_key(key, &fields))
            .map(|(_, set)| set.clone());
        drop(inner);
        let keep = set.is_none()
            && (at_once || {
                let mut inner = self.inner.write().ok()?;
                if inner.seen.len() >= CACHE_SEEN {
                    inner.seen.clear();
                }
                !inner.seen.insert(hash)
            });
        Some(Probe {
            cache: self,
            fields,
            context,
            hash,
            keep,
            set,
        })
    }

    /// The length of a kept set field's text that `rest` starts with, for
    /// the field numbered `number`.
    fn known_len(&self, number: u32, rest: &[u8]) -> Option<usize> {
        if 1u64.checked_shl(number).unwrap_or(0) & SET_FIELDS == 0 {
            return None;
        }
        let first = rest.get(..KNOWN_FROM)?;
        let at = (
            number,
            std::hash::BuildHasher::hash_one(&self.hasher, first),
        );
        let inner = self.inner.read().ok()?;
        inner
            .known
            .get(&at)?
            .iter()
            .find(|text| rest.starts_with(text.as_bytes()))
            .map(|text| text.len())
    }

    /// Keeps the set of the scanned line `fields` (of `line_bytes`).
    fn insert(&self, hash: u64, fields: &[Field<'_>], set: Arc<PolicySet>, line_bytes: usize) {
        let key = key_of(fields);
        let numbers = set_fields(fields).map(|f| f.number);
        let texts = key.iter().skip(1).step_by(2);
        let known: Vec<(u32, Arc<str>)> = numbers
            .zip(texts)
            .filter(|(_, text)| text.len() >= KNOWN_FROM)
            .map(|(number, text)| (number, text.clone()))
            .collect();
        self.insert_key(hash, key, known, set, line_bytes);
    }

    /// Keeps `set` under `key`, its `known` field texts remembered.
    fn insert_key(
        &self,
        hash: u64,
        key: Key,
        known: Vec<(u32, Arc<str>)>,
        set: Arc<PolicySet>,
        line_bytes: usize,
    ) {
        let cost = key
            .iter()
            .map(|piece| piece.len())
            .sum::<usize>()
            .saturating_add(line_bytes.saturating_mul(SET_BYTES_PER_LINE_BYTE));
        if cost > CACHE_BYTES {
            return;
        }
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if inner.sets.len() >= CACHE_SETS || inner.bytes + cost > CACHE_BYTES {
            inner.sets.clear();
            inner.known.clear();
            inner.bytes = 0;
        }
        inner.bytes += cost;
        inner.sets.insert(hash, (key, set));
        for (number, text) in known {
            let first = text.as_bytes().get(..KNOWN_FROM).unwrap_or_default();
            let at = (
                number,
                std::hash::BuildHasher::hash_one(&self.hasher, first),
            );
            let texts = inner.known.entry(at).or_default();
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
    }
}

/// The key of a scanned line's set fields.
fn key_of(fields: &[Field<'_>]) -> Key {
    set_fields(fields)
        .flat_map(|f| [f.name.into(), f.raw.into()])
        .collect()
}

/// Whether `key` is the key of these fields (no key is built).
fn same_key(key: &[Arc<str>], fields: &[Field<'_>]) -> bool {
    let mut pieces = key.iter();
    set_fields(fields).all(|f| {
        pieces.next().is_some_and(|p| **p == *f.name)
            && pieces.next().is_some_and(|p| **p == *f.raw)
    }) && pieces.next().is_none()
}

/// The deepest nesting of arrays and objects in `v` (0 for a scalar).
fn nesting(v: &Value) -> usize {
    match &v.kind {
        Kind::Array(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Kind::Object(members) => 1 + members.iter().map(|m| nesting(&m.value)).max().unwrap_or(0),
        _ => 0,
    }
}

/// A case whose set fields have the text of `set`'s valid case: only its
/// request fields are parsed, each on its own. `None` when anything in
/// them is not plain (bad JSON, a duplicate key, deep nesting, a bad
/// request or `expect`): the full reading then decides, with its messages.
///
/// Sound because the line is then valid JSON exactly when the full parser
/// says so: the scan checked the top-level object's grammar and that no
/// key is unknown or repeated; the set fields' texts are those of a line
/// the full parser accepted (at the same depth, with no duplicate key);
/// each request field's text is checked here by the same parser (a value
/// one level down the line: its nesting must stay under the limit there).
fn case_with_set(
    line: usize,
    fields: &[Field<'_>],
    flat: Option<&[(&str, case_scan::Plain<'_>)]>,
    set: Arc<PolicySet>,
) -> Option<Case> {
    // Each request field's value: a plain string as it is; an array or
    // object of plain strings checked without a tree (`None`: asking for
    // it sends the case to the full reading); the context, when flat,
    // straight into the request's; anything else through the parser.
    let mut values: SmallVec<[(&str, Option<Value>); 16]> = SmallVec::new();
    let mut context = None;
    for f in fields.iter().filter(|f| f.flag) {
        if f.name == "context" {
            // read by the scan, or now
            let read = match flat {
                Some(members) => context_of(members),
                None => flat_context(f.raw),
            };
            if let Some(flat) = read {
                context = Some(flat);
                continue;
            }
        }
        let read = 1u64.checked_shl(f.number).unwrap_or(0) & READ != 0;
        let checked = || f.checked || case_scan::is_plain_value(f.raw);
        let value = if !read && checked() {
            None
        } else if let Some(text) = case_scan::plain_string(f.raw) {
            Some(Value {
                kind: Kind::String(json::Str::new(text)),
                span: json::Span::default(),
            })
        } else if checked() {
            None
        } else {
            let parsed = json::parse(f.raw).ok()?;
            if !parsed.duplicates.is_empty() || nesting(&parsed.value) >= json::MAX_DEPTH {
                return None;
            }
            Some(parsed.value)
        };
        values.push((f.name, value));
    }
    let unbuilt = std::cell::Cell::new(false);
    let get = |k: &str| match values.iter().find(|(n, _)| *n == k) {
        Some((_, Some(v))) => Some(v),
        Some((_, None)) => {
            unbuilt.set(true);
            None
        }
        None => None,
    };
    let mut ok = true;
    let mut request = build_request(&get, &mut |_, _, _| ok = false)?;
    if let Some(flat) = context {
        // `build_request` saw no context: its own is empty
        request.context = flat;
    }
    let expect = match get("expect") {
        None => None,
        Some(v) => Some(v.as_str().and_then(Decision::parse)?),
    };
    if !ok || unbuilt.get() {
        return None;
    }
    let options = set.options();
    crate::eval::acl::set_header_keys(
        &mut request,
        options.object_acl.as_ref(),
        options.bucket_acl.as_ref(),
    );
    let id = get("id")
        .and_then(Value::scalar_text)
        .unwrap_or_else(|| format!("line {line}"));
    Some(Case {
        id,
        line,
        policies: set,
        request,
        expect,
    })
}

/// The context of a flat `context` object (plain keys, strings and arrays
/// of strings: [`case_scan::flat_members`]) as `build_request` reads it
/// (`context_value`, in order), without a tree; `None` for any other text
/// and when two keys are one in any case.
fn flat_context(raw: &str) -> Option<Context> {
    let mut members = FlatMembers::new();
    case_scan::flat_members(raw, |k, v| members.push((k, v)))?;
    context_of(&members)
}

/// The context of a flat object's members (see [`flat_context`]); `None`
/// when two keys are one in any case.
fn context_of(members: &[(&str, case_scan::Plain<'_>)]) -> Option<Context> {
    // a key twice, in any case, is left to the full reading (the same key
    // twice is a JSON error there)
    Context::from_distinct(
        members,
        |(k, _)| k,
        |(_, v)| match v {
            case_scan::Plain::One(s) => ContextValue::Single(s.to_string()),
            case_scan::Plain::Many(items) => {
                ContextValue::Multi(items.iter().map(|s| s.to_string()).collect())
            }
        },
        Origin::Given,
    )
}

/// [`parse_case`], taking the policy set from `cache` when an earlier case
/// had the same policies and bucket state, and keeping this case's there.
pub fn parse_case_with(
    name: &str,
    line: usize,
    text: &str,
    cache: Option<&SetCache>,
) -> Result<Case, (String, Vec<Diagnostic>)> {
    let probe = cache.and_then(|c| c.probe(text));
    if let Some(p) = &probe {
        let case = match &p.set {
            Some(set) => case_with_set(line, &p.fields, p.context.as_deref(), set.clone()),
            None => case_from_fields(name, line, text, p),
        };
        if let Some(case) = case {
            return Ok(case);
        }
    }
    parse_case_in_full(name, line, text, probe)
}

/// A case whose set is not kept, when the scan found its fields: each set
/// field is parsed on its own, in place (its spans are those of the line),
/// the set is read from them, and the request fields as
/// [`case_with_set`] reads them; no tree of the whole line, none of its
/// label fields. `None` when anything is not plain (a field the parser
/// refuses or finds a duplicate key in, nesting at the limit, any problem
/// with the set or the request): the full reading then decides, with its
/// messages.
///
/// Sound for the reason [`case_with_set`] is: the scan checked the
/// top-level object (no unknown or repeated field, no key with an escape),
/// each set field is checked here by the same parser one level down, each
/// request and label field by `case_with_set`; a valid case is read from
/// the same values at the same places as the full reading reads them.
fn case_from_fields(name: &str, line: usize, text: &str, probe: &Probe<'_, '_>) -> Option<Case> {
    let file = Arc::new(SourceFile::at_line(
        name,
        text,
        u32::try_from(line).unwrap_or(u32::MAX),
    ));
    let doc = Arc::new(Document::whole(file.clone()));
    let mut members = Vec::new();
    for f in set_fields(&probe.fields) {
        let parsed = json::parse_range(text, f.start, f.start + f.raw.len()).ok()?;
        if !parsed.duplicates.is_empty() || nesting(&parsed.value) >= json::MAX_DEPTH {
            return None;
        }
        members.push(json::Member {
            key: json::Str::new(f.name),
            key_span: json::Span::default(),
            value: parsed.value,
        });
    }
    let root = Value {
        kind: Kind::Object(members),
        span: json::Span::new(0, text.len()),
    };
    let mut diags = Vec::new();
    let (builder, options) = read_set(&file, &doc, line, &root, true, &mut diags);
    if !diags.is_empty() {
        return None;
    }
    let set = Arc::new(builder.options(options).build());
    let case = case_with_set(line, &probe.fields, probe.context.as_deref(), set.clone())?;
    if probe.keep {
        probe
            .cache
            .insert(probe.hash, &probe.fields, set, text.len());
    }
    Some(case)
}

/// Reads a case with the full parser, every message from its own text;
/// keeps its set in the cache when `probe` says so.
fn parse_case_in_full(
    name: &str,
    line: usize,
    text: &str,
    probe: Option<Probe<'_, '_>>,
) -> Result<Case, (String, Vec<Diagnostic>)> {
    let file = &Arc::new(SourceFile::at_line(
        name,
        text,
        u32::try_from(line).unwrap_or(u32::MAX),
    ));
    let doc = Arc::new(Document::whole(file.clone()));
    let fallback_id = format!("line {line}");
    let err = |id: &str, d: Diagnostic| (id.to_string(), vec![d]);
    let parsed = json::parse(doc.text()).map_err(|e| {
        err(
            &fallback_id,
            Diagnostic::error("JSON_SYNTAX_ERROR", e.message)
                .in_file(file.name())
                .at(doc.location(u32::try_from(e.offset).unwrap_or(u32::MAX))),
        )
    })?;
    let root = parsed.value;
    let id = root
        .get("id")
        .and_then(|v| v.scalar_text())
        .unwrap_or_else(|| fallback_id.clone());
    let at = |v: &Value, ptr: &str, code: &'static str, msg: String| {
        Diagnostic::error(code, msg)
            .in_file(file.name())
            .at(doc.location(v.span.start))
            .with_pointer(ptr)
    };
    if let Some(d) = parsed.duplicates.first() {
        return Err(err(
            &id,
            Diagnostic::error("JSON_SYNTAX_ERROR", format!("duplicate key `{}`", d.key))
                .in_file(file.name())
                .at(doc.location(d.second.start))
                .with_pointer(pointer::join(&d.object_pointer, &d.key)),
        ));
    }
    let Some(members) = root.as_object() else {
        return Err(err(
            &id,
            at(
                &root,
                "",
                "INVALID_CASE",
                "a case must be a JSON object".into(),
            ),
        ));
    };
    if let Some(m) = members.iter().find(|m| !FIELDS.contains(&m.key.as_str())) {
        let hint = crate::diagnostic::did_you_mean(&m.key, FIELDS.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("known fields: {}", FIELDS.join(", ")));
        return Err(err(
            &id,
            Diagnostic::error("INVALID_CASE", format!("unknown case field `{}`", m.key))
                .in_file(file.name())
                .at(doc.location(m.key_span.start))
                .with_pointer(pointer::join("", &m.key))
                .with_hint(hint),
        ));
    }
    let cached = probe.as_ref().and_then(|p| p.set.clone());
    let mut diags = Vec::new();
    let (builder, options) = read_set(file, &doc, line, &root, cached.is_none(), &mut diags);
    let mut bad = |v: Option<&Value>, ptr: &str, msg: String| {
        let mut d = Diagnostic::error("INVALID_CASE", msg)
            .in_file(file.name())
            .with_pointer(ptr);
        d.location = Some(doc.location(v.unwrap_or(&root).span.start));
        diags.push(d);
    };
    let request = build_request(&|k: &str| root.get(k), &mut bad).map(|mut r| {
        // the ACL a PutObject or PutObjectAcl carries is in its headers (E-20)
        crate::eval::acl::set_header_keys(
            &mut r,
            options.object_acl.as_ref(),
            options.bucket_acl.as_ref(),
        );
        r
    });
    let expect = match root.get("expect") {
        None => None,
        Some(v) => match v.as_str().and_then(Decision::parse) {
            Some(d) => Some(d),
            None => {
                diags.push(at(
                    v,
                    "/expect",
                    "INVALID_CASE",
                    "`expect` must be \"Allow\", \"ExplicitDeny\" or \"ImplicitDeny\"".into(),
                ));
                None
            }
        },
    };
    match request {
        Some(request) if diags.is_empty() => {
            let policies = match cached {
                Some(set) => set,
                None => {
                    let set = Arc::new(builder.options(options).build());
                    if let Some(p) = probe.filter(|p| p.keep) {
                        p.cache.insert(p.hash, &p.fields, set.clone(), text.len());
                    }
                    set
                }
            };
            Ok(Case {
                id,
                line,
                policies,
                request,
                expect,
            })
        }
        _ => Err((id, diags)),
    }
}

/// The policy set fields of a case (`root`, a case object or the set
/// fields of one): the S3 settings always, the policies and access point
/// when `load_policies`; each problem into `diags` at its place.
fn read_set(
    file: &Arc<SourceFile>,
    doc: &Arc<Document>,
    line: usize,
    root: &Value,
    load_policies: bool,
    diags: &mut Vec<Diagnostic>,
) -> (PolicySetBuilder, EvalOptions) {
    let at = |v: &Value, ptr: &str, code: &'static str, msg: String| {
        Diagnostic::error(code, msg)
            .in_file(file.name())
            .at(doc.location(v.span.start))
            .with_pointer(ptr)
    };
    let mut options = EvalOptions::default();
    let mut s3 = S3Settings::default();
    for m in root.as_object().unwrap_or_default() {
        if let Err((msg, hint)) = super::s3_state::read(&m.key, &m.value, &mut s3) {
            diags.push(
                at(&m.value, &pointer::join("", &m.key), "INVALID_CASE", msg).with_hint(hint),
            );
        }
    }
    // checked as the flags are (one rule); each problem at its field
    if let Err(problems) = s3.apply_each(&mut options, Spelling::Fields) {
        for (setting, d) in problems {
            let field = setting.field();
            let mut located = at(
                root.get(field).unwrap_or(root),
                &pointer::join("", field),
                "INVALID_CASE",
                d.message,
            );
            located.hint = d.hint;
            diags.push(located);
        }
    }
    let mut builder = PolicySet::builder();
    if load_policies {
        let name = |field: &str, i: Option<usize>| match i {
            Some(i) => format!("{}:{line} {field}[{i}]", file.name()),
            None => format!("{}:{line} {field}", file.name()),
        };
        let load =
            |v: &Value, ptr: &str, nm: String, t: PolicyType, diags: &mut Vec<Diagnostic>| {
                match Policy::from_value(doc.clone(), v, ptr, &nm, LoadOptions::new(t)) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        diags.extend(e.diagnostics.into_iter().filter(Diagnostic::is_error));
                        None
                    }
                }
            };
        let list = |field: &str| -> Vec<(usize, &Value)> {
            match root.get(field).map(|v| &v.kind) {
                Some(Kind::Array(items)) => items.iter().enumerate().collect(),
                Some(Kind::Null) | None => Vec::new(),
                Some(_) => root
                    .get(field)
                    .map(|v| vec![(0usize, v)])
                    .unwrap_or_default(),
            }
        };
        // A field holding a list of documents of one layer (or one
        // document), each added to the set by `add`.
        type Add = fn(PolicySetBuilder, Policy) -> PolicySetBuilder;
        let each = |builder: PolicySetBuilder,
                    field: &str,
                    t: PolicyType,
                    add: Add,
                    diags: &mut Vec<Diagnostic>| {
            list(field).into_iter().fold(builder, |b, (i, v)| {
                match load(v, &format!("/{field}/{i}"), name(field, Some(i)), t, diags) {
                    Some(p) => add(b, p),
                    None => b,
                }
            })
        };
        builder = each(
            builder,
            "identity",
            PolicyType::Identity,
            |b, p| b.identity(p),
            diags,
        );
        builder = each(
            builder,
            "vpce_policy",
            PolicyType::VpcEndpoint,
            |b, p| b.vpc_endpoint(p),
            diags,
        );
        // the single-document fields: a bucket policy, as it is or as a request sets it
        let single: [(&str, &str, Add); 2] = [
            ("new_bucket_policy", "/new_bucket_policy", |b, p| {
                b.new_bucket_policy(p)
            }),
            ("resource_policy", "/resource_policy", |b, p| b.resource(p)),
        ];
        for (field, pointer, add) in single {
            let Some(v) = root.get(field).filter(|v| v.kind != Kind::Null) else {
                continue;
            };
            if let Some(p) = load(v, pointer, name(field, None), PolicyType::Resource, diags) {
                builder = add(builder, p);
            }
        }
        builder = each(
            builder,
            "boundary",
            PolicyType::Boundary,
            |b, p| b.boundary(p),
            diags,
        );
        builder = each(
            builder,
            "session",
            PolicyType::Session,
            |b, p| b.session(p),
            diags,
        );
        for (field, t) in [("scp", PolicyType::Scp), ("rcp", PolicyType::Rcp)] {
            for (level, v) in list(field) {
                let docs: Vec<(usize, &Value)> = match &v.kind {
                    Kind::Array(items) => items.iter().enumerate().collect(),
                    _ => vec![(usize::MAX, v)],
                };
                let mut policies = Vec::new();
                for (j, d) in docs {
                    let ptr = if j == usize::MAX {
                        format!("/{field}/{level}")
                    } else {
                        format!("/{field}/{level}/{j}")
                    };
                    if let Some(p) = load(d, &ptr, name(field, Some(level)), t, diags) {
                        policies.push(p);
                    }
                }
                builder = add_level(builder, t, policies);
            }
        }
        builder = each(
            builder,
            "access_point_policy",
            PolicyType::AccessPoint,
            |b, p| b.access_point(p),
            diags,
        );
        let has_ap_policy = !list("access_point_policy").is_empty();
        let settings = AccessPointSettings::from_json(
            root.get("access_point"),
            "/access_point",
            &mut |v, ptr, msg| {
                diags.push(at(v, ptr, "INVALID_CASE", msg));
            },
        );
        if let Some(settings) = settings {
            match settings.resolve(has_ap_policy) {
                Ok(ap) => {
                    options.access_point = ap;
                }
                Err(e) => diags.push(
                    at(
                        root.get("access_point").unwrap_or(root),
                        "/access_point",
                        "INVALID_CASE",
                        e.to_string(),
                    )
                    .with_hint(access_point::ACCESS_POINT_HINT),
                ),
            }
        }
    }
    (builder, options)
}

fn add_level(b: PolicySetBuilder, t: PolicyType, policies: Vec<Policy>) -> PolicySetBuilder {
    match t {
        PolicyType::Scp => b.scp_level(policies),
        _ => b.rcp_level(policies),
    }
}

/// The request of a case from its fields (`get`), each problem told to
/// `bad` (the value, its JSON pointer, the message); `None` when the
/// request cannot be made.
fn build_request<'v>(
    get: &dyn Fn(&str) -> Option<&'v Value>,
    bad: &mut dyn FnMut(Option<&Value>, &str, String),
) -> Option<Request> {
    let text = |k: &str| get(k).and_then(Value::as_str);
    let action = match text("action").map(Action::parse) {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => {
            bad(get("action"), "/action", e.to_string());
            None
        }
        None => {
            bad(None, "/action", "the case has no `action` string".into());
            None
        }
    };
    let resource = match text("resource").map(Resource::parse) {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) => {
            bad(get("resource"), "/resource", e.to_string());
            None
        }
        None => {
            bad(
                None,
                "/resource",
                "the case has no `resource` string".into(),
            );
            None
        }
    };
    let principal = match text("principal") {
        None => Some(Principal::Unspecified),
        Some(p) => match parse_principal(p) {
            Ok(p) => Some(p),
            Err(e) => {
                bad(get("principal"), "/principal", e.to_string());
                None
            }
        },
    };
    let mut context = Context::new();
    match get("context") {
        None => {}
        Some(v) => match v.as_object() {
            None if v.kind == Kind::Null => {}
            None => bad(Some(v), "/context", "`context` must be an object".into()),
            Some(members) => {
                let mut values = Vec::with_capacity(members.len());
                for m in members {
                    match context_value(&m.value) {
                        Some(cv) => values.push((ContextKey::new(&m.key), cv, Origin::Given)),
                        None => bad(
                            Some(&m.value),
                            &pointer::join("/context", &m.key),
                            format!(
                                "context value of `{}` must be a string or an array of strings",
                                m.key
                            ),
                        ),
                    }
                }
                context.extend(values);
            }
        },
    }
    let resource_account = text("resource_account").map(str::to_string);
    let is_service_linked_role = match get("service_linked_role") {
        None => false,
        Some(v) => match v.kind {
            Kind::Bool(b) => b,
            _ => {
                bad(
                    Some(v),
                    "/service_linked_role",
                    "`service_linked_role` must be true or false".into(),
                );
                false
            }
        },
    };
    Some(Request {
        principal: principal?,
        action: action?,
        resource: resource?,
        resource_account,
        is_service_linked_role,
        context,
    })
}

/// Most principals [`parse_principal`] remembers per thread (a corpus has a
/// few dozen; the oracle's sample 67).
const KNOWN_PRINCIPALS: usize = 512;

thread_local! {
    /// Principals of earlier cases on this thread, by their text.
    static PRINCIPALS: std::cell::RefCell<
        std::collections::HashMap<Box<str>, Principal, foldhash::fast::RandomState>,
    > = std::cell::RefCell::default();
}

/// [`Principal::parse`], remembered per thread: cases repeat their
/// principals, and parsing an ARN again costs about ten times a copy of
/// what it gave. Errors are not remembered (each message is made anew).
fn parse_principal(text: &str) -> Result<Principal, crate::request::PrincipalParseError> {
    let remembered = PRINCIPALS.try_with(|known| {
        let mut known = known.try_borrow_mut().ok()?;
        if let Some(p) = known.get(text) {
            return Some(Ok(p.clone()));
        }
        let parsed = Principal::parse(text);
        if let Ok(p) = &parsed {
            if known.len() >= KNOWN_PRINCIPALS {
                known.clear();
            }
            known.insert(text.into(), p.clone());
        }
        Some(parsed)
    });
    remembered
        .ok()
        .flatten()
        .unwrap_or_else(|| Principal::parse(text))
}

/// A context value from JSON: a scalar, or an array of scalars.
pub fn context_value(v: &Value) -> Option<ContextValue> {
    match &v.kind {
        Kind::Array(items) => items
            .iter()
            .map(Value::scalar_text)
            .collect::<Option<Vec<_>>>()
            .map(ContextValue::Multi),
        _ => v.scalar_text().map(ContextValue::Single),
    }
}

/// Evaluates a parsed case.
pub fn run_case(case: &Case) -> CaseResult {
    let response = case.policies.authorize(&case.request);
    let decision = response.decision;
    let (status, message) = match case.expect {
        None => (Status::Evaluated, None),
        Some(e) if e == decision => (Status::Pass, None),
        Some(e) => (
            Status::Fail,
            Some(format!(
                "expected {}, s3guard says {}",
                e.case_name(),
                decision.case_name()
            )),
        ),
    };
    CaseResult {
        id: case.id.clone(),
        line: case.line,
        decision: Some(decision),
        expect: case.expect,
        status,
        message,
        warnings: warnings(&case.request),
        response: Some(response),
    }
}

/// Parses and evaluates one line; a bad case becomes an `error` result.
pub fn run_line(name: &str, line: usize, text: &str) -> CaseResult {
    run_line_with(name, line, text, None)
}

/// [`run_line`] with a [`SetCache`] (see [`parse_case_with`]).
pub fn run_line_with(name: &str, line: usize, text: &str, cache: Option<&SetCache>) -> CaseResult {
    match parse_case_with(name, line, text, cache) {
        Ok(case) => run_case(&case),
        Err((id, diags)) => CaseResult {
            id,
            line,
            decision: None,
            expect: None,
            status: Status::Error,
            message: Some(
                diags
                    .iter()
                    .map(|d| d.to_string().replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            warnings: Vec::new(),
            response: None,
        },
    }
}

/// Parses and evaluates every case of a text; one bad case never stops the run.
pub fn run_text(name: &str, text: &str) -> Vec<CaseResult> {
    lines(text)
        .map(|(line, start, end)| run_line(name, line, text.get(start..end).unwrap_or_default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<CaseResult> {
        run_text("c.jsonl", text)
    }

    /// With a [`SetCache`], every case's result is the one it has alone,
    /// over the bundled corpora repeated (so sets are taken from the cache),
    /// with cases that share policies but not the bucket state, and invalid
    /// cases repeated (whose messages name their own line).
    #[test]
    fn a_cached_set_answers_as_a_fresh_one() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cases");
        let mut lines: Vec<String> = Vec::new();
        for d in [dir.to_string(), format!("{dir}/conditions")] {
            let mut files: Vec<_> = std::fs::read_dir(&d)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect();
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(f).unwrap();
                lines.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(String::from),
                );
            }
        }
        assert!(lines.len() > 50, "the corpus is there");
        let policy =
            r#""identity":[{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]"#;
        let request = r#""principal":"arn:aws:iam::111122223333:user/u","action":"s3:PutObject","resource":"arn:aws:s3:::b/k""#;
        let deny_public = r#""resource_policy":{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"public-read"}}}}"#;
        // request and label fields of every shape, under one kept set: the
        // plain readers, the parser, and bad values (each its own message)
        let deep = |n: usize| format!(r#""tags":{}{}"#, "[".repeat(n), "]".repeat(n));
        for (i, fields) in [
            r#""context":{"aws:SecureTransport":true,"s3:max-keys":10,"aws:SourceIp":["10.0.0.1"]}"#,
            r#""context":{"aws:\u0053ecureTransport":"true"},"tags":["a","b\"c"],"note":"x\ny""#,
            r#""context":{"a":"1","a":"2"}"#,
            r#""context":{"a":{"b":"c"}}"#,
            r#""context":[],"tags":[1,[2],{"x":null}]"#,
            r#""context":null,"tags":{"k":"v","l":["m"]},"source":"s","oracle_expect":"Allow""#,
            r#""tags":{"k":"v","k":"w"}"#,
            deep(127).as_str(),
            deep(128).as_str(),
            r#""expect":"allow""#,
            r#""expect":7"#,
            r#""service_linked_role":"yes""#,
            r#""service_linked_role":true,"resource_account":"111122223333""#,
            r#""context":{"aws:SourceIp":"10.0.0.1","AWS:SOURCEIP":["10.0.0.2"]},"tags":["a\"b"]"#,
            r#""resource_account":"1111\"2222","note":["n\t"],"source":"s\/""#,
        ]
        .iter()
        .enumerate()
        {
            lines.push(format!(r#"{{"id":{i},{policy},{request},{fields}}}"#));
        }
        let status = |id: usize| {
            let line = lines
                .iter()
                .find(|l| l.starts_with(&format!(r#"{{"id":{id},"#)));
            run_line("c.jsonl", 1, line.unwrap()).status
        };
        let statuses: Vec<Status> = (0..15).map(status).collect();
        use Status::{Error as E, Evaluated as V, Pass as P};
        assert_eq!(statuses, [V, V, E, E, E, V, E, V, E, P, E, E, V, V, V]);
        // set fields of every shape, each read on its own the first time
        // its set is seen: escapes, a duplicate key, nesting at the limit,
        // bad policies and settings (each message at its place in the line)
        let deep_policy = |n: usize| {
            format!(
                r#""boundary":{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Sid":"x"}},"Id":{}{}}}"#,
                "[".repeat(n),
                "]".repeat(n)
            )
        };
        for (i, set) in [
            r#""identity":[{"Statement":{"Effect":"Allow","Action":"s3:\u0050utObject","Resource":"arn:aws:s3:::b/\u006b"}}]"#,
            r#""identity":[{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}]"#,
            r#""identity":[{"Statement":{"Effect":"Allow","Action":"s3:Nope","Resource":"*"}}],"boundary":{"Statement":[]}"#,
            deep_policy(124).as_str(),
            deep_policy(125).as_str(),
            r#""scp":[[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],{"Statement":{"Effect":"Deny","Action":"s3:Delete*","Resource":"*"}}]"#,
            r#""block_public_access":{"BlockPublicPolicy":"yes"}"#,
            r#""object_owner":"123","object_ownership":"BucketOwnerEnforced""#,
            r#""access_point":{"bucket":"b","network_origin":"Moon"}"#,
            r#""resource_policy":{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}},"object_acl":"public-read""#,
        ]
        .iter()
        .enumerate()
        {
            // a set that names identity policies stands without `policy`
            let policy = match set.contains(r#""identity""#) {
                true => String::new(),
                false => format!("{policy},"),
            };
            lines.push(format!(
                r#"{{"id":"set-{i}",{set},{policy}{request},"note":"a \"quoted\" note"}}"#
            ));
        }
        lines.extend([
            format!(r#"{{"id":"acl-1",{policy},{deny_public},{request},"object_acl":"public-read","expect":"ExplicitDeny"}}"#),
            format!(r#"{{"id":"acl-2",{policy},{deny_public},{request},"expect":"Allow"}}"#),
            format!(r#"{{"id":"acl-3",{policy},{deny_public},{request},"object_acl":"private","expect":"Allow"}}"#),
            format!(r#"{{"id":"bad",{policy},"resource_policy":{{"Statement":{{"Effect":"Allow"}}}},{request}}}"#),
        ]);
        let corpus: Vec<String> = lines
            .iter()
            .chain(&lines)
            .chain(lines.iter().rev())
            .cloned()
            .collect();
        let cache = SetCache::default();
        for (i, text) in corpus.iter().enumerate() {
            let cached = run_line_with("c.jsonl", i + 1, text, Some(&cache));
            let fresh = run_line("c.jsonl", i + 1, text);
            assert_eq!(
                serde_json::to_string(&cached).unwrap(),
                serde_json::to_string(&fresh).unwrap(),
                "line {}: {text}",
                i + 1
            );
            assert_eq!(cached.response, fresh.response, "line {}", i + 1);
            // a set read field by field places its statements as the
            // whole line's tree does
            let statements = |c: Case| -> Vec<_> {
                c.policies
                    .members()
                    .iter()
                    .flat_map(|m| m.policy.statements.iter().map(|s| s.location.clone()))
                    .collect()
            };
            let fresh = parse_case("c.jsonl", i + 1, text).map(statements);
            let first = parse_case_with("c.jsonl", i + 1, text, Some(&SetCache::default()));
            assert_eq!(first.map(statements), fresh, "line {}", i + 1);
        }
        // the sets seen twice are kept, and answer the third time
        let kept = cache.inner.read().unwrap().sets.len();
        assert!(kept * 4 >= lines.len(), "{kept}");
        let last = &corpus[corpus.len() - 1];
        let case = parse_case_with("c.jsonl", 1, last, Some(&cache)).unwrap();
        assert!(
            Arc::strong_count(&case.policies) > 1,
            "taken from the cache"
        );
        let statuses: Vec<Status> = corpus[lines.len() - 4..lines.len()]
            .iter()
            .map(|l| run_line_with("c.jsonl", 1, l, Some(&cache)).status)
            .collect();
        assert_eq!(
            statuses,
            [Status::Pass, Status::Pass, Status::Pass, Status::Error]
        );
    }

    proptest::proptest! {
        /// A warm case (its set kept, its request read without a tree)
        /// answers as the line read alone, whatever its context and labels:
        /// keys twice (as written or in another case), escapes, numbers,
        /// arrays, objects; the fast readers either answer the same or
        /// decline to the full reading.
        #[test]
        fn a_warm_case_answers_as_a_fresh_one(
            context in proptest::collection::vec((0usize..6, 0usize..7), 0..8),
            label in 0usize..7,
            principal in 0usize..4,
        ) {
            const KEYS: [&str; 6] = [
                "aws:SourceIp", "AWS:SOURCEIP", "s3:prefix", "aws:TagKeys", "aws:userid", "k\\u0041",
            ];
            const VALUES: [&str; 7] = [
                r#""10.0.0.1""#, r#"["a","b"]"#, r#"["x"]"#, r#""a\"b""#, "7", "[]", r#"{"a":"b"}"#,
            ];
            const LABELS: [&str; 7] = [
                r#""n""#, r#""n\"q\/\t""#, r#""\u00e9""#, r#"["a","b\n"]"#, r#"{"k":["v"]}"#, "[1,2]", r#""x\q""#,
            ];
            const PRINCIPALS: [&str; 4] = [
                "arn:aws:iam::111122223333:user/u",
                "arn:aws:sts::111122223333:assumed-role/r/s",
                "arn:aws:iam::1:user/bad",
                "111122223333",
            ];
            let members: Vec<String> = context
                .iter()
                .map(|&(k, v)| format!(r#""{}":{}"#, KEYS[k], VALUES[v]))
                .collect();
            let case = |principal: &str, context: &str, note: &str| {
                format!(
                    concat!(
                        r#"{{"id":"w","identity":[{{"Statement":{{"Effect":"Allow","Action":"s3:*","Resource":"*","#,
                        r#""Condition":{{"IpAddress":{{"aws:SourceIp":"10.0.0.0/8"}}}}}}}}],"#,
                        r#""principal":"{}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","#,
                        r#""context":{{{}}},"note":{},"expect":"Allow"}}"#
                    ),
                    principal, context, note,
                )
            };
            let line = case(PRINCIPALS[principal], &members.join(","), LABELS[label]);
            // a valid case of the same policies keeps the set (seen twice)
            let cache = SetCache::default();
            let valid = case(PRINCIPALS[0], "", r#""n""#);
            for _ in 0..2 {
                run_line_with("c.jsonl", 1, &valid, Some(&cache));
            }
            proptest::prop_assert_eq!(cache.inner.read().unwrap().sets.len(), 1);
            let fresh = run_line("c.jsonl", 1, &line);
            for _ in 0..2 {
                let cached = run_line_with("c.jsonl", 1, &line, Some(&cache));
                proptest::prop_assert_eq!(
                    serde_json::to_string(&cached).unwrap(),
                    serde_json::to_string(&fresh).unwrap(),
                    "{}", line
                );
                proptest::prop_assert_eq!(&cached.response, &fresh.response);
            }
        }
    }

    /// A remembered principal is the one parsed anew, for every kind, and
    /// a bad one still fails with its own text; past the bound the memory
    /// starts again.
    #[test]
    fn remembered_principals_are_parsed_ones() {
        let texts = [
            "arn:aws:iam::111122223333:user/ci/deploy",
            "arn:aws:sts::111122223333:assumed-role/readonly/alice",
            "arn:aws:iam::111122223333:role/r",
            "arn:aws:iam::111122223333:root",
            "cloudtrail.amazonaws.com",
            "anonymous",
            "arn:aws:iam::1:user/bad",
            "",
        ];
        for round in 0..3 {
            for t in texts {
                assert_eq!(parse_principal(t), Principal::parse(t), "{t} ({round})");
            }
        }
        for i in 0..KNOWN_PRINCIPALS + 10 {
            let t = format!("arn:aws:iam::111122223333:user/u{i}");
            assert_eq!(parse_principal(&t), Principal::parse(&t));
        }
        assert!(PRINCIPALS.with(|k| k.borrow().len()) <= KNOWN_PRINCIPALS);
    }

    /// A set is kept the first time it is seen while the kept sets stay
    /// within `KEEP_AT_ONCE_BUDGET`; past it, only the second time.
    #[test]
    fn sets_are_kept_at_first_sight_within_a_budget() {
        let line = |sid: usize, actions: usize| {
            let list = vec![r#""s3:Get*""#; actions].join(",");
            format!(
                concat!(
                    r#"{{"id":"l","identity":[{{"Statement":{{"Sid":"S{}","Effect":"Allow","#,
                    r#""Action":[{}],"Resource":"*"}}}}],"principal":"arn:aws:iam::111122223333:user/u","#,
                    r#""action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"Allow"}}"#
                ),
                sid, list
            )
        };
        let cache = SetCache::default();
        let kept = || cache.inner.read().unwrap().sets.len();
        let small = line(0, 10);
        let result = run_line_with("c.jsonl", 1, &small, Some(&cache));
        assert_eq!(result.status, Status::Pass, "{result:?}");
        assert_eq!(kept(), 1, "a set is kept at first sight");
        run_line_with("c.jsonl", 1, &small, Some(&cache));
        assert_eq!(kept(), 1, "and found the second time");
        let large = line(1, 2_000);
        let per_set = large.len() * SET_BYTES_PER_LINE_BYTE;
        for sid in 1..KEEP_AT_ONCE_BUDGET / per_set + 10 {
            let result = run_line_with("c.jsonl", 1, &line(sid, 2_000), Some(&cache));
            assert_eq!(result.status, Status::Pass, "{result:?}");
        }
        let full = kept();
        {
            let inner = cache.inner.read().unwrap();
            assert!(inner.bytes <= KEEP_AT_ONCE_BUDGET, "{}", inner.bytes);
            assert!(full < KEEP_AT_ONCE_BUDGET / per_set + 10);
            assert!(full > KEEP_AT_ONCE_BUDGET / per_set / 2, "{full}");
        }
        // past the budget, a new set waits for its second sight
        let late = line(100_000, 2_000);
        run_line_with("c.jsonl", 1, &late, Some(&cache));
        assert_eq!(kept(), full, "not kept at first sight past the budget");
        let result = run_line_with("c.jsonl", 1, &late, Some(&cache));
        assert_eq!(result.status, Status::Pass, "{result:?}");
        assert_eq!(kept(), full + 1, "kept at second sight");
    }

    /// The cache stays within its bounds: full, it starts again.
    #[test]
    fn the_cache_is_bounded() {
        let cache = SetCache::default();
        let set = Arc::new(PolicySet::builder().build());
        let key = |k: &str| -> Key { vec!["identity".into(), k.into()].into() };
        for i in 0..CACHE_SETS + 10 {
            cache.insert_key(
                i as u64,
                key(&format!("k{i}")),
                Vec::new(),
                set.clone(),
                100,
            );
        }
        let kept = cache.inner.read().unwrap().sets.len();
        assert!(kept <= CACHE_SETS);
        assert!(kept < 20, "emptied when full");
        cache.insert_key(
            1 << 40,
            key("big"),
            Vec::new(),
            set.clone(),
            CACHE_BYTES / SET_BYTES_PER_LINE_BYTE,
        );
        assert!(
            !cache.inner.read().unwrap().sets.contains_key(&(1 << 40)),
            "too big to keep"
        );
        let half = CACHE_BYTES / 2 / SET_BYTES_PER_LINE_BYTE;
        cache.insert_key(1 << 41, key("half"), Vec::new(), set.clone(), half);
        cache.insert_key(1 << 42, key("half2"), Vec::new(), set, half);
        let inner = cache.inner.read().unwrap();
        assert!(inner.bytes <= CACHE_BYTES);
        assert_eq!(inner.sets.len(), 1);
    }

    /// The scan's classes are the lists': every case field, and whether
    /// it is a request field; the read fields are request fields.
    #[test]
    fn fields_are_classified_as_listed() {
        assert!(FIELDS.len() <= 64, "numbers fit the scan's duplicate check");
        for (i, f) in FIELDS.iter().enumerate() {
            let class = (i as u32, REQUEST_FIELDS.contains(f));
            assert_eq!(classify(f), Some(class), "{f}");
        }
        for f in ["", "ids", "Identity", "contexts", "expect ", "i"] {
            assert_eq!(classify(f), None, "{f}");
        }
        assert!(READ_FIELDS.iter().all(|f| REQUEST_FIELDS.contains(f)));
        let read = READ_FIELDS
            .iter()
            .filter_map(|f| classify(f))
            .fold(0u64, |m, (n, _)| m | 1 << n);
        assert_eq!(read, READ);
        assert_eq!(classify("context"), Some((CONTEXT, true)));
        assert!(REQUEST_FIELDS.iter().all(|f| FIELDS.contains(f)));
        let set = FIELDS
            .iter()
            .filter_map(|f| classify(f))
            .filter(|&(_, request)| !request)
            .fold(0u64, |m, (n, _)| m | 1 << n);
        assert_eq!(set, SET_FIELDS);
    }

    /// A kept set is taken only for exactly its key: the same hash with
    /// other texts, or the same texts split otherwise, is no match.
    #[test]
    fn a_key_matches_only_its_own_fields() {
        let line = r#"{"id":"a","identity":[{"Statement":[]}],"resource_policy":null,"action":"s3:GetObject"}"#;
        let fields = case_scan::scan(line, classify).unwrap();
        let key = key_of(&fields);
        assert_eq!(
            key.iter().map(|p| &**p).collect::<Vec<_>>(),
            [
                "identity",
                r#"[{"Statement":[]}]"#,
                "resource_policy",
                "null"
            ]
        );
        assert!(same_key(&key, &fields));
        let other = r#"{"identity":[{"Statement":[]}],"resource_policy":{}}"#;
        let other = case_scan::scan(other, classify).unwrap();
        assert!(!same_key(&key, &other));
        let fewer = r#"{"identity":[{"Statement":[]}]}"#;
        let fewer = case_scan::scan(fewer, classify).unwrap();
        assert!(!same_key(&key, &fewer));
        assert!(!same_key(&key_of(&fewer), &fields));
    }

    #[test]
    fn runs_cases_and_reports_each() {
        let r = run(concat!(
            r#"{"id":"a","identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}],"resource_policy":null,"principal":"arn:aws:iam::111122223333:user/u","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resource_account":"111122223333","context":{},"expect":"Allow"}"#,
            "\n\n",
            r#"{"id":"b","identity":[],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","expect":"Allow"}"#,
            "\n",
            r#"{"id":"c","identity":[{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}],"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}"#,
            "\n",
            r#"{"id":"d","actoin":"s3:GetObject"}"#,
            "\nnot json\n"
        ));
        let statuses: Vec<_> = r
            .iter()
            .map(|c| (c.id.as_str(), c.status, c.line))
            .collect();
        assert_eq!(
            statuses,
            vec![
                ("a", Status::Pass, 1),
                ("b", Status::Fail, 3),
                ("c", Status::Error, 4),
                ("d", Status::Error, 5),
                ("line 6", Status::Error, 6)
            ]
        );
        assert!(
            r[2].message.as_ref().unwrap().contains("c.jsonl:4:"),
            "{:?}",
            r[2].message
        );
        assert!(r[3]
            .message
            .as_ref()
            .unwrap()
            .contains("did you mean `action`"));
    }
}
