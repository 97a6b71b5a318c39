//! YAML templates read into the same spanned tree as JSON, so that one
//! CloudFormation reader serves both and every position points into the
//! YAML file.
//!
//! Built on `saphyr-parser`'s event stream (it reports a span per event
//! and keeps tags). CloudFormation's short-form tags become the long form
//! they stand for: `!Ref X` is `{"Ref": X}`, `!Sub s` is `{"Fn::Sub": s}`,
//! `!GetAtt A.B` is `{"Fn::GetAtt": "A.B"}`. Plain scalars get YAML's core
//! types where JSON has the same (`true`, `null`, `12`), and stay strings
//! otherwise (`2012-10-17`, `012345678901`).

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan, Tag};

use crate::diagnostic::Diagnostic;
use crate::json::{Kind, Member, SourceFile, Span, Value, MAX_DEPTH};

/// Nodes produced by alias expansion at most (a "billion laughs" guard).
const MAX_NODES: usize = 1_000_000;

/// CloudFormation's short-form intrinsic function tags.
const SHORT_FORMS: &[&str] = &[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ToJsonString",
    "Length",
];

enum Frame {
    Seq {
        start: u32,
        anchor: usize,
        tag: Option<(String, u32)>,
        items: Vec<Value>,
    },
    Map {
        start: u32,
        anchor: usize,
        tag: Option<(String, u32)>,
        members: Vec<Member>,
        key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    /// The text the parser reads (the file's, re-indented where needed).
    chars: &'a [char],
    /// Byte offset in the file of every character index of `chars` (the
    /// parser counts characters), plus the end.
    char_bytes: &'a [u32],
    anchors: Vec<(usize, Value)>,
    nodes: usize,
    /// Where a line inside a flow collection is less indented than
    /// saphyr-parser requires (set with the error it raised).
    underindented_flow_line: Option<usize>,
}

/// Spaces added in front of one under-indented flow line at most.
const MAX_REINDENT: usize = 64;

/// Parses a YAML document into a spanned tree (spans are byte offsets of `file`).
///
/// Inside a flow collection (`[…]`, `{…}`) leading spaces never change what
/// a line means, and PyYAML, ruamel and CloudFormation do not check their
/// indentation: AWS's own samples close `Action: [` with a `]` at the key's
/// indent. saphyr-parser follows YAML 1.2 strictly and rejects those lines,
/// so such a line is given the spaces it lacks and the text parsed again
/// (positions still point into the file).
pub fn parse(file: &SourceFile) -> Result<Value, Box<Diagnostic>> {
    let text = file.text();
    let mut chars: Vec<char> = text.chars().collect();
    let mut char_bytes: Vec<u32> = text
        .char_indices()
        .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    char_bytes.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
    let mut first_error: Option<Box<Diagnostic>> = None;
    let mut added_at: Option<(u32, usize)> = None;
    loop {
        let input: String = chars.iter().collect();
        let mut b = Builder {
            file,
            chars: &chars,
            char_bytes: &char_bytes,
            anchors: Vec::new(),
            nodes: 0,
            underindented_flow_line: None,
        };
        let result = b.run(Parser::new_from_str(&input));
        let Err(error) = result else {
            return result;
        };
        let Some(at) = b.underindented_flow_line else {
            return Err(first_error.unwrap_or(error));
        };
        let place = char_bytes.get(at).copied().unwrap_or(u32::MAX);
        let added = match added_at {
            Some((p, n)) if p == place => n + 1,
            _ => 1,
        };
        if added > MAX_REINDENT {
            return Err(first_error.unwrap_or(error));
        }
        added_at = Some((place, added));
        first_error.get_or_insert(error);
        // `at` is within the text: `is_flow_line_start` read the characters before it
        chars.insert(at, ' ');
        char_bytes.insert(at, place);
    }
}

impl Builder<'_> {
    fn offset(&self, char_index: usize) -> u32 {
        self.char_bytes
            .get(char_index)
            .or(self.char_bytes.last())
            .copied()
            .unwrap_or(0)
    }

    /// Whether character `index` begins its line (after spaces) inside a
    /// flow collection: it closes one (`]`, `}`), the innermost open
    /// collection is a flow one, or the line follows a `[` or `{`.
    fn is_flow_line_start(&self, index: usize, stack: &[Frame]) -> bool {
        let Some(before) = self.chars.get(..index) else {
            return false;
        };
        let line_start = before.iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
        if before
            .get(line_start..)
            .is_none_or(|pad| pad.iter().any(|c| *c != ' '))
        {
            return false;
        }
        if matches!(self.chars.get(index), Some(']' | '}')) {
            return true;
        }
        let text = self.file.text().as_bytes();
        let innermost_is_flow = stack.last().is_some_and(|f| {
            let (Frame::Seq { start, .. } | Frame::Map { start, .. }) = f;
            matches!(text.get(*start as usize), Some(b'[' | b'{'))
        });
        let after_opening = before
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .is_some_and(|c| matches!(c, '[' | '{'));
        innermost_is_flow || after_opening
    }

    fn span(&self, s: YamlSpan) -> Span {
        Span {
            start: self.offset(s.start.index()),
            end: self.offset(s.end.index()),
        }
    }

    fn error(&self, offset: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error("YAML_SYNTAX_ERROR", message)
            .in_file(self.file.name())
            .at(self.file.location(offset))
    }

    fn run(
        &mut self,
        parser: Parser<'_, saphyr_parser::StrInput<'_>>,
    ) -> Result<Value, Box<Diagnostic>> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Value> = None;
        for item in parser {
            let (event, yspan) = match item {
                Ok(e) => e,
                Err(e) => {
                    let index = e.marker().index();
                    if self.is_flow_line_start(index, &stack) {
                        self.underindented_flow_line = Some(index);
                    }
                    let at = self.offset(index);
                    return fail(self.error(at, e.info().to_string()).with_hint(
                        "the template must be valid YAML; check indentation and quoting near this place",
                    ));
                }
            };
            let span = self.span(yspan);
            let node = match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {
                    continue
                }
                Event::DocumentStart(_) => {
                    if root.is_some() {
                        return fail(
                            self.error(
                                span.start,
                                "a template holds one YAML document; found a second one",
                            )
                            .with_hint("remove the `---` line and what follows, or split the file"),
                        );
                    }
                    continue;
                }
                Event::Alias(id) => {
                    let Some(v) = self.anchors.iter().rev().find(|(a, _)| *a == id) else {
                        return fail(self.error(span.start, "alias to an unknown anchor"));
                    };
                    let v = v.1.clone();
                    self.nodes = self.nodes.saturating_add(count_nodes(&v));
                    if self.nodes > MAX_NODES {
                        return fail(self.error(span.start, "YAML aliases expand to more than a million nodes; s3guard refuses to read it"));
                    }
                    v
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let v = self.scalar(&text, style, tag.as_deref(), span)?;
                    self.remember(anchor, &v);
                    v
                }
                Event::SequenceStart(anchor, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return fail(self.error(
                            span.start,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    let tag = self.tag_name(tag.as_deref(), span)?;
                    stack.push(Frame::Seq {
                        start: span.start,
                        anchor,
                        tag,
                        items: Vec::new(),
                    });
                    continue;
                }
                Event::MappingStart(anchor, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return fail(self.error(
                            span.start,
                            format!("nesting deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    let tag = self.tag_name(tag.as_deref(), span)?;
                    stack.push(Frame::Map {
                        start: span.start,
                        anchor,
                        tag,
                        members: Vec::new(),
                        key: None,
                    });
                    continue;
                }
                Event::SequenceEnd => match stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        tag,
                        items,
                    }) => {
                        let end = span
                            .end
                            .max(items.last().map(|v| v.span.end).unwrap_or(start));
                        let v = wrap(
                            tag,
                            Value {
                                kind: Kind::Array(items),
                                span: Span { start, end },
                            },
                        );
                        self.remember(anchor, &v);
                        v
                    }
                    _ => return fail(self.error(span.start, "unbalanced YAML sequence")),
                },
                Event::MappingEnd => match stack.pop() {
                    Some(Frame::Map {
                        start,
                        anchor,
                        tag,
                        members,
                        key,
                    }) => {
                        if let Some((k, ks)) = key {
                            return fail(self.error(ks.start, format!("key `{k}` has no value")));
                        }
                        let end = span
                            .end
                            .max(members.last().map(|m| m.value.span.end).unwrap_or(start));
                        let v = wrap(
                            tag,
                            Value {
                                kind: Kind::Object(members),
                                span: Span { start, end },
                            },
                        );
                        self.remember(anchor, &v);
                        v
                    }
                    _ => return fail(self.error(span.start, "unbalanced YAML mapping")),
                },
            };
            self.nodes = self.nodes.saturating_add(1);
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Seq { items, .. }) => items.push(node),
                Some(Frame::Map { members, key, .. }) => match key.take() {
                    None => match &node.kind {
                        Kind::String(s) => *key = Some((s.to_string(), node.span)),
                        Kind::Number(s) => *key = Some((s.to_string(), node.span)),
                        Kind::Bool(b) => *key = Some((b.to_string(), node.span)),
                        _ => {
                            return fail(self.error(
                                node.span.start,
                                format!(
                                    "a mapping key must be a scalar, found {}",
                                    node.type_name()
                                ),
                            ))
                        }
                    },
                    Some((k, key_span)) => {
                        if let Some(first) = members.iter().find(|m| m.key == k) {
                            let loc = self.file.location(first.key_span.start);
                            return fail(self
                                .error(key_span.start, format!("duplicate key `{k}` in one mapping"))
                                .with_hint(format!(
                                    "the first is at {}:{}; CloudFormation rejects templates with duplicate keys",
                                    loc.line, loc.column
                                )));
                        }
                        members.push(Member {
                            key: k.into(),
                            key_span,
                            value: node,
                        });
                    }
                },
            }
        }
        root.ok_or_else(|| {
            Box::new(
                self.error(0, "the file holds no YAML document")
                    .with_hint("a CloudFormation template is a mapping with `Resources`"),
            )
        })
    }

    fn remember(&mut self, anchor: usize, v: &Value) {
        if anchor > 0 {
            self.anchors.push((anchor, v.clone()));
        }
    }

    /// The CloudFormation function a tag stands for (`Ref`, `Fn::Sub`, …);
    /// `None` for core-schema tags.
    fn tag_name(
        &self,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Option<(String, u32)>, Box<Diagnostic>> {
        let Some(tag) = tag else { return Ok(None) };
        if tag.is_yaml_core_schema() {
            return Ok(None);
        }
        if tag.handle == "!" {
            let s = tag.suffix.as_str();
            if s == "Ref" || s == "Condition" {
                return Ok(Some((s.to_string(), span.start)));
            }
            if SHORT_FORMS.contains(&s) {
                return Ok(Some((format!("Fn::{s}"), span.start)));
            }
        }
        let known: Vec<String> = SHORT_FORMS
            .iter()
            .map(|s| format!("!{s}"))
            .chain(["!Ref".to_string(), "!Condition".to_string()])
            .collect();
        let shown = tag.to_string();
        let mut d = self.error(span.start, format!("unknown YAML tag `{shown}`"));
        d.code = "UNKNOWN_YAML_TAG";
        if let Some(m) = crate::diagnostic::did_you_mean(&shown, known.iter().map(String::as_str)) {
            d = d.with_hint(format!("did you mean `{m}`?"));
        } else {
            d = d.with_hint("CloudFormation knows !Ref, !Sub, !Join, !GetAtt, !If, !Select, … (short forms of Ref and Fn::*)");
        }
        fail(d)
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<Value, Box<Diagnostic>> {
        let fname = self.tag_name(tag, span)?;
        let core = tag
            .filter(|t| t.is_yaml_core_schema())
            .map(|t| t.suffix.as_str());
        let kind = match (style, core) {
            (_, Some("str")) => Kind::String(text.into()),
            (ScalarStyle::Plain, _) if fname.is_none() => plain_kind(text),
            _ => Kind::String(text.into()),
        };
        Ok(wrap(fname, Value { kind, span }))
    }
}

fn fail<T>(d: Diagnostic) -> Result<T, Box<Diagnostic>> {
    Err(Box::new(d))
}

/// `{"Fn::Sub": value}` for a tagged node.
fn wrap(tag: Option<(String, u32)>, value: Value) -> Value {
    match tag {
        None => value,
        Some((name, at)) => {
            let span = Span {
                start: at.min(value.span.start),
                end: value.span.end,
            };
            Value {
                kind: Kind::Object(vec![Member {
                    key: name.into(),
                    key_span: Span { start: at, end: at },
                    value,
                }]),
                span,
            }
        }
    }
}

/// YAML core-schema typing of a plain scalar, limited to what JSON can say
/// the same way.
fn plain_kind(text: &str) -> Kind {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" => return Kind::Bool(true),
        "false" | "False" | "FALSE" => return Kind::Bool(false),
        _ => {}
    }
    if is_json_number(text) {
        Kind::Number(text.into())
    } else {
        Kind::String(text.into())
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` — so that account ids
/// with a leading zero stay strings.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn count_nodes(v: &Value) -> usize {
    match &v.kind {
        Kind::Array(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Kind::Object(members) => 1 + members.iter().map(|m| count_nodes(&m.value)).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        parse(&SourceFile::new("t.yaml", text)).unwrap()
    }

    #[test]
    fn short_form_tags_become_intrinsic_objects() {
        let v = yaml("A: !Ref Bucket\nB: !Sub 'arn:${AWS::Partition}:s3:::x'\nC: !GetAtt Role.Arn\nD: !Join ['', [a, !Ref B]]\n");
        assert_eq!(
            v.get("A").unwrap().get("Ref").unwrap().as_str(),
            Some("Bucket")
        );
        assert_eq!(
            v.get("B").unwrap().get("Fn::Sub").unwrap().as_str(),
            Some("arn:${AWS::Partition}:s3:::x")
        );
        assert_eq!(
            v.get("C").unwrap().get("Fn::GetAtt").unwrap().as_str(),
            Some("Role.Arn")
        );
        let join = v
            .get("D")
            .unwrap()
            .get("Fn::Join")
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(
            join[1].as_array().unwrap()[1].get("Ref").unwrap().as_str(),
            Some("B")
        );
    }

    /// PyYAML, ruamel and CloudFormation do not check indentation inside
    /// flow collections; AWS's samples close `Action: [` at the key's indent.
    #[test]
    fn flow_collections_are_read_whatever_their_lines_indent() {
        let shapes = [
            // `]` at the key's indent (AWS CloudFormation samples)
            "S:\n  - Action: [\n      \"s3:GetObject\",\n      \"s3:PutObject\"\n    ]\n    Effect: Allow\n",
            // items at the key's indent too
            "S:\n  - Action: [\n    \"s3:GetObject\",\n    \"s3:PutObject\"\n    ]\n    Effect: Allow\n",
            // `]` below the key's indent
            "S:\n  - Action: [\n      s3:GetObject, s3:PutObject\n  ]\n    Effect: Allow\n",
        ];
        for text in shapes {
            let v = yaml(text);
            let st = &v.get("S").unwrap().as_array().unwrap()[0];
            let actions: Vec<_> = st
                .get("Action")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert_eq!(actions, ["s3:GetObject", "s3:PutObject"], "{text}");
            assert_eq!(st.get("Effect").unwrap().as_str(), Some("Allow"), "{text}");
        }
        let v = yaml("Condition: {\n  StringEquals: {\"aws:SourceVpce\": vpce-1}\n}\nX: 1\n");
        assert!(v.get("Condition").unwrap().get("StringEquals").is_some());
        assert_eq!(v.get("X").unwrap().kind, Kind::Number("1".into()));
        // positions stay those of the file
        let text = "A: [\n  b\n]\n";
        let f = SourceFile::new("t.yaml", text);
        let v = parse(&f).unwrap();
        let b = &v.get("A").unwrap().as_array().unwrap()[0];
        let loc = f.location(b.span.start);
        assert_eq!((loc.line, loc.column), (2, 3));
        // what is wrong for every parser still is, at its place
        for bad in ["A: [b, c\n", "A: [b, c\n]]\n", "A: {b: c\n  ]\n"] {
            let e = parse(&SourceFile::new("t.yaml", bad)).unwrap_err();
            assert_eq!(e.code, "YAML_SYNTAX_ERROR", "{bad}");
            assert!(e.location.is_some(), "{bad}: {e:?}");
        }
    }

    #[test]
    fn spans_are_byte_offsets_of_the_file() {
        let text = "# é comment\nStatement:\n  - Effect: Allow\n";
        let f = SourceFile::new("t.yaml", text);
        let v = parse(&f).unwrap();
        let effect = v.get("Statement").unwrap().as_array().unwrap()[0]
            .get("Effect")
            .unwrap();
        let loc = f.location(effect.span.start);
        assert_eq!((loc.line, loc.column), (3, 13));
    }

    #[test]
    fn plain_scalars_are_typed_like_json_only() {
        let v = yaml("a: 12\nb: 012345678901\nc: true\nd: 2012-10-17\ne: '12'\nf:\n");
        assert_eq!(v.get("a").unwrap().kind, Kind::Number("12".into()));
        assert_eq!(v.get("b").unwrap().as_str(), Some("012345678901"));
        assert_eq!(v.get("c").unwrap().kind, Kind::Bool(true));
        assert_eq!(v.get("d").unwrap().as_str(), Some("2012-10-17"));
        assert_eq!(v.get("e").unwrap().as_str(), Some("12"));
        assert_eq!(v.get("f").unwrap().kind, Kind::Null);
    }

    #[test]
    fn errors_are_located() {
        let f = SourceFile::new("t.yaml", "a: 1\na: 2\n");
        let e = parse(&f).unwrap_err();
        assert_eq!(e.location.unwrap().line, 2);
        assert!(e.message.contains("duplicate key `a`"), "{}", e.message);
        let f = SourceFile::new("t.yaml", "a: !Reff x\n");
        let e = parse(&f).unwrap_err();
        assert_eq!(e.code, "UNKNOWN_YAML_TAG");
        assert_eq!(e.hint.as_deref(), Some("did you mean `!Ref`?"));
        let f = SourceFile::new("t.yaml", "a: [1, 2\nb: c\n");
        assert_eq!(parse(&f).unwrap_err().code, "YAML_SYNTAX_ERROR");
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let v = yaml("a: &x [1, 2]\nb: *x\n");
        assert_eq!(v.get("b").unwrap().as_array().unwrap().len(), 2);
    }
}
