//! The `Condition` element: operators, typed values and their evaluation
//! against the request context (spec C-1..C-15, V-4, V-6).

mod arn;
pub mod date;
mod ip;
mod numeric;
mod operator;
mod string;

use std::fmt;

use serde::Serialize;

pub use arn::ArnValue;
pub use ip::IpRange;
pub use numeric::Decimal;
pub use operator::{
    base_names, Comparison, Family, Operator, OperatorError, SetQualifier, StringOp,
};
pub use string::StringValue;

use crate::matcher::{parse_template, Piece, Resolve};
use crate::request::context::{Context, ContextValue};

/// A whole `Condition` element: every block must hold (C-2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Condition {
    /// The operator blocks.
    pub blocks: Vec<Block>,
}

/// One `"Operator": { key: values, … }` block: every key must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The parsed operator.
    pub operator: Operator,
    /// The operator as written.
    pub operator_text: String,
    /// The keys and their values.
    pub keys: Vec<KeyCondition>,
}

/// One key of a block with its policy values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCondition {
    /// The key as written.
    pub key: String,
    /// The key lower-cased (lookups, C-1).
    pub key_lower: String,
    /// The values as written (numbers and booleans as their JSON text).
    pub raw_values: Vec<String>,
    /// The values compiled for the operator's family.
    pub values: Values,
}

/// Policy values compiled for an operator family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Values {
    /// `String…`
    String(Vec<StringValue>),
    /// `Numeric…` (validated decimal text)
    Numeric(Vec<String>),
    /// `Date…`
    Date(Vec<date::Instant>),
    /// `Bool` (a template when it holds variables, V-6)
    Bool(Vec<BoolValue>),
    /// `BinaryEquals`
    Binary(Vec<Vec<u8>>),
    /// `IpAddress` / `NotIpAddress`
    Ip(Vec<IpRange>),
    /// `Arn…`
    Arn(Vec<ArnValue>),
    /// `Null`
    Null(Vec<bool>),
}

/// A `Bool` policy value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoolValue {
    /// `true` / `false`.
    Literal(bool),
    /// A value holding variables, resolved per request.
    Template(Vec<Piece>),
}

/// The result of evaluating a condition, a block or a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The condition holds.
    True,
    /// It does not.
    False,
    /// A request value has the wrong type for the operator (a number was
    /// expected, …): the statement does not apply and the response says why.
    Error,
}

/// The type a request value should have had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// A decimal number.
    Number,
    /// An ISO 8601 date or epoch seconds.
    Date,
    /// `true` or `false`.
    Boolean,
    /// An IP address.
    Ip,
    /// Base64 data.
    Base64,
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueType::Number => "a number",
            ValueType::Date => "a date (ISO 8601 or epoch seconds)",
            ValueType::Boolean => "`true` or `false`",
            ValueType::Ip => "an IP address",
            ValueType::Base64 => "base64 data",
        })
    }
}

/// A problem with a policy value found when the policy loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueIssue {
    /// Index of the value in the key's list (`None` for the key itself).
    pub index: Option<usize>,
    /// Access Analyzer-style code.
    pub code: &'static str,
    /// Lowercase message.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

impl Values {
    /// Compiles raw policy values for an operator. `variables` is whether the
    /// policy version recognises `${…}` (G-2). Returns every problem found.
    pub fn compile(
        operator: &Operator,
        raw: &[String],
        variables: bool,
    ) -> Result<Values, Vec<ValueIssue>> {
        let mut issues = Vec::new();
        // the pieces of a value holding variables; `None` for plain text
        // (almost every value: compiled without a list of pieces)
        let templated =
            |i: usize, text: &str, issues: &mut Vec<ValueIssue>| -> Option<Vec<Piece>> {
                if variables && crate::matcher::has_variable(text) {
                    match parse_template(text) {
                        Ok(p) => return Some(p),
                        Err(e) => issues.push(ValueIssue {
                            index: Some(i),
                            code: e.code,
                            message: e.message,
                            hint: Some("write variables as ${key} or ${key, 'default'}".into()),
                        }),
                    }
                }
                None
            };
        let no_vars = |i: usize, text: &str, issues: &mut Vec<ValueIssue>| {
            if variables && crate::matcher::has_variable(text) {
                issues.push(ValueIssue {
                    index: Some(i),
                    code: "INVALID_VARIABLE_FOR_OPERATOR",
                    message: format!(
                        "`{operator}` does not accept policy variables (value `{text}`)"
                    ),
                    hint: Some(
                        "variables work only with String…, Arn… and Bool operators (spec V-6)"
                            .into(),
                    ),
                });
            }
        };
        let values = match operator.family {
            Family::String(op) => Values::String(
                raw.iter()
                    .enumerate()
                    .map(|(i, t)| match (templated(i, t, &mut issues), op) {
                        (None, StringOp::Equals) => StringValue::exact_text(t),
                        (None, StringOp::EqualsIgnoreCase) => StringValue::folded_text(t),
                        (None, StringOp::Like) => StringValue::like_text(t),
                        (Some(pieces), StringOp::Equals) => StringValue::exact(&pieces),
                        (Some(pieces), StringOp::EqualsIgnoreCase) => StringValue::folded(&pieces),
                        (Some(pieces), StringOp::Like) => StringValue::like(&pieces),
                    })
                    .collect(),
            ),
            Family::Arn { .. } => Values::Arn(
                raw.iter()
                    .enumerate()
                    .map(|(i, t)| match templated(i, t, &mut issues) {
                        Some(pieces) => ArnValue::new(t, &pieces),
                        None => ArnValue::text(t),
                    })
                    .collect(),
            ),
            Family::Numeric(_) => {
                for (i, t) in raw.iter().enumerate() {
                    no_vars(i, t, &mut issues);
                    if Decimal::parse(t).is_none() && !crate::matcher::has_variable(t) {
                        issues.push(type_issue(
                            i,
                            t,
                            operator,
                            "TYPE_MISMATCH_NUMBER",
                            "a number such as `10` or `1.5`",
                        ));
                    }
                }
                Values::Numeric(raw.to_vec())
            }
            Family::Date(_) => {
                let mut out = Vec::new();
                for (i, t) in raw.iter().enumerate() {
                    no_vars(i, t, &mut issues);
                    match date::parse(t) {
                        Some(d) => out.push(d),
                        None if crate::matcher::has_variable(t) => {}
                        None => issues.push(type_issue(
                            i,
                            t,
                            operator,
                            "INVALID_DATE_VALUE",
                            "an ISO 8601 date such as `2025-01-31T12:00:00Z`, or epoch seconds",
                        )),
                    }
                }
                Values::Date(out)
            }
            Family::Bool => Values::Bool(
                raw.iter()
                    .enumerate()
                    .map(|(i, t)| {
                        if let Some(pieces) = templated(i, t, &mut issues)
                            .filter(|p| p.iter().any(|p| matches!(p, Piece::Var(_))))
                        {
                            return BoolValue::Template(pieces);
                        }
                        match parse_bool(t) {
                            Some(b) => BoolValue::Literal(b),
                            None => {
                                issues.push(type_issue(
                                    i,
                                    t,
                                    operator,
                                    "TYPE_MISMATCH_BOOLEAN",
                                    "`true` or `false`",
                                ));
                                BoolValue::Literal(false)
                            }
                        }
                    })
                    .collect(),
            ),
            Family::Binary => {
                let mut out = Vec::new();
                for (i, t) in raw.iter().enumerate() {
                    no_vars(i, t, &mut issues);
                    match decode_base64(t) {
                        Some(b) => out.push(b),
                        None => issues.push(type_issue(
                            i,
                            t,
                            operator,
                            "TYPE_MISMATCH_BINARY",
                            "base64 data",
                        )),
                    }
                }
                Values::Binary(out)
            }
            Family::IpAddress => {
                let mut out = Vec::new();
                for (i, t) in raw.iter().enumerate() {
                    no_vars(i, t, &mut issues);
                    match IpRange::parse(t) {
                        Some(r) => out.push(r),
                        None => issues.push(type_issue(
                            i,
                            t,
                            operator,
                            "TYPE_MISMATCH_IP_RANGE",
                            "an IPv4 or IPv6 address or CIDR range such as `203.0.113.0/24`",
                        )),
                    }
                }
                Values::Ip(out)
            }
            Family::Null => {
                let mut out = Vec::new();
                for (i, t) in raw.iter().enumerate() {
                    no_vars(i, t, &mut issues);
                    match parse_bool(t) {
                        Some(b) => out.push(b),
                        None => issues.push(type_issue(
                            i,
                            t,
                            operator,
                            "TYPE_MISMATCH_BOOLEAN",
                            "`true` (key absent) or `false` (key present)",
                        )),
                    }
                }
                Values::Null(out)
            }
        };
        if issues.is_empty() {
            Ok(values)
        } else {
            Err(issues)
        }
    }

    fn len(&self) -> usize {
        match self {
            Values::String(v) => v.len(),
            Values::Numeric(v) => v.len(),
            Values::Date(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Binary(v) => v.len(),
            Values::Ip(v) => v.len(),
            Values::Arn(v) => v.len(),
            Values::Null(v) => v.len(),
        }
    }

    /// Whether one request value matches any policy value (the positive
    /// operator). Unresolved variables match nothing (V-4).
    fn any_match(
        &self,
        family: Family,
        value: &str,
        vars: &dyn Resolve,
    ) -> Result<bool, ValueType> {
        match self {
            Values::String(vs) => Ok(vs.iter().any(|v| v.matches(value, vars) == Some(true))),
            Values::Arn(vs) => Ok(vs.iter().any(|v| v.matches(value, vars) == Some(true))),
            Values::Numeric(vs) => {
                let Family::Numeric(cmp) = family else {
                    return Ok(false);
                };
                let r = Decimal::parse(value).ok_or(ValueType::Number)?;
                Ok(vs
                    .iter()
                    .filter_map(|p| Decimal::parse(p))
                    .any(|p| cmp.holds(r.compare(&p))))
            }
            Values::Date(vs) => {
                let Family::Date(cmp) = family else {
                    return Ok(false);
                };
                let r = date::parse(value).ok_or(ValueType::Date)?;
                Ok(vs.iter().any(|p| cmp.holds(r.cmp(p))))
            }
            Values::Bool(vs) => {
                let r = parse_bool(value).ok_or(ValueType::Boolean)?;
                Ok(vs.iter().any(|v| match v {
                    BoolValue::Literal(b) => *b == r,
                    BoolValue::Template(pieces) => {
                        resolve_text(pieces, vars).and_then(|t| parse_bool(&t)) == Some(r)
                    }
                }))
            }
            Values::Binary(vs) => {
                let r = decode_base64(value).ok_or(ValueType::Base64)?;
                Ok(vs.contains(&r))
            }
            Values::Ip(vs) => {
                let ip: std::net::IpAddr = value.trim().parse().map_err(|_| ValueType::Ip)?;
                Ok(vs.iter().any(|r| r.contains(ip)))
            }
            Values::Null(_) => Ok(false),
        }
    }
}

fn type_issue(
    i: usize,
    text: &str,
    op: &Operator,
    code: &'static str,
    expected: &str,
) -> ValueIssue {
    ValueIssue {
        index: Some(i),
        code,
        message: format!("`{text}` is not valid for `{op}`: it can never match"),
        hint: Some(format!("expected {expected}")),
    }
}

/// `true`/`false`, case-insensitive (C-7).
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

fn resolve_text(pieces: &[Piece], vars: &dyn Resolve) -> Option<String> {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Literal(c) => out.push(*c),
            Piece::Var(v) => out.push_str(vars.resolve(v).or(v.default.as_deref())?),
        }
    }
    Some(out)
}

impl Condition {
    /// Whether the condition holds for the context (every block, C-2).
    pub fn evaluate(&self, ctx: &Context) -> Outcome {
        for block in &self.blocks {
            match block.evaluate(ctx) {
                Outcome::True => {}
                other => return other,
            }
        }
        Outcome::True
    }

    /// Whether there are no blocks.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Every key referenced, as written.
    pub fn keys(&self) -> impl Iterator<Item = &KeyCondition> {
        self.blocks.iter().flat_map(|b| b.keys.iter())
    }
}

impl Block {
    /// Whether every key of the block holds.
    pub fn evaluate(&self, ctx: &Context) -> Outcome {
        for key in &self.keys {
            match key.evaluate(&self.operator, ctx) {
                Outcome::True => {}
                other => return other,
            }
        }
        Outcome::True
    }
}

impl KeyCondition {
    /// Evaluates one key under an operator (C-2, C-3, C-11..C-13).
    pub fn evaluate(&self, op: &Operator, ctx: &Context) -> Outcome {
        self.evaluate_detailed(op, ctx).outcome
    }

    /// Evaluates and says why.
    pub fn evaluate_detailed(&self, op: &Operator, ctx: &Context) -> KeyResult {
        let present = ctx.present(&self.key_lower);
        let result = |outcome: Outcome, reason: KeyReason| KeyResult { outcome, reason };
        let bool_outcome = |b: bool| if b { Outcome::True } else { Outcome::False };
        if let Values::Null(vs) = &self.values {
            let absent = present.is_none();
            let holds = vs.contains(&absent);
            return result(
                bool_outcome(holds),
                if absent {
                    KeyReason::Missing
                } else {
                    KeyReason::Compared
                },
            );
        }
        if self.values.len() == 0 {
            return result(Outcome::False, KeyReason::EmptyValueList);
        }
        let Some(value) = present else {
            let holds = if op.if_exists {
                true
            } else {
                match op.set {
                    Some(SetQualifier::ForAnyValue) => false,
                    Some(SetQualifier::ForAllValues) => true,
                    None => op.negated,
                }
            };
            return result(bool_outcome(holds), KeyReason::Missing);
        };
        let base = |r: &str| -> Result<bool, ValueType> {
            self.values
                .any_match(op.family, r, ctx)
                .map(|m| m != op.negated)
        };
        match (op.set, value) {
            (None, ContextValue::Single(r)) => match base(r) {
                Ok(b) => result(bool_outcome(b), KeyReason::Compared),
                Err(t) => result(Outcome::Error, KeyReason::WrongType(t)),
            },
            (None, ContextValue::Multi(_)) => {
                result(Outcome::False, KeyReason::MultiValuedWithoutSetOperator)
            }
            (Some(set), v) => {
                let mut any = false;
                let mut all = true;
                for r in v.values() {
                    match base(r) {
                        Ok(true) => any = true,
                        Ok(false) => all = false,
                        Err(t) => return result(Outcome::Error, KeyReason::WrongType(t)),
                    }
                }
                let holds = match set {
                    SetQualifier::ForAnyValue => any,
                    SetQualifier::ForAllValues => all,
                };
                result(bool_outcome(holds), KeyReason::Compared)
            }
        }
    }
}

/// A key's outcome and the reason for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyResult {
    /// True, false or error.
    pub outcome: Outcome,
    /// Why.
    pub reason: KeyReason,
}

/// Why a key evaluated as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "expected")]
pub enum KeyReason {
    /// The request value was compared with the policy values.
    Compared,
    /// The key is not in the request context (C-3).
    Missing,
    /// A multi-valued request value under an operator without
    /// `ForAnyValue:`/`ForAllValues:` is false (C-13 decision).
    MultiValuedWithoutSetOperator,
    /// The key lists no values: it never matches (G-10 decision).
    EmptyValueList,
    /// The request value does not have the operator's type.
    WrongType(ValueType),
}

#[cfg(test)]
mod tests;
