//! The conditions of statements as atoms: one key, one operator, its
//! values, and the languages of those values (spec C-1..C-13). Values that
//! hold a policy variable on a key the query leaves free are replaced by
//! their approximation (V-4): for a grant, a value matching whatever the
//! variable could be; for a Deny, a value matching nothing certain.

use super::lang::{self, Approx, Lang, VarEnv, VarValue};
use crate::condition::{ArnValue, BoolValue, KeyCondition, Operator, StringValue, Values};
use crate::matcher::{Piece, ResourcePattern, Variable};
use crate::policy::Effect;

/// A key that no request carries: a variable on it never resolves.
const UNRESOLVABLE: &str = "s3guard:prove-unknown-value";

/// One condition of one statement, as given to [`build`].
pub(crate) struct AtomInput<'a> {
    /// Index of the statement (in the proof's statement list).
    pub stmt: usize,
    /// The statement's effect (decides the approximation of free variables).
    pub effect: Effect,
    /// The operator of the block.
    pub operator: Operator,
    /// The key and its values.
    pub key: &'a KeyCondition,
    /// Whether `${…}` are variables in this policy (G-2).
    pub variables: bool,
}

/// An atom as prepared: what to evaluate, and the languages of its values.
pub(crate) struct Prepared {
    pub(crate) stmt: usize,
    pub(crate) effect: Effect,
    pub(crate) operator: Operator,
    pub(crate) condition: KeyCondition,
    pub(crate) langs: Vec<Lang>,
    pub(crate) semantic: Semantic,
}

#[derive(Default)]
pub(crate) struct Semantic {
    pub(crate) numbers: Vec<String>,
    pub(crate) dates: Vec<crate::condition::date::Instant>,
    pub(crate) ranges: Vec<crate::condition::IpRange>,
    pub(crate) bytes: Vec<Vec<u8>>,
}

fn approx_for(effect: Effect, negated: bool) -> Approx {
    match (effect, negated) {
        (Effect::Allow, false) | (Effect::Deny, true) => Approx::Upper,
        (Effect::Allow, true) | (Effect::Deny, false) => Approx::Lower,
    }
}

fn unresolvable() -> Piece {
    Piece::Var(Variable {
        key: UNRESOLVABLE.into(),
        key_lower: UNRESOLVABLE.into(),
        default: None,
    })
}

/// Resolves a template's text when every variable is fixed.
fn resolved(pieces: &[Piece], env: &VarEnv) -> Result<Option<String>, ()> {
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Literal(c) => out.push(*c),
            Piece::Var(v) => match env.value(v) {
                VarValue::Text(s) => out.push_str(&s),
                VarValue::Unresolved => return Ok(None),
                VarValue::Free => return Err(()),
            },
        }
    }
    Ok(Some(out))
}

/// The language of one `String…`/`Arn…`/`Bool` value and, when it holds a
/// free variable, the value that stands for its approximation.
pub(crate) fn prepare(input: &AtomInput<'_>, env: &VarEnv) -> Prepared {
    let approx = approx_for(input.effect, input.operator.negated);
    let kc = input.key;
    let mut langs = Vec::new();
    let mut semantic = Semantic::default();
    let values = match &kc.values {
        Values::String(vs) => {
            let mut out = Vec::new();
            for (v, raw) in vs.iter().zip(&kc.raw_values) {
                let (lang, synth) = string_value(v, raw, input.variables, env, approx);
                langs.push(lang);
                out.push(synth.unwrap_or_else(|| v.clone()));
            }
            Values::String(out)
        }
        Values::Arn(vs) => {
            let mut out = Vec::new();
            for v in vs {
                let (lang, synth) = match v {
                    ArnValue::Static(p) => {
                        (lang::resource_pattern(p.as_str(), false, env, approx), None)
                    }
                    ArnValue::Template(pieces) => {
                        let l = lang::arn_template(pieces, env, approx);
                        let synth = lang::has_free_variable(pieces, env).then(|| match approx {
                            Approx::Upper => {
                                ArnValue::Static(Box::new(ResourcePattern::new("*", None)))
                            }
                            Approx::Lower => ArnValue::Template(vec![unresolvable()]),
                        });
                        (l, synth)
                    }
                };
                langs.push(lang);
                out.push(synth.unwrap_or_else(|| v.clone()));
            }
            Values::Arn(out)
        }
        Values::Bool(vs) => {
            let mut out = Vec::new();
            for v in vs {
                match v {
                    BoolValue::Literal(b) => {
                        langs.push(lang::ascii_any_case(if *b { "true" } else { "false" }));
                        out.push(v.clone());
                    }
                    BoolValue::Template(pieces) => match resolved(pieces, env) {
                        Ok(text) => {
                            langs.push(
                                match text.as_deref().and_then(crate::condition::parse_bool) {
                                    Some(b) => {
                                        lang::ascii_any_case(if b { "true" } else { "false" })
                                    }
                                    None => Lang::Empty,
                                },
                            );
                            out.push(v.clone());
                        }
                        Err(()) => match approx {
                            Approx::Upper => {
                                langs.push(lang::ascii_any_case("true"));
                                langs.push(lang::ascii_any_case("false"));
                                out.push(BoolValue::Literal(true));
                                out.push(BoolValue::Literal(false));
                            }
                            Approx::Lower => {
                                langs.push(Lang::Empty);
                                out.push(BoolValue::Template(vec![unresolvable()]));
                            }
                        },
                    },
                }
            }
            Values::Bool(out)
        }
        Values::Numeric(vs) => {
            semantic.numbers = vs.clone();
            kc.values.clone()
        }
        Values::Date(vs) => {
            semantic.dates = vs.clone();
            kc.values.clone()
        }
        Values::Ip(vs) => {
            semantic.ranges = vs.clone();
            kc.values.clone()
        }
        Values::Binary(vs) => {
            semantic.bytes = vs.clone();
            kc.values.clone()
        }
        Values::Null(_) => kc.values.clone(),
    };
    Prepared {
        stmt: input.stmt,
        effect: input.effect,
        operator: input.operator,
        condition: KeyCondition {
            key: kc.key.clone(),
            key_lower: kc.key_lower.clone(),
            raw_values: kc.raw_values.clone(),
            values,
        },
        langs,
        semantic,
    }
}

/// Language and (for free variables) replacement of a `String…` value.
fn string_value(
    v: &StringValue,
    raw: &str,
    variables: bool,
    env: &VarEnv,
    approx: Approx,
) -> (Lang, Option<StringValue>) {
    let seq_or_empty =
        |t: Option<Vec<super::automaton::Tok>>| t.map(Lang::seq).unwrap_or(Lang::Empty);
    match v {
        StringValue::Exact(_) | StringValue::Like(_) => {
            let like = matches!(v, StringValue::Like(_));
            let pieces = lang::pieces_of(raw, variables);
            let l = seq_or_empty(lang::template(
                &pieces,
                like,
                &super::automaton::Class::Any,
                env,
                approx,
            ));
            if !lang::has_free_variable(&pieces, env) {
                return (l, None);
            }
            let synth = match approx {
                Approx::Lower => StringValue::like(&[unresolvable()]),
                Approx::Upper => {
                    let mut out = Vec::new();
                    for p in &pieces {
                        match p {
                            Piece::Text(t) if like => out.push(Piece::Text(t.clone())),
                            Piece::Text(t) => out.extend(t.chars().map(Piece::Literal)),
                            Piece::Var(var) if env.value(var) == VarValue::Free => {
                                out.push(Piece::Text("*".into()))
                            }
                            other => out.push(other.clone()),
                        }
                    }
                    StringValue::like(&out)
                }
            };
            (l, Some(synth))
        }
        StringValue::Folded(lower) => (Lang::Folded(lower.clone()), None),
        StringValue::FoldedTemplate(pieces) => match resolved(pieces, env) {
            Ok(Some(text)) => (Lang::Folded(text.to_lowercase()), None),
            Ok(None) => (Lang::Empty, None),
            Err(()) => match approx {
                Approx::Upper => (
                    Lang::All,
                    Some(StringValue::like(&[Piece::Text("*".into())])),
                ),
                Approx::Lower => (Lang::Empty, Some(StringValue::like(&[unresolvable()]))),
            },
        },
    }
}
