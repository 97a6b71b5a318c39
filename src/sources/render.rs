//! Policies that are not JSON text in the file (a YAML template, a JSON
//! template after resolving `Fn::Sub`, a Terraform `aws_iam_policy_document`
//! built from blocks) are rendered to JSON text with a map: every byte of
//! the text maps to the place in the original file of the value it came
//! from. The policy loader then reports every problem at that place.

use std::sync::Arc;

use crate::json::{Document, Kind, SourceFile, Value};
use crate::policy::{LoadError, LoadOptions, Policy};

/// JSON text with, for each byte, an offset in the original file.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The text.
    pub text: String,
    /// `map[i]`: file offset of text byte `i`.
    pub map: Vec<u32>,
}

impl Rendered {
    fn push(&mut self, s: &str, origin: u32) {
        self.text.push_str(s);
        self.map.extend(std::iter::repeat_n(origin, s.len()));
    }

    /// Renders a value (compact JSON).
    pub fn value(&mut self, v: &Value) {
        let at = v.span.start;
        match &v.kind {
            Kind::Null => self.push("null", at),
            Kind::Bool(b) => self.push(if *b { "true" } else { "false" }, at),
            Kind::Number(n) => self.push(n, at),
            Kind::String(s) => self.string(s, at),
            Kind::Array(items) => {
                self.push("[", at);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.push(",", item.span.start);
                    }
                    self.value(item);
                }
                self.push("]", v.span.end.saturating_sub(1).max(at));
            }
            Kind::Object(members) => {
                self.push("{", at);
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        self.push(",", m.key_span.start);
                    }
                    self.string(&m.key, m.key_span.start);
                    self.push(":", m.key_span.start);
                    self.value(&m.value);
                }
                self.push("}", v.span.end.saturating_sub(1).max(at));
            }
        }
    }

    fn string(&mut self, s: &str, at: u32) {
        let quoted = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        self.push(&quoted, at);
    }

    /// The document over `file`.
    pub fn into_document(self, file: Arc<SourceFile>) -> Document {
        Document::embedded(file, self.text, self.map)
    }
}

/// Loads a policy from a value of `file` (spans are offsets of `file`);
/// `pointer` is where the value is in the file, `name` what messages show.
pub fn load_value(
    file: &Arc<SourceFile>,
    value: &Value,
    pointer: &str,
    options: LoadOptions,
) -> Result<Policy, LoadError> {
    let mut r = Rendered::default();
    r.value(value);
    Policy::from_document(r.into_document(file.clone()), pointer, file.name(), options)
}

/// Loads a policy held as JSON text in a JSON string of `file` (a Terraform
/// `policy` attribute, an account dump's URL-encoded document).
pub fn load_json_string(
    file: &Arc<SourceFile>,
    value: &Value,
    options: LoadOptions,
) -> Result<Policy, LoadError> {
    let doc = Policy::embedded_document(file, value.span)?;
    Policy::from_document(doc, "", file.name(), options)
}

/// Loads a policy held as JSON text in a YAML string: positions inside it
/// point at the start of the scalar.
pub fn load_yaml_string(
    file: &Arc<SourceFile>,
    value: &Value,
    text: &str,
    pointer: &str,
    options: LoadOptions,
) -> Result<Policy, LoadError> {
    let doc = Document::embedded(
        file.clone(),
        text.to_string(),
        vec![value.span.start; text.len()],
    );
    Policy::from_document(doc, pointer, file.name(), options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyType;

    #[test]
    fn rendered_policies_report_errors_in_the_original_file() {
        let text = "Statement:\n  - Effect: allow\n    Action: s3:GetObject\n    Resource: '*'\n";
        let file = Arc::new(SourceFile::new("t.yaml", text));
        let v = crate::sources::yaml::parse(&file).unwrap();
        let e = load_value(&file, &v, "/Doc", LoadOptions::new(PolicyType::Identity)).unwrap_err();
        let d = e.errors().next().unwrap();
        assert_eq!(d.file.as_deref(), Some("t.yaml"));
        let loc = d.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 13));
        assert_eq!(d.pointer.as_deref(), Some("/Doc/Statement/0/Effect"));
    }

    #[test]
    fn statement_positions_point_into_the_original_file() {
        let text = "Version: '2012-10-17'\nStatement:\n  - Sid: A\n    Effect: Allow\n    Action: s3:GetObject\n    Resource: '*'\n";
        let file = Arc::new(SourceFile::new("t.yaml", text));
        let v = crate::sources::yaml::parse(&file).unwrap();
        let p = load_value(&file, &v, "", LoadOptions::new(PolicyType::Identity)).unwrap();
        let s = &p.statements[0];
        assert_eq!((s.location.start().line, s.location.start().column), (3, 5));
        assert_eq!(p.statement_position(s), "t.yaml:3:5");
    }
}
