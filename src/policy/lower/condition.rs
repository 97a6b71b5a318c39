//! Lowering the `Condition` element: operators parsed into data, values
//! checked against the operator's type at load time (spec C-3..C-14, G-10).

use super::Lowerer;
use crate::catalog;
use crate::condition::{Block, Condition, KeyCondition, Operator, Values};
use crate::diagnostic::Severity;
use crate::json::{pointer, Kind, Span, Value};

impl Lowerer<'_> {
    /// The statement's `Condition` value `c` (`sp` is the statement's
    /// pointer). The pointers of the element, its operators and keys are
    /// written only for a message (a join and an allocation each were a
    /// third of a condition's lowering).
    pub(super) fn condition(&mut self, c: &Value, sp: &str) -> Condition {
        let cp = || pointer::join(sp, "Condition");
        let Some(members) = c.as_object() else {
            self.type_error(c, &cp(), "an object of condition operators");
            return Condition::default();
        };
        let mut blocks = Vec::with_capacity(members.len());
        if members.is_empty() {
            self.emit(
                Severity::Suggestion,
                "EMPTY_OBJECT_CONDITION",
                "`Condition` is empty".into(),
                c.span,
                &cp(),
                None,
            );
        }
        for m in members {
            let op_ptr = || pointer::join(&cp(), &m.key);
            let operator = match Operator::parse(&m.key) {
                Ok(op) => op,
                Err(e) => {
                    let hint = match &e.suggestion {
                        Some(s) => crate::diagnostic::did_you_mean_hint(&m.key, s),
                        None => "see the condition operators of the IAM User Guide".into(),
                    };
                    self.error(e.code, e.message, m.key_span, &op_ptr(), &hint);
                    continue;
                }
            };
            if !operator.is_spelled_as_printed(&m.key) {
                self.emit(
                    Severity::Warning,
                    "NONCANONICAL_OPERATOR_CASE",
                    format!(
                        "condition operator `{}` is spelled `{operator}` in AWS documentation",
                        m.key
                    ),
                    m.key_span,
                    &op_ptr(),
                    Some(format!("write `{operator}`")),
                );
            }
            let Some(keys) = m.value.as_object() else {
                self.type_error(
                    &m.value,
                    &op_ptr(),
                    "an object of condition keys and values",
                );
                continue;
            };
            if keys.is_empty() {
                self.emit(
                    Severity::Suggestion,
                    "EMPTY_OBJECT_CONDITION",
                    format!("`{}` lists no keys", m.key),
                    m.value.span,
                    &op_ptr(),
                    None,
                );
            }
            let mut compiled = Vec::with_capacity(keys.len());
            for (i, k) in keys.iter().enumerate() {
                let kp = || pointer::join(&op_ptr(), &k.key);
                if let Some(prev) = keys
                    .iter()
                    .take(i)
                    .find(|o| o.key.eq_ignore_ascii_case(&k.key))
                {
                    self.error(
                        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                        format!(
                            "condition key `{}` repeats `{}` (keys are case-insensitive)",
                            k.key, prev.key
                        ),
                        k.key_span,
                        &kp(),
                        "merge the values under one key",
                    );
                    continue;
                }
                if crate::matcher::has_variable(&k.key) {
                    self.error(
                        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                        format!(
                            "policy variables are not allowed in condition keys (`{}`)",
                            k.key
                        ),
                        k.key_span,
                        &kp(),
                        "use a fixed key name",
                    );
                    continue;
                }
                if !k.key.contains(':') {
                    self.error(
                        "INVALID_CONDITION_KEY",
                        format!("condition key `{}` has no prefix", k.key),
                        k.key_span,
                        &kp(),
                        &match catalog::suggest_key(&k.key) {
                            Some(s) => crate::diagnostic::did_you_mean_hint(&k.key, s),
                            None => "keys look like aws:SourceIp or s3:prefix".into(),
                        },
                    );
                    continue;
                }
                let Some((texts, spans)) = self.condition_values(&k.value, &kp) else {
                    continue;
                };
                if texts.is_empty() {
                    self.emit(
                        Severity::Suggestion,
                        "EMPTY_ARRAY_CONDITION",
                        format!("`{}` lists no values: it never matches", k.key),
                        k.value.span,
                        &kp(),
                        None,
                    );
                }
                if !self.variables && texts.iter().any(|t| crate::matcher::has_variable(t)) {
                    self.variable_in_old_version(&k.key, k.value.span, &kp());
                }
                // the texts are moved, not copied: the spans stay for messages
                match Values::compile(&operator, &texts, self.variables) {
                    Ok(values) => compiled.push(KeyCondition {
                        key: k.key.to_string(),
                        key_lower: k.key.to_lowercase(),
                        raw_values: texts,
                        values,
                    }),
                    Err(issues) => {
                        for issue in issues {
                            let (span, ptr) =
                                match issue.index.and_then(|i| spans.get(i).map(|s| (i, s))) {
                                    Some((i, span)) if k.value.as_array().is_some() => {
                                        (*span, pointer::join(&kp(), i.to_string()))
                                    }
                                    Some((_, span)) => (*span, kp()),
                                    None => (k.value.span, kp()),
                                };
                            self.error(
                                issue.code,
                                issue.message,
                                span,
                                &ptr,
                                issue.hint.as_deref().unwrap_or("fix the value"),
                            );
                        }
                    }
                }
            }
            blocks.push(Block {
                operator,
                operator_text: m.key.to_string(),
                keys: compiled,
            });
        }
        Condition { blocks }
    }

    /// Condition values: strings, numbers, booleans, or an array of them,
    /// their texts and their spans (two lists made at once: a list of
    /// pairs split in two was one allocation more a key); `kp` writes the
    /// key's pointer, for a message.
    pub(super) fn condition_values(
        &mut self,
        v: &Value,
        kp: &dyn Fn() -> String,
    ) -> Option<(Vec<String>, Vec<Span>)> {
        let scalar = |v: &Value| v.scalar_text().map(|t| (t, v.span));
        match &v.kind {
            Kind::Array(items) => {
                let mut texts = Vec::with_capacity(items.len());
                let mut spans = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match scalar(item) {
                        Some((text, span)) => {
                            texts.push(text);
                            spans.push(span);
                        }
                        None => {
                            ok = false;
                            self.type_error(
                                item,
                                &pointer::join(&kp(), i.to_string()),
                                "a string, number or boolean",
                            );
                        }
                    }
                }
                ok.then_some((texts, spans))
            }
            _ => match scalar(v) {
                Some((text, span)) => Some((vec![text], vec![span])),
                None => {
                    self.type_error(v, &kp(), "a string, number, boolean, or an array of them");
                    None
                }
            },
        }
    }
}
