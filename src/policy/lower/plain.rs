//! The plain-policy reader: a policy file in the shape almost every policy
//! file has is lowered straight from its text, without a JSON tree.
//!
//! A JSON tree of the Rails policy cost about half its load (a node and a
//! copy for each of its 23 strings, a vector for each object and array,
//! and freeing them all afterwards). A plain policy is
//!
//! - an object whose members are `Version` (first, a known version) and
//!   then `Statement`;
//! - whose `Statement` is a statement object or a non-empty array of them;
//! - whose statements have only `Sid`, `Effect`, `Action` or `NotAction`,
//!   `Resource` or `NotResource`, and `Condition`, each at most once;
//! - whose strings hold no escape and no control character, and whose
//!   `Action` and `Resource` values are a string or a non-empty array of
//!   strings;
//! - of a policy type without principals that has no checks of its own
//!   (identity, permissions boundary, session, SCP);
//!
//! and it loads without a single diagnostic. Each entry is lowered by the
//! same functions as the tree's ([`Lowerer::push_action_pattern`],
//! [`Lowerer::resource_pattern`]), a `Condition` value is parsed into a
//! tree of its own and lowered by [`Lowerer::condition`], and the words of
//! `Effect`, `Version` and `Sid` are read by the same rules
//! ([`Effect::from_element`], [`Version::from_element`], [`sid_allowed`]).
//!
//! Anything else declines ([`lower_plain`] returns `None`) and the file
//! goes the tree's way, which reports it: the reader never reports, and
//! whatever it accepts, the tree's way loads as the same policy (tested
//! over the repository's policies, generated documents and repository
//! policies with bytes inserted or deleted). A policy with a warning is
//! read twice in part: the reader stops at the first diagnostic, and its
//! lowerer searches no "did you mean" suggestion (`Lowerer::probing`).

use std::sync::Arc;

use super::{repeated_sids, sid_allowed, At, Lowerer, Place, STATEMENT_POINTER};
use super::{STATEMENT_KEYS, STATEMENT_POINTERS};
use crate::condition::Condition;
use crate::json::{self, Document, SourceFile, Span};
use crate::matcher::{ActionPatterns, ResourcePattern};
use crate::policy::statement::{
    ActionClause, Effect, ResourceClause, Statement, StatementLocation,
};
use crate::policy::{LoadOptions, Policy, PolicyType, Version};

/// The policy `file` holds, lowered from its text, when it is a plain
/// policy (see the module's documentation) of a type the reader reads;
/// `None` otherwise.
pub(crate) fn lower_plain(file: &Arc<SourceFile>, options: LoadOptions) -> Option<Policy> {
    if !matches!(
        options.policy_type,
        PolicyType::Identity | PolicyType::Boundary | PolicyType::Session | PolicyType::Scp
    ) {
        return None;
    }
    // offsets fit a span's `u32`s (see `Reader::string`)
    if file.text().len() >= u32::MAX as usize {
        return None;
    }
    let doc = Arc::new(Document::whole(file.clone()));
    let mut diags = Vec::new();
    let (version, statements) = {
        let mut reader = Reader {
            text: doc.text(),
            pos: 0,
            lowerer: Lowerer::new(&doc, options, &mut diags),
        };
        reader.lowerer.probing = true;
        let read = reader.policy()?;
        // a plain policy loads without a word; an error or a warning is
        // the tree's to report, with its place
        if reader.lowerer.errors > 0 || !reader.lowerer.diags.is_empty() {
            return None;
        }
        read
    };
    Some(Policy {
        name: doc.name().to_string(),
        policy_type: options.policy_type,
        version,
        id: None,
        statements,
        warnings: Vec::new(),
        skipped: Vec::new(),
        document: doc,
        base_pointer: String::new(),
    })
}

/// Reads a plain policy's text, lowering as it goes; every method returns
/// `None` where the text is not plain (the caller declines).
struct Reader<'a> {
    text: &'a str,
    /// The offset of the next byte to read.
    pos: usize,
    lowerer: Lowerer<'a>,
}

/// The most entries an element's vector is made with before its entries
/// are read (256 KB of action patterns; ReadOnlyAccess's largest element
/// has 1,510): a file of a few megabytes of `"",` would otherwise reserve
/// a vector twenty times its size before its first entry declines.
const MOST_RESERVED: usize = 4096;

/// The most bytes an `Action` element's text buffer is made with before
/// its entries are read (ReadOnlyAccess's largest element is 60 KB).
const MOST_RESERVED_BYTES: usize = 256 * 1024;

/// What an element's entries are read into: a vector of resource
/// patterns, or an element's action patterns.
trait Entries {
    /// Room for `entries` entries whose texts take up to `bytes` bytes.
    fn with_room(entries: usize, bytes: usize) -> Self;
    /// How many entries are in.
    fn count(&self) -> usize;
}

impl Entries for Vec<ResourcePattern> {
    fn with_room(entries: usize, _: usize) -> Self {
        Vec::with_capacity(entries)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

impl Entries for ActionPatterns {
    fn with_room(entries: usize, bytes: usize) -> Self {
        ActionPatterns::with_capacity(entries, bytes)
    }

    fn count(&self) -> usize {
        self.len()
    }
}

/// The `Statement` element's nesting in the document (the root is 0).
const STATEMENT_DEPTH: usize = 1;

impl<'a> Reader<'a> {
    /// The next byte after white space, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.pos = json::skip_ws(self.text.as_bytes(), self.pos);
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Consumes `byte`, the next after white space.
    #[inline]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// The next string after white space, when it is plain: its text and
    /// span (quotes included).
    #[inline]
    fn string(&mut self) -> Option<(&'a str, Span)> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        let end = json::plain_string_end(self.text.as_bytes(), start)?;
        self.pos = end + 1;
        // the quotes are ASCII: a character range; the text is shorter
        // than 4 GiB (`lower_plain`), so the offsets fit a span as they are
        let span = Span {
            start: start as u32,
            end: (end + 1) as u32,
        };
        Some((self.text.get(start + 1..end)?, span))
    }

    /// After a member or an element: `true` after a `,`, `false` after
    /// `close`.
    #[inline]
    fn more(&mut self, close: u8) -> Option<bool> {
        // the byte right after a value first (a list as printed), white
        // space skipped only when it is not `,` or `close`
        let next = match self.text.as_bytes().get(self.pos) {
            Some(&b) if b == b',' || b == close => b,
            _ => self.peek()?,
        };
        match next {
            b',' => {
                self.pos += 1;
                Some(true)
            }
            b if b == close => {
                self.pos += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// The policy: its version and statements; nothing but white space
    /// after it.
    fn policy(&mut self) -> Option<(Version, Vec<Statement>)> {
        self.expect(b'{')?;
        self.key("Version")?;
        let (text, _) = self.string()?;
        let version = Version::from_element(text)?;
        self.lowerer.variables = version.has_variables();
        self.more(b'}')?.then_some(())?;
        self.key("Statement")?;
        let statements = self.statements()?;
        (!self.more(b'}')?).then_some(())?;
        self.pos = json::skip_ws(self.text.as_bytes(), self.pos);
        (self.pos == self.text.len()).then_some(())?;
        repeated_sids(&statements)
            .is_empty()
            .then_some((version, statements))
    }

    /// The member key `name` and its colon.
    fn key(&mut self, name: &str) -> Option<()> {
        let (key, _) = self.string()?;
        (key == name).then_some(())?;
        self.expect(b':')
    }

    /// The `Statement` element: one statement object or a non-empty array
    /// of them.
    fn statements(&mut self) -> Option<Vec<Statement>> {
        if self.peek()? == b'{' {
            let statement = self.statement(None, STATEMENT_POINTER, STATEMENT_DEPTH)?;
            return Some(vec![statement]);
        }
        self.expect(b'[')?;
        let mut statements = Vec::new();
        let mut pointer = String::new();
        loop {
            let index = statements.len();
            let sp = match STATEMENT_POINTERS.get(index) {
                Some(&p) => p,
                None => {
                    pointer.clear();
                    pointer.push_str(STATEMENT_POINTER);
                    pointer.push('/');
                    pointer.push_str(itoa::Buffer::new().format(index));
                    &pointer
                }
            };
            let statement = self.statement(Some(index), sp, STATEMENT_DEPTH + 1)?;
            statements.push(statement);
            if !self.more(b']')? {
                return Some(statements);
            }
        }
    }

    /// One statement object, entry `index` of the `Statement` array (`None`:
    /// the one statement), at pointer `sp` and nesting `depth`.
    fn statement(&mut self, index: Option<usize>, sp: &str, depth: usize) -> Option<Statement> {
        if self.peek()? != b'{' {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        let mut seen = 0u16;
        let (mut sid, mut effect, mut action, mut resource, mut condition) =
            (None, None, None, None, None);
        loop {
            let (key, _) = self.string()?;
            let slot = super::element_index(key)?;
            // each element once, and one of each pair (`Action` and
            // `NotAction`, …): the bit of the pair's first
            let bit = 1u16
                << match slot {
                    5 | 7 => slot - 1,
                    _ => slot,
                };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            self.expect(b':')?;
            let name = STATEMENT_KEYS.get(slot).copied().unwrap_or_default();
            match name {
                "Sid" => {
                    let (text, _) = self.string()?;
                    sid_allowed(self.lowerer.options.policy_type, text).then_some(())?;
                    sid = Some(text.to_string());
                }
                "Effect" => effect = Effect::from_element(self.string()?.0),
                "Action" | "NotAction" => action = Some(self.actions(sp, name)?),
                "Resource" | "NotResource" => resource = Some(self.resources(sp, name)?),
                "Condition" => condition = Some(self.condition(sp, depth + 1)?),
                // `Principal`, `NotPrincipal`: not in these policy types
                _ => return None,
            }
            if !self.more(b'}')? {
                break;
            }
        }
        let doc = self.lowerer.doc;
        Some(Statement {
            index: index.unwrap_or(0),
            sid,
            effect: effect?,
            principal: None,
            action: action?,
            resource: resource?,
            condition: condition.unwrap_or_default(),
            location: StatementLocation::new(
                doc.file().clone(),
                (
                    doc.file_offset(u32::try_from(start).ok()?),
                    doc.file_offset(u32::try_from(self.pos).ok()?),
                ),
                None,
                index.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
            ),
        })
    }

    /// The entries of an element: a plain string or a non-empty array of
    /// them, each passed to `entry` with its span and place, and for an
    /// array's entry up to the first `]`, the array's bytes from its
    /// first entry to that `]` and where the entry's text is in them.
    #[inline(always)]
    fn entries<T: Entries>(
        &mut self,
        p: Place<'_>,
        mut entry: impl FnMut(
            &mut Lowerer<'a>,
            &mut T,
            &'a str,
            Option<(&'a str, usize)>,
            Span,
            At<'_>,
        ) -> Option<()>,
    ) -> Option<T> {
        if self.peek()? == b'"' {
            let (text, span) = self.string()?;
            let mut out = T::with_room(1, text.len());
            entry(
                &mut self.lowerer,
                &mut out,
                text,
                None,
                span,
                At::new(p, None),
            )?;
            return Some(out);
        }
        self.expect(b'[')?;
        let (strings, bytes) = self.strings_before_bracket();
        let list_start = self.pos;
        let list = self.text.get(list_start..list_start + bytes)?;
        let mut out = T::with_room(strings.min(MOST_RESERVED), bytes.min(MOST_RESERVED_BYTES));
        loop {
            let (text, span) = self.string()?;
            let at = At::new(p, Some(out.count()));
            // the text is between the quotes at `span`'s ends
            let from = span.start as usize + 1;
            let within =
                (from + text.len() <= list_start + bytes).then(|| (list, from - list_start));
            entry(&mut self.lowerer, &mut out, text, within, span, at)?;
            // a warning declines too: at once, not after the element
            if !self.lowerer.diags.is_empty() {
                return None;
            }
            if !self.more(b']')? {
                return Some(out);
            }
        }
    }

    /// The strings of an array of plain strings from here to its `]`: half
    /// the quotes before the next `]` (fewer when a string holds a `]`),
    /// and the bytes up to it (more than their texts take). The vector of
    /// an element's patterns is made at that size: grown a pattern at a
    /// time, ReadOnlyAccess's 2,900 were copied 11 times in all, a sixth
    /// of its load; counting the quotes costs a fifth of an instruction a
    /// byte.
    fn strings_before_bracket(&self) -> (usize, usize) {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        let list = match memchr::memchr(b']', rest) {
            Some(end) => rest.get(..end).unwrap_or_default(),
            None => rest,
        };
        // counted in bytes, 255 at most a run: vectorized
        let quotes: usize = list
            .chunks(255)
            .map(|run| run.iter().fold(0u8, |n, &b| n + u8::from(b == b'"')) as usize)
            .sum();
        (quotes / 2, list.len())
    }

    /// `Action` or `NotAction` (`name`) of the statement at `sp`.
    fn actions(&mut self, sp: &str, name: &'static str) -> Option<ActionClause> {
        let patterns =
            self.entries(Place::member(sp, name), |l, out, text, within, span, at| {
                l.push_action_pattern(out, text, within, span, at)
                    .then_some(())
            })?;
        Some(match name {
            "NotAction" => ActionClause::NotAction(patterns),
            _ => ActionClause::Action(patterns),
        })
    }

    /// `Resource` or `NotResource` (`name`) of the statement at `sp`.
    fn resources(&mut self, sp: &str, name: &'static str) -> Option<ResourceClause> {
        let patterns = self.entries(
            Place::member(sp, name),
            |l, out: &mut Vec<_>, text, _, span, at| {
                out.push(l.resource_pattern(text, span, at)?);
                Some(())
            },
        )?;
        Some(match name {
            "NotResource" => ResourceClause::NotResource(patterns),
            _ => ResourceClause::Resource(patterns),
        })
    }

    /// The `Condition` value of the statement at `sp`, at nesting `depth`:
    /// parsed into a tree (the JSON parser's limits and errors, which
    /// decline) and lowered as the tree's way lowers it.
    fn condition(&mut self, sp: &str, depth: usize) -> Option<Condition> {
        let (parsed, end) = json::parse_value_at(self.text, self.pos, depth).ok()?;
        if !parsed.duplicates.is_empty() {
            return None;
        }
        self.pos = end;
        Some(self.lowerer.condition(&parsed.value, sp))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::policy::LoadError;

    /// The policy types the reader reads, and one it declines.
    const TYPES: [PolicyType; 5] = [
        PolicyType::Identity,
        PolicyType::Boundary,
        PolicyType::Session,
        PolicyType::Scp,
        PolicyType::Resource,
    ];

    /// The tree's way: what `Policy::load_source` did before the reader.
    fn by_tree(file: &Arc<SourceFile>, options: LoadOptions) -> Result<Policy, LoadError> {
        let (doc, root, pointer, mut diags) = crate::policy::wrapper::open(file.clone())?;
        super::super::lower(Arc::new(doc), &root, pointer, options, &mut diags)
    }

    /// Whether the reader declines `text` as a `ptype` policy, or answers
    /// the policy the tree's way loads (every field, the statements'
    /// patterns, places and conditions included). Panics otherwise.
    fn agrees(text: &str, ptype: PolicyType) -> bool {
        let file = Arc::new(SourceFile::new("p.json", text));
        let options = LoadOptions::new(ptype);
        let Some(plain) = lower_plain(&file, options) else {
            return false;
        };
        match by_tree(&file, options) {
            Ok(tree) => assert_eq!(
                format!("{plain:?}"),
                format!("{tree:?}"),
                "{ptype} policy {text}"
            ),
            Err(e) => panic!("the reader loaded a {ptype} policy the tree refuses ({e}): {text}"),
        }
        true
    }

    fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                json_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }

    #[test]
    fn the_repository_policies_load_alike_by_reader_and_tree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        json_files(&root.join("policies"), &mut files);
        json_files(&root.join("tests/fixtures"), &mut files);
        assert!(files.len() > 100, "{} files", files.len());
        let mut read = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for ptype in TYPES {
                read += usize::from(agrees(&text, ptype));
            }
        }
        // the reader reads most of them: a reader that declined everything
        // would agree trivially
        assert!(
            read > 100,
            "the reader read {read} of {} files",
            files.len()
        );
    }

    #[test]
    fn plain_policies_are_read_and_others_declined() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
        for name in [
            "rails-app.json",
            "read-only-access.json",
            "amazon-s3-full-access.json",
        ] {
            let text = std::fs::read_to_string(root.join(name)).unwrap();
            assert!(agrees(&text, PolicyType::Identity), "{name}");
            // bucket policies need principals: never read
            assert!(!agrees(&text, PolicyType::Resource), "{name}");
        }
        let plain = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:Get*","Resource":["arn:aws:s3:::b/${aws:username}/*","*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#;
        assert!(agrees(plain, PolicyType::Identity));
        for declined in [
            // no Version: a warning
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
            // Version after Statement
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},"Version":"2012-10-17"}"#,
            // an escape
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get\u004fbject","Resource":"*"}}"#,
            // an unknown action: a warning
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}}"#,
            // an empty list: a suggestion
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#,
            // both Action and NotAction
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}}"#,
            // a repeated Sid
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            // a repeated key in a condition
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true","aws:SecureTransport":"false"}}}}"#,
            // text after the policy
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}} {}"#,
            // the AWS CLI's output
            r#"{"PolicyVersion":{"Document":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}}}"#,
        ] {
            assert!(!agrees(declined, PolicyType::Identity), "{declined}");
        }
    }

    #[test]
    fn an_action_list_is_copied_once_and_its_texts_found_in_the_copy() {
        // texts kept from the copy of the list, appended after a `]` in
        // a string (past the copy's end), after a catalog action that
        // keeps no text, with a lower-cased body after the copy; each
        // read as the tree reads it
        for actions in [
            r#"["ec2:Describe*","iam:Get*","s3:Get*"]"#,
            r#"["s3:GetObject","ec2:DescribeInstances", "S3:PUT*" ,"*"]"#,
            r#"["ec2:Describe]*","ec2:DescribeVpcs","s3:ListBucket"]"#,
            r#"["ec2:Describe*","ec2:x]y","s3:get*","S3:GetObject"]"#,
            r#"["s3:GetObject","s3:PutObject"]"#,
            r#"[ "ec2:D?scribe*" , "ſ3:Get*" ]"#,
        ] {
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}},{{"Effect":"Deny","NotAction":{actions},"Resource":"*"}}]}}"#
            );
            assert!(agrees(&text, PolicyType::Identity), "{text}");
            let file = Arc::new(SourceFile::new("p.json", &text));
            let policy = lower_plain(&file, LoadOptions::new(PolicyType::Identity)).unwrap();
            let read: Vec<&str> = policy.statements[0]
                .action
                .patterns()
                .iter()
                .map(|p| p.as_str())
                .collect();
            let list: Vec<String> = serde_json::from_str(actions).unwrap();
            assert_eq!(read, list, "{actions}");
        }
    }

    /// A member of a generated statement: a key and a JSON value, some
    /// plain, some not.
    fn member() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop_oneof![
            Just("Sid"),
            Just("Effect"),
            Just("Action"),
            Just("NotAction"),
            Just("Resource"),
            Just("NotResource"),
            Just("Condition"),
            Just("Principal"),
            Just("effect"),
            Just("Id"),
        ];
        let string = prop_oneof![
            Just("\"Allow\""),
            Just("\"Deny\""),
            Just("\"allow\""),
            Just("\"s3:GetObject\""),
            Just("\"s3:get*\""),
            Just("\"s3:Nope\""),
            Just("\"iam:PassRole\""),
            // kept in the element's buffer: as written, after a `]` inside
            // a string, lower-cased after it, compiled as a glob
            Just("\"ec2:Describe*\""),
            Just("\"ec2:DescribeVpcs\""),
            Just("\"ec2:a]b\""),
            Just("\"S3:Get*\""),
            Just("\"s3:Get?bject\""),
            Just("\"\u{17f}3:Get*\""),
            Just("\"*\""),
            Just("\"GetObject\""),
            Just("\"s3:${aws:username}\""),
            Just("\"arn:aws:s3:::b/*\""),
            Just("\"arn:aws:s3:::b/${aws:username}/*\""),
            Just("\"arn:aws:s3:::b/${aws:username\""),
            Just("\"arn:aws:s3\""),
            Just("\"arn:aws:s?:::b\""),
            Just("\"bucket\""),
            Just("\"Sid1\""),
            Just("\"Sid-1\""),
            Just("\"a\\u0062\""),
            Just("\"tab\there\""),
            Just("\"\""),
        ];
        let value = prop_oneof![
            3 => string.clone().prop_map(str::to_string),
            3 => proptest::collection::vec(string, 0..4).prop_map(|v| format!("[{}]", v.join(" , "))),
            1 => Just("{\"StringEquals\":{\"s3:prefix\":[\"a\",\"b\"]}}".to_string()),
            1 => Just("{\"Bool\":{\"aws:SecureTransport\":false}}".to_string()),
            1 => Just("{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}".to_string()),
            1 => Just("{\"StringLike\":{\"s3:prefix\":\"${aws:username}/*\"},\"Null\":{\"s3:x-amz-acl\":\"true\"}}".to_string()),
            1 => Just("{\"StringEquals\":{\"s3:prefix\":\"a\",\"s3:prefix\":\"b\"}}".to_string()),
            1 => Just("{}".to_string()),
            1 => Just("{\"AWS\":\"*\"}".to_string()),
            1 => Just("7".to_string()),
            1 => Just("[[[[\"deep\"]]]]".to_string()),
        ];
        (key, value).prop_map(|(k, v)| format!("\"{k}\": {v}"))
    }

    /// A statement: mostly plain ones, whose entries are now and then
    /// not (an unknown action, a variable where none may be, a malformed
    /// ARN), and some of members of any kind.
    fn statement() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let action = prop_oneof![
            6 => proptest::sample::select(vec![
                "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:Get*", "s3:*Object",
                "s3:*", "*", "iam:PassRole", "ec2:Describe*", "S3:getobject", "s3:List?ucket",
            ]),
            1 => proptest::sample::select(vec!["s3:Nope", "s3:${aws:username}", "GetObject", "s3:"]),
        ];
        let resource = prop_oneof![
            6 => proptest::sample::select(vec![
                "*", "arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*",
                "arn:aws:s3:::*", "arn:aws:s3:::b/a?c*", "arn:aws:iam::111122223333:role/r",
                "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/*",
            ]),
            1 => proptest::sample::select(vec![
                "bucket", "arn:aws:s3", "arn:aws:s?:::b", "arn:${aws:username}:s3:::b",
            ]),
        ];
        let list = |entries: BoxedStrategy<&'static str>| {
            prop_oneof![
                entries.clone().prop_map(|e| format!("\"{e}\"")),
                proptest::collection::vec(entries, 1..4)
                    .prop_map(|v| format!("[ \"{}\" ]", v.join("\",\n    \""))),
            ]
        };
        let usual = (
            proptest::option::of(proptest::sample::select(vec!["\"S1\"", "\"S2\"", "\"Sid3\"", "\"S 3\""])),
            prop_oneof![Just("\"Allow\""), Just("\"Deny\"")],
            (proptest::bool::ANY, list(action.boxed())),
            (proptest::bool::ANY, list(resource.boxed())),
            proptest::option::of(proptest::sample::select(vec![
                "{\"StringEquals\":{\"s3:prefix\":[\"a\",\"b\"]}}",
                "{\"Bool\":{\"aws:SecureTransport\":false}}",
                "{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}",
                "{\"StringLike\":{\"s3:prefix\":\"${aws:username}/*\"},\"Null\":{\"s3:x-amz-acl\":\"true\"}}",
                "{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}}",
                "{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x\"}}",
            ])),
            proptest::sample::select(vec![0usize, 1, 2, 3]),
        )
            .prop_map(|(sid, effect, (not_action, action), (not_resource, resource), condition, order)| {
                let mut members = vec![
                    format!("\"Effect\": {effect}"),
                    format!("\"{}\": {action}", if not_action { "NotAction" } else { "Action" }),
                    format!("\"{}\":{resource}", if not_resource { "NotResource" } else { "Resource" }),
                ];
                members.extend(sid.map(|s| format!("\"Sid\": {s}")));
                members.extend(condition.map(|c| format!("\"Condition\" : {c}")));
                let turn = order % members.len();
                members.rotate_left(turn);
                format!("{{\n  {}\n}}", members.join(",\n  "))
            });
        let any = proptest::collection::vec(member(), 0..6)
            .prop_map(|members| format!("{{ {} }}", members.join(",\n  ")));
        prop_oneof![6 => usual, 1 => any]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// Whatever the reader reads, the tree's way loads as the same
        /// policy, whatever the policy type.
        #[test]
        fn the_reader_agrees_with_the_tree(
            version in proptest::prop_oneof![
                6 => proptest::strategy::Just("\"Version\": \"2012-10-17\","),
                1 => proptest::strategy::Just("\"Version\":\"2008-10-17\" ,"),
                1 => proptest::strategy::Just(""),
                1 => proptest::strategy::Just("\"Version\": \"2012-10-18\","),
                1 => proptest::strategy::Just("\"Id\": \"x\", \"Version\": \"2012-10-17\","),
            ],
            statements in proptest::collection::vec(statement(), 1..4),
            single in proptest::bool::ANY,
            tail in proptest::prop_oneof![
                3 => proptest::strategy::Just(""),
                3 => proptest::strategy::Just("\n"),
                1 => proptest::strategy::Just(" x"),
            ],
            ptype in proptest::sample::select(vec![
                PolicyType::Identity, PolicyType::Identity, PolicyType::Identity,
                PolicyType::Boundary, PolicyType::Session, PolicyType::Scp, PolicyType::Resource,
            ]),
        ) {
            let statements = match (single, statements.first()) {
                (true, Some(one)) => one.clone(),
                _ => format!("[{}]", statements.join(",")),
            };
            let text = format!("{{ {version} \"Statement\": {statements} }}{tail}");
            agrees(&text, ptype);
        }
    }

    /// Small policies of the repository, for the mutation test.
    const MUTATED: [&str; 4] = [
        include_str!("../../../policies/rails-app.json"),
        include_str!("../../../policies/deny-bucket-deletion.json"),
        include_str!("../../../policies/user-home-prefix.json"),
        include_str!("../../../policies/amazon-s3-full-access.json"),
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// Whatever the reader reads of a repository policy with a few
        /// bytes inserted or deleted (quotes, backslashes, brackets,
        /// commas, stars, `$`, letters, white space), the tree's way
        /// loads as the same policy: no edit makes the reader accept what
        /// the tree refuses or reports.
        #[test]
        fn edited_policies_agree(
            which in 0..MUTATED.len(),
            edits in proptest::collection::vec(
                (proptest::num::usize::ANY, proptest::option::of(proptest::sample::select(vec![
                    '"', '\\', '[', ']', '{', '}', ',', ':', '*', '?', '$', 'a', 'Z', ' ', '\n', '\t',
                    '\u{1}', 'é',
                ]))),
                1..4,
            ),
            ptype in proptest::sample::select(TYPES.to_vec()),
        ) {
            let mut text = MUTATED.get(which).copied().unwrap_or_default().to_string();
            for (at, edit) in edits {
                let mut at = at % (text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match edit {
                    Some(c) => text.insert(at, c),
                    None if at < text.len() => {
                        text.remove(at);
                    }
                    None => {}
                }
            }
            agrees(&text, ptype);
        }
    }
}
