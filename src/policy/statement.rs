//! Statements and their elements (spec G-4..G-10, E-1, E-10).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::principal::PrincipalClause;
use crate::condition::Condition;
use crate::json::{pointer, Location, SourceFile};
use crate::matcher::{Action, ActionPatterns, Match, Resolve, Resource, ResourcePattern};

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Forbids; wins over every Allow (E-2).
    Deny,
}

impl Effect {
    /// The effect an `Effect` element's string names, when it is one:
    /// `Allow` or `Deny`, case-sensitive (G-4).
    pub fn from_element(text: &str) -> Option<Effect> {
        match text {
            "Allow" => Some(Effect::Allow),
            "Deny" => Some(Effect::Deny),
            _ => None,
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionClause {
    /// Applies to the listed actions.
    Action(ActionPatterns),
    /// Applies to every action (of every service) not listed (E-10).
    NotAction(ActionPatterns),
}

impl ActionClause {
    /// The patterns, whichever the variant.
    pub fn patterns(&self) -> &ActionPatterns {
        match self {
            ActionClause::Action(p) | ActionClause::NotAction(p) => p,
        }
    }

    /// Whether this is `NotAction`.
    pub fn is_not(&self) -> bool {
        matches!(self, ActionClause::NotAction(_))
    }

    /// Whether the clause covers the action.
    pub fn matches(&self, action: &Action) -> bool {
        self.matches_detailed(action).applies
    }

    /// Whether the clause covers the action, and the entry that matched it
    /// (under `NotAction`, the entry that excludes it).
    pub fn matches_detailed(&self, action: &Action) -> ClauseMatch {
        let entry = self.patterns().iter().position(|p| p.matches(action));
        ClauseMatch {
            applies: entry.is_some() != self.is_not(),
            entry,
            unresolved: 0,
        }
    }

    /// The element name.
    pub fn element(&self) -> &'static str {
        if self.is_not() {
            "NotAction"
        } else {
            "Action"
        }
    }
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceClause {
    /// Applies to the listed resources.
    Resource(Vec<ResourcePattern>),
    /// Applies to every resource not listed (E-10).
    NotResource(Vec<ResourcePattern>),
}

impl ResourceClause {
    /// The patterns, whichever the variant.
    pub fn patterns(&self) -> &[ResourcePattern] {
        match self {
            ResourceClause::Resource(p) | ResourceClause::NotResource(p) => p,
        }
    }

    /// Whether this is `NotResource`.
    pub fn is_not(&self) -> bool {
        matches!(self, ResourceClause::NotResource(_))
    }

    /// The element name.
    pub fn element(&self) -> &'static str {
        if self.is_not() {
            "NotResource"
        } else {
            "Resource"
        }
    }

    /// Whether the clause covers the resource. An entry whose variable has
    /// no value matches nothing (and so excludes nothing under NotResource, V-4).
    pub fn matches(&self, resource: &Resource, service: &str, vars: &dyn Resolve) -> bool {
        self.scan(resource, service, vars, false).applies
    }

    /// As [`ResourceClause::matches`], and which entry matched and which
    /// entries had a variable without a value: every entry is tried.
    pub fn matches_detailed(
        &self,
        resource: &Resource,
        service: &str,
        vars: &dyn Resolve,
    ) -> ClauseMatch {
        self.scan(resource, service, vars, true)
    }

    /// The one matching loop of both: stops at the first matching entry
    /// unless `every` asks for the unresolved entries too.
    #[inline]
    fn scan(
        &self,
        resource: &Resource,
        service: &str,
        vars: &dyn Resolve,
        every: bool,
    ) -> ClauseMatch {
        let mut entry = None;
        let mut unresolved = 0u64;
        for (i, p) in self.patterns().iter().enumerate() {
            match p.matches(resource, service, vars) {
                Match::Yes => {
                    entry.get_or_insert(i);
                    if !every {
                        break;
                    }
                }
                Match::Unresolved if every => {
                    unresolved |= 1u64
                        .checked_shl(u32::try_from(i).unwrap_or(u32::MAX))
                        .unwrap_or(0);
                }
                Match::Unresolved | Match::No => {}
            }
        }
        ClauseMatch {
            applies: entry.is_some() != self.is_not(),
            entry,
            unresolved,
        }
    }
}

/// How an `Action`/`NotAction` or `Resource`/`NotResource` clause fared
/// against a request: a copyable fact, so that the fast path allocates
/// nothing and the explaining path reads the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClauseMatch {
    /// Whether the clause lets the statement apply.
    pub applies: bool,
    /// The first entry that matched the request (under a `Not` element,
    /// the entry that excludes it).
    pub entry: Option<usize>,
    /// Entries (bit per index, the first 64) whose policy variable has no
    /// value in the request, so that they matched nothing (V-4); filled
    /// only by the detailed resource match.
    pub unresolved: u64,
}

/// Where a statement is, for output (`FILE:LINE:COL`, O-1 positions).
///
/// Kept as the statement's byte span in its file and turned into lines
/// and columns only when asked for: a load whose output shows no position
/// (most of them: `eval`, `can` without `--explain`) never builds the
/// file's line map, and the pointer is written only when asked for too.
/// [`start`](Self::start), [`end`](Self::end) and
/// [`pointer`](Self::pointer) give what the fields of the same names held
/// when they were computed at load time.
#[derive(Clone)]
pub struct StatementLocation {
    /// The file the offsets are in (a policy inside a larger file, such as
    /// a Terraform plan or a JSONL line, has its offsets in that file).
    file: Arc<SourceFile>,
    /// File offset of the statement's `{`.
    start: u32,
    /// File offset just after its `}`.
    end: u32,
    /// Pointer of the policy's `Statement` element, when the policy is not
    /// the document's root (`None`: `/Statement`): shared by the policy's
    /// statements, so that a statement allocates no text of its own.
    statements: Option<Arc<str>>,
    /// The statement's index in the `Statement` array; `None` when
    /// `Statement` is the statement object itself.
    index: Option<u32>,
}

impl StatementLocation {
    /// The location of the statement at file offsets `start..end` of
    /// `file`; `statements` is the pointer of the `Statement` element
    /// (`None` for `/Statement`), `index` the statement's index in it when
    /// it is an array.
    pub(crate) fn new(
        file: Arc<SourceFile>,
        (start, end): (u32, u32),
        statements: Option<Arc<str>>,
        index: Option<u32>,
    ) -> StatementLocation {
        StatementLocation {
            file,
            start,
            end,
            statements,
            index,
        }
    }

    /// Position of the statement's `{`.
    pub fn start(&self) -> Location {
        self.file.location(self.start)
    }

    /// Position just after its `}`.
    pub fn end(&self) -> Location {
        self.file.location(self.end)
    }

    /// JSON pointer of the statement (`/Statement/0`).
    pub fn pointer(&self) -> String {
        let statements = self.statements.as_deref().unwrap_or("/Statement");
        match self.index {
            Some(i) => pointer::join_index(statements, i as usize),
            None => statements.to_string(),
        }
    }
}

/// As the derived `Debug` of the fields it had (`start`, `end`, `pointer`).
impl fmt::Debug for StatementLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatementLocation")
            .field("start", &self.start())
            .field("end", &self.end())
            .field("pointer", &self.pointer())
            .finish()
    }
}

/// Equal when the positions and pointers are (as the fields were
/// compared), whatever the files.
impl PartialEq for StatementLocation {
    fn eq(&self, other: &Self) -> bool {
        let same_places = Arc::ptr_eq(&self.file, &other.file)
            && (self.start, self.end) == (other.start, other.end);
        (same_places || (self.start(), self.end()) == (other.start(), other.end()))
            && self.pointer() == other.pointer()
    }
}

impl Eq for StatementLocation {}

/// As the derived `Serialize` of the fields it had.
impl Serialize for StatementLocation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("StatementLocation", 3)?;
        s.serialize_field("start", &self.start())?;
        s.serialize_field("end", &self.end())?;
        s.serialize_field("pointer", &self.pointer())?;
        s.end()
    }
}

/// One statement of a policy, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 0-based position in the policy.
    pub index: usize,
    /// `Sid`, when given.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` / `NotPrincipal` (resource-based policies and RCPs).
    pub principal: Option<PrincipalClause>,
    /// `Action` / `NotAction`.
    pub action: ActionClause,
    /// `Resource` / `NotResource`.
    pub resource: ResourceClause,
    /// `Condition` (empty when absent).
    pub condition: Condition,
    /// Where it is.
    pub location: StatementLocation,
}

impl Statement {
    /// `s3:GetObject, s3:PutObject` or `every action except s3:Delete*`,
    /// shortened after four entries.
    pub fn describe_actions(&self) -> String {
        let list = short_list(self.action.patterns().iter().map(|p| p.as_str()));
        if self.action.is_not() {
            format!("every action except {list}")
        } else {
            list
        }
    }

    /// `arn:aws:s3:::b/*` or `everything except …`, shortened after four entries.
    pub fn describe_resources(&self) -> String {
        let list = short_list(self.resource.patterns().iter().map(|p| p.as_str()));
        if self.resource.is_not() {
            format!("everything except {list}")
        } else {
            list
        }
    }

    /// `Sid` or `#index` for messages (control characters escaped).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) => format!("Sid {}", crate::render::escape::value(s)),
            None => format!("statement #{}", self.index + 1),
        }
    }
}

/// `a, b, c` — or `a, b, c … (N more)` past four items, `(nothing)` when
/// empty; control characters escaped.
fn short_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<std::borrow::Cow<'a, str>> = items.map(crate::render::escape::value).collect();
    if all.len() > 4 {
        format!(
            "{} … ({} more)",
            all.get(..3).unwrap_or_default().join(", "),
            all.len() - 3
        )
    } else if all.is_empty() {
        "(nothing)".into()
    } else {
        all.join(", ")
    }
}
