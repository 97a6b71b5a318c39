//! The values a condition key can take, as finitely many regions.
//!
//! Every condition of every statement on a key is one atom. The key's
//! single values are split into cells that no atom can tell apart: by
//! automata when its atoms compare text (`String…`, `Arn…`, `Bool`, C-4,
//! C-7, C-10), by interval ends when they compare numbers, dates,
//! addresses or bytes (C-5, C-6, C-8, C-9). The key's regions are then
//! "missing", one value per cell, or for multi-valued keys a set of cells
//! (C-13). Each atom's truth on each region is computed by the evaluator
//! itself, on a representative value, so the semantics of operators,
//! `…IfExists`, `Null` and set qualifiers are AWS's as s3guard implements
//! them (C-2, C-3, C-11..C-13).
//!
//! Where the cells cannot be computed exactly (a key compared both as text
//! and as a number, too many cells), the key gets one more region, an
//! unknown value under which every granting condition holds and no denying
//! condition does: sound for proofs, to be made concrete by trying values.

use std::collections::BTreeMap;

use super::alphabet::Alphabet;
use super::atoms::{prepare, Prepared};
use super::automaton::Dfa;
use super::bits::Bits;
use super::lang::{self, Lang, VarEnv};
use super::regions;
use super::shapes;
use super::values::{self, Candidates};
use super::Limit;
use crate::catalog::{self, KeyType, Presence};
use crate::condition::{Family, KeyCondition, Operator, Outcome};
use crate::policy::Effect;
use crate::request::context::{Context, ContextValue, Origin};

pub(crate) use super::atoms::AtomInput;

/// Most cells of one key before it becomes approximate.
const MAX_CELLS: usize = 120;
/// Most cells of a multi-valued key whose sets are enumerated exactly.
const MAX_SET_CELLS: usize = 7;

/// A value a key has in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyValue {
    /// Not in the request.
    Missing,
    /// One value.
    Single(String),
    /// A list (at least two entries, so it stays a list).
    Multi(Vec<String>),
    /// Some value s3guard could not pin down (approximate keys only).
    Unknown,
}

/// The regions of one key.
#[derive(Debug, Clone)]
pub(crate) struct KeySpace {
    /// The key as first written.
    pub key: String,
    /// Lower-cased.
    pub lower: String,
    /// One value per region ([`KeyValue::Unknown`] last when approximate).
    pub values: Vec<KeyValue>,
    /// Whether the query fixes the key.
    pub fixed: bool,
    /// Whether the regions are approximate.
    pub approximate: bool,
    /// Concrete values to try for [`KeyValue::Unknown`].
    pub candidates: Vec<String>,
    /// Whether the key always has a value (AWS sends it with every request).
    pub always_present: bool,
    /// Single-value cells: representative and the stripped atoms' outcomes.
    cells: Vec<(String, Vec<Outcome>)>,
    /// The atoms' operators without set qualifier or `IfExists`, and conditions.
    stripped: Vec<(Operator, KeyCondition)>,
    multi: bool,
}

impl KeySpace {
    /// The region whose single value behaves like `value`, if the key has one.
    pub(crate) fn region_of(&self, value: &str, env: &VarEnv) -> Option<usize> {
        if self.multi {
            return None;
        }
        let sig = signature(&self.stripped, &self.key, value, env);
        let cell = self.cells.iter().position(|(_, s)| *s == sig)?;
        let rep = self.cells.get(cell).map(|(r, _)| r.clone())?;
        self.values
            .iter()
            .position(|v| *v == KeyValue::Single(rep.clone()))
    }
}

/// The condition atoms of one statement on one key (all of them must hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Atom {
    /// Index into [`Conditions::keys`].
    pub key: usize,
    /// The regions where every condition of the statement on this key holds.
    pub holds: Bits,
}

/// Every key of a proof with its regions, and each statement's atoms.
#[derive(Debug, Clone, Default)]
pub(crate) struct Conditions {
    /// The keys.
    pub keys: Vec<KeySpace>,
    /// Per statement: one atom per key it conditions on.
    pub atoms: Vec<Vec<Atom>>,
}

/// Builds the regions of every key and the atoms of every statement.
pub(crate) fn build(
    inputs: &[AtomInput<'_>],
    statements: usize,
    env: &VarEnv,
) -> Result<Conditions, Limit> {
    let mut by_key: BTreeMap<String, Vec<Prepared>> = BTreeMap::new();
    for input in inputs {
        by_key
            .entry(input.key.key_lower.clone())
            .or_default()
            .push(prepare(input, env));
    }
    let mut out = Conditions {
        keys: Vec::new(),
        atoms: vec![Vec::new(); statements],
    };
    for (lower, atoms) in by_key {
        let space = key_space(&lower, &atoms, env)?;
        let index = out.keys.len();
        let mut merged: BTreeMap<usize, Bits> = BTreeMap::new();
        for a in &atoms {
            let mut holds = Bits::empty();
            for (r, v) in space.values.iter().enumerate() {
                let truth = match v {
                    KeyValue::Unknown => a.effect == Effect::Allow,
                    v => {
                        let ctx = context_with(env, &space.key, v);
                        a.condition.evaluate(&a.operator, &ctx) == Outcome::True
                    }
                };
                if truth {
                    holds.insert(r);
                }
            }
            let slot = merged
                .entry(a.stmt)
                .or_insert_with(|| Bits::full(space.values.len()));
            *slot = slot.and(holds);
        }
        for (stmt, holds) in merged {
            if let Some(list) = out.atoms.get_mut(stmt) {
                list.push(Atom { key: index, holds });
            }
        }
        out.keys.push(space);
    }
    Ok(out)
}

/// The fixed context plus one key's value.
pub(crate) fn context_with(env: &VarEnv, key: &str, value: &KeyValue) -> Context {
    let mut ctx = env.fixed.clone();
    match value {
        KeyValue::Missing | KeyValue::Unknown => ctx.remove(key),
        KeyValue::Single(s) => ctx.insert(key, ContextValue::Single(s.clone()), Origin::Given),
        KeyValue::Multi(v) => ctx.insert(key, ContextValue::Multi(v.clone()), Origin::Given),
    }
    ctx
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Text,
    Number,
    Date,
    Address,
    Bytes,
}

fn kind_of(family: Family) -> Option<Kind> {
    Some(match family {
        Family::String(_) | Family::Arn { .. } | Family::Bool => Kind::Text,
        Family::Numeric(_) => Kind::Number,
        Family::Date(_) => Kind::Date,
        Family::IpAddress => Kind::Address,
        Family::Binary => Kind::Bytes,
        Family::Null => return None,
    })
}

fn kind_of_type(t: KeyType) -> Kind {
    match t {
        KeyType::String
        | KeyType::ArrayOfString
        | KeyType::Arn
        | KeyType::ArrayOfArn
        | KeyType::Bool => Kind::Text,
        KeyType::Numeric => Kind::Number,
        KeyType::Date => Kind::Date,
        KeyType::IpAddress => Kind::Address,
        KeyType::Binary => Kind::Bytes,
    }
}

/// A value of a key with nothing else to go by.
fn plain_value(t: Option<KeyType>) -> &'static str {
    match t {
        Some(KeyType::Bool) => "true",
        Some(KeyType::Numeric) => "1",
        Some(KeyType::Date) => "2025-01-01T00:00:00Z",
        Some(KeyType::IpAddress) => "203.0.113.7",
        Some(KeyType::Arn | KeyType::ArrayOfArn) => "arn:aws:s3:::example",
        Some(KeyType::Binary) => "AA==",
        _ => "x",
    }
}

/// The realistic single values of a key of this type (its automaton base).
fn typed_base(t: Option<KeyType>) -> Lang {
    match t {
        Some(KeyType::Bool) => Lang::Or(vec![
            lang::ascii_any_case("true"),
            lang::ascii_any_case("false"),
        ]),
        Some(KeyType::Arn | KeyType::ArrayOfArn) => lang::arn_valid(),
        _ => Lang::All,
    }
}

/// Outcomes of the atoms with set qualifiers and `IfExists` removed, on one
/// single value: what every element of a list contributes.
fn signature(
    stripped: &[(Operator, KeyCondition)],
    key: &str,
    value: &str,
    env: &VarEnv,
) -> Vec<Outcome> {
    let ctx = context_with(env, key, &KeyValue::Single(value.to_string()));
    stripped
        .iter()
        .map(|(op, kc)| kc.evaluate(op, &ctx))
        .collect()
}

fn key_space(lower: &str, atoms: &[Prepared], env: &VarEnv) -> Result<KeySpace, Limit> {
    let key = atoms
        .first()
        .map(|a| a.condition.key.clone())
        .unwrap_or_else(|| lower.to_string());
    let info = catalog::condition_key(lower);
    let key_type = info.map(|i| i.key_type);
    let stripped: Vec<(Operator, KeyCondition)> = atoms
        .iter()
        .map(|a| {
            (
                Operator {
                    set: None,
                    if_exists: false,
                    ..a.operator
                },
                a.condition.clone(),
            )
        })
        .collect();
    let multi = catalog::is_multivalued(lower)
        || (info.is_none() && atoms.iter().any(|a| a.operator.set.is_some()));
    let always_present = info.is_some_and(|i| i.presence == Some(Presence::Always));
    if let Some(entry) = env.fixed.get_lower(lower) {
        let value = match &entry.value {
            ContextValue::Single(s) => KeyValue::Single(s.clone()),
            ContextValue::Multi(v) if v.is_empty() => KeyValue::Missing,
            ContextValue::Multi(v) => KeyValue::Multi(v.clone()),
        };
        return Ok(fixed_space(key, lower, value, stripped, multi));
    }
    if env.absent.contains(lower) {
        return Ok(fixed_space(key, lower, KeyValue::Missing, stripped, multi));
    }
    let kinds: std::collections::BTreeSet<Kind> = atoms
        .iter()
        .filter_map(|a| kind_of(a.operator.family))
        .collect();
    let type_kind = key_type.map(kind_of_type);
    let mut exact = true;
    let mut candidates: Vec<String> = Vec::new();
    let add = |c: Candidates, exact: &mut bool, candidates: &mut Vec<String>| {
        *exact &= c.exact;
        candidates.extend(c.values);
    };
    if kinds.len() > 1 {
        exact = false;
    }
    for kind in &kinds {
        match kind {
            Kind::Text => {
                if type_kind.is_some_and(|t| t != Kind::Text) {
                    exact = false;
                }
                match text_cells(atoms, key_type) {
                    Ok(c) => add(c, &mut exact, &mut candidates),
                    Err(_) => {
                        // too large to split exactly: candidate values, unless
                        // the proof is out of time altogether
                        super::budget::expired().map_err(Limit::from)?;
                        exact = false;
                        candidates
                            .extend(atoms.iter().flat_map(|a| a.condition.raw_values.clone()));
                    }
                }
            }
            Kind::Number => {
                let ns: Vec<String> = atoms
                    .iter()
                    .flat_map(|a| a.semantic.numbers.clone())
                    .collect();
                add(values::numeric(&ns), &mut exact, &mut candidates);
                if !matches!(type_kind, Some(Kind::Number | Kind::Date)) {
                    candidates.push("x".into());
                }
            }
            Kind::Date => {
                let ds: Vec<_> = atoms
                    .iter()
                    .flat_map(|a| a.semantic.dates.clone())
                    .collect();
                add(values::dates(&ds), &mut exact, &mut candidates);
                if type_kind != Some(Kind::Date) {
                    candidates.push("x".into());
                }
            }
            Kind::Address => {
                let rs: Vec<_> = atoms
                    .iter()
                    .flat_map(|a| a.semantic.ranges.clone())
                    .collect();
                add(values::addresses(&rs), &mut exact, &mut candidates);
                if type_kind != Some(Kind::Address) {
                    candidates.push("x".into());
                }
            }
            Kind::Bytes => {
                let bs: Vec<_> = atoms
                    .iter()
                    .flat_map(|a| a.semantic.bytes.clone())
                    .collect();
                add(values::binaries(&bs), &mut exact, &mut candidates);
                if type_kind != Some(Kind::Bytes) {
                    candidates.push("!".into());
                }
            }
        }
    }
    if kinds.is_empty() {
        candidates.push(plain_value(key_type).to_string());
    }
    // cells: candidates that some atom tells apart
    let mut cells: Vec<(String, Vec<Outcome>)> = Vec::new();
    for c in &candidates {
        let sig = signature(&stripped, &key, c, env);
        if !cells.iter().any(|(_, s)| *s == sig) {
            cells.push((c.clone(), sig));
        }
    }
    if cells.len() > MAX_CELLS {
        cells.truncate(MAX_CELLS);
        exact = false;
    }
    let mut values: Vec<KeyValue> = Vec::new();
    if !always_present {
        values.push(KeyValue::Missing);
    }
    if multi {
        let n = cells.len();
        let subsets: Vec<Vec<usize>> = if n <= MAX_SET_CELLS {
            (1u32..(1u32 << n))
                .map(|m| (0..n).filter(|i| m >> i & 1 == 1).collect())
                .collect()
        } else {
            exact = false;
            let mut s: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
            s.push((0..n).collect());
            s
        };
        for set in subsets {
            let mut list: Vec<String> = set
                .iter()
                .filter_map(|i| cells.get(*i).map(|(r, _)| r.clone()))
                .collect();
            if list.len() == 1 {
                // a one-element list of a key that is not multi-valued would
                // become a single value: repeat it (same sets, C-13)
                if let Some(only) = list.first().cloned() {
                    list.push(only);
                }
            }
            values.push(KeyValue::Multi(list));
        }
        if info.is_none() {
            values.extend(cells.iter().map(|(r, _)| KeyValue::Single(r.clone())));
        }
    } else {
        values.extend(cells.iter().map(|(r, _)| KeyValue::Single(r.clone())));
    }
    if values.len() >= Bits::CAPACITY {
        values.truncate(Bits::CAPACITY - 1);
        exact = false;
    }
    if !exact {
        values.push(KeyValue::Unknown);
    }
    Ok(KeySpace {
        key,
        lower: lower.to_string(),
        values,
        fixed: false,
        approximate: !exact,
        candidates,
        always_present,
        cells,
        stripped,
        multi,
    })
}

fn fixed_space(
    key: String,
    lower: &str,
    value: KeyValue,
    stripped: Vec<(Operator, KeyCondition)>,
    multi: bool,
) -> KeySpace {
    KeySpace {
        key,
        lower: lower.to_string(),
        values: vec![value],
        fixed: true,
        approximate: false,
        candidates: Vec::new(),
        always_present: false,
        cells: Vec::new(),
        stripped,
        multi,
    }
}

/// Representatives of every cell of a text-compared key, by automata.
fn text_cells(atoms: &[Prepared], key_type: Option<KeyType>) -> Result<Candidates, Limit> {
    let base = typed_base(key_type);
    // one predicate per atom: the union of its values' languages
    let preds: Vec<Lang> = atoms
        .iter()
        .filter(|a| kind_of(a.operator.family) == Some(Kind::Text))
        .map(|a| Lang::Or(a.langs.clone()))
        .collect();
    let mut validity = Vec::new();
    if atoms.iter().any(|a| a.operator.family == Family::Bool) {
        validity.push(Lang::Or(vec![
            lang::ascii_any_case("true"),
            lang::ascii_any_case("false"),
        ]));
    }
    let all: Vec<&Lang> = preds.iter().chain(&validity).chain([&base]).collect();
    let mut chars = Vec::new();
    let mut folded = Vec::new();
    for l in &all {
        l.chars(&mut chars);
        l.folded_texts(&mut folded);
    }
    if !folded.is_empty() {
        chars.extend(lang::folding_chars(&folded));
    }
    let alpha = Alphabet::new(chars);
    let base_dfa = base.compile(&alpha)?;
    let mut dfas: Vec<Dfa> = Vec::new();
    for l in preds.iter().chain(&validity) {
        dfas.push(l.compile(&alpha)?);
    }
    let nice = regions::compile_all(&alpha, &shapes::nice_strings())?;
    let cells = regions::split(&alpha, base_dfa, &dfas, &nice, MAX_CELLS, "values of a key")?;
    // the policy's own values read best where they fit
    let mut preferred: Vec<String> = atoms
        .iter()
        .flat_map(|a| a.condition.raw_values.iter().cloned())
        .filter(|v| !v.contains(['*', '?']) && !crate::matcher::has_variable(v))
        .collect();
    preferred.extend(["true", "false", plain_value(key_type)].map(String::from));
    let values = cells
        .into_iter()
        .map(|c| {
            preferred
                .iter()
                .find(|p| c.dfa.accepts(&alpha.encode(p)))
                .cloned()
                .unwrap_or(c.witness)
        })
        .collect();
    Ok(Candidates {
        values,
        exact: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    fn conditions(policy: &str, env: &VarEnv) -> (Conditions, Vec<Effect>) {
        let p = Policy::parse("p.json", policy).unwrap();
        let mut inputs = Vec::new();
        let mut effects = Vec::new();
        for (i, s) in p.statements.iter().enumerate() {
            effects.push(s.effect);
            for b in &s.condition.blocks {
                for k in &b.keys {
                    inputs.push(AtomInput {
                        stmt: i,
                        effect: s.effect,
                        operator: b.operator,
                        key: k,
                        variables: true,
                    });
                }
            }
        }
        (build(&inputs, p.statements.len(), env).unwrap(), effects)
    }

    fn holding_values(c: &Conditions, stmt: usize) -> Vec<KeyValue> {
        let atom = c.atoms[stmt][0];
        let key = &c.keys[atom.key];
        atom.holds.iter().map(|i| key.values[i].clone()).collect()
    }

    #[test]
    fn string_regions_are_exact_spec_c3_c4() {
        let (c, _) = conditions(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}},
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}}]}"#,
            &VarEnv::default(),
        );
        assert_eq!(c.keys.len(), 1);
        let k = &c.keys[0];
        assert!(!k.approximate);
        // missing, vpce-1, vpce-2, something else
        assert_eq!(k.values.len(), 4);
        assert_eq!(
            holding_values(&c, 0),
            vec![KeyValue::Single("vpce-1".into())]
        );
        // the deny holds when missing (C-3) and for any other value
        let deny = holding_values(&c, 1);
        assert!(deny.contains(&KeyValue::Missing));
        assert_eq!(deny.len(), 2);
    }

    #[test]
    fn typed_keys_take_values_of_their_type_spec_c5_c7() {
        let (c, _) = conditions(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"}}}]}"#,
            &VarEnv::default(),
        );
        let st = c
            .keys
            .iter()
            .find(|k| k.lower == "aws:securetransport")
            .unwrap();
        // always present: "true" and "false" only
        assert_eq!(st.values.len(), 2, "{:?}", st.values);
        let mk = c.keys.iter().find(|k| k.lower == "s3:max-keys").unwrap();
        assert!(!mk.approximate);
        // at most 10 / more than 10 / missing: every outcome has a region
        let holds = holding_values(&c, 1);
        assert_eq!(holds.len(), 1);
        assert_eq!(mk.values.len(), 3, "{:?}", mk.values);
    }

    #[test]
    fn free_variables_are_approximated_by_effect_spec_v4() {
        let (c, _) = conditions(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}},
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}"#,
            &VarEnv::default(),
        );
        // the grant may hold for home/x/y; the deny is certain for no value
        assert!(holding_values(&c, 0)
            .iter()
            .any(|v| matches!(v, KeyValue::Single(s) if s.starts_with("home/"))));
        assert!(holding_values(&c, 1).is_empty());
        // with the user fixed, both are exact and agree
        let mut env = VarEnv::default();
        env.fixed.set("aws:username", "alice", Origin::Given);
        let (c, _) = conditions(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}},
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}}]}"#,
            &env,
        );
        assert_eq!(holding_values(&c, 0), holding_values(&c, 1));
        assert!(!holding_values(&c, 0).is_empty());
    }

    #[test]
    fn multi_valued_keys_range_over_sets_spec_c13() {
        let (c, _) = conditions(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}]}"#,
            &VarEnv::default(),
        );
        let holds = holding_values(&c, 0);
        // vacuously true when missing; true for subsets of {a, b}; false with another key
        assert!(holds.contains(&KeyValue::Missing));
        assert!(holds
            .iter()
            .any(|v| matches!(v, KeyValue::Multi(l) if l.contains(&"a".to_string()))));
        let k = &c.keys[0];
        assert!(k
            .values
            .iter()
            .any(|v| matches!(v, KeyValue::Multi(_)) && !holds.contains(v)));
    }

    #[test]
    fn mixed_comparisons_make_a_key_approximate() {
        let (c, _) = conditions(
            r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":"1*"},"NumericGreaterThan":{"s3:prefix":"100"}}}]}"#,
            &VarEnv::default(),
        );
        let k = &c.keys[0];
        assert!(k.approximate);
        assert_eq!(k.values.last(), Some(&KeyValue::Unknown));
        // under the unknown value, a deny is never certain
        assert!(!c.atoms[0][0].holds.contains(k.values.len() - 1));
    }
}
