//! Splitting a language into regions that a list of predicates cannot
//! tell apart (the non-empty cells of their Venn diagram), each with a
//! readable witness string.

use super::alphabet::{Alphabet, Sym, OTHER};
use super::automaton::{Dfa, TooLarge};
use super::lang::Lang;
use super::Limit;

/// One non-empty cell: its language, which predicates hold on it, and a witness.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    /// The strings of the cell.
    pub dfa: Dfa,
    /// For each predicate, whether the cell lies inside it.
    pub inside: Vec<bool>,
    /// A string of the cell.
    pub witness: String,
}

/// Splits `base` by every predicate. Identical predicates (as minimal
/// automata) are split by once. Fails past `max_regions` cells.
pub(crate) fn split(
    alpha: &Alphabet,
    base: Dfa,
    predicates: &[Dfa],
    nice: &[Dfa],
    max_regions: usize,
    what: &str,
) -> Result<Vec<Region>, Limit> {
    let mut cells: Vec<(Dfa, Vec<bool>)> = Vec::new();
    if !base.is_empty() {
        cells.push((base, Vec::new()));
    }
    for (i, p) in predicates.iter().enumerate() {
        if let Some(j) = predicates.iter().take(i).position(|q| q == p) {
            for (_, inside) in cells.iter_mut() {
                let same = inside.get(j).copied().unwrap_or(false);
                inside.push(same);
            }
            continue;
        }
        let mut next = Vec::with_capacity(cells.len());
        for (dfa, inside) in cells {
            let yes = dfa.intersect(p)?;
            let no = dfa.minus(p)?;
            if !yes.is_empty() {
                let mut v = inside.clone();
                v.push(true);
                next.push((yes, v));
            }
            if !no.is_empty() {
                let mut v = inside;
                v.push(false);
                next.push((no, v));
            }
        }
        if next.len() > max_regions {
            return Err(Limit(format!(
                "the patterns split the {what} into more than {max_regions} regions"
            )));
        }
        cells = next;
    }
    cells
        .into_iter()
        .map(|(dfa, inside)| {
            let witness = prettify(alpha, &dfa, witness(&dfa, nice)?);
            Ok(Region {
                dfa,
                inside,
                witness,
            })
        })
        .collect()
}

/// A shortest string of `dfa`, taken from the first `nice` language that
/// meets it.
pub(crate) fn witness(dfa: &Dfa, nice: &[Dfa]) -> Result<Vec<Sym>, TooLarge> {
    for n in nice {
        if let Some(w) = dfa.intersect(n)?.shortest() {
            return Ok(w);
        }
    }
    Ok(dfa.shortest().unwrap_or_default())
}

/// Decodes a witness, replacing each run of "any other character" by a
/// word when the automaton still accepts the result
/// (`arn:aws:s3:::example` reads better than `arn:aws:s3:::x`).
pub(crate) fn prettify(alpha: &Alphabet, dfa: &Dfa, w: Vec<Sym>) -> String {
    let mut cur: Vec<char> = w.iter().map(|s| alpha.char_of(*s)).collect();
    let mut i = 0;
    while i < cur.len() {
        if cur.get(i).map(|c| alpha.symbol(*c)) != Some(OTHER) {
            i += 1;
            continue;
        }
        let run = cur
            .iter()
            .skip(i)
            .take_while(|c| alpha.symbol(**c) == OTHER)
            .count();
        let mut candidate: Vec<char> = cur.iter().take(i).copied().collect();
        candidate.extend("example".chars());
        candidate.extend(cur.iter().skip(i + run).copied());
        let text: String = candidate.iter().collect();
        if dfa.accepts(&alpha.encode(&text)) {
            cur = candidate;
            i += "example".len();
        } else {
            i += run;
        }
    }
    cur.into_iter().collect()
}

/// Compiles languages over an alphabet.
pub(crate) fn compile_all(alpha: &Alphabet, langs: &[Lang]) -> Result<Vec<Dfa>, TooLarge> {
    langs.iter().map(|l| l.compile(alpha)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prove::lang::Lang;
    use crate::prove::shapes::nice_strings;

    #[test]
    fn splits_into_the_non_empty_cells_of_the_venn_diagram() {
        let langs = [Lang::prefix("a"), Lang::prefix("ab"), Lang::literal("b")];
        let mut cs = Vec::new();
        for l in &langs {
            l.chars(&mut cs);
        }
        let alpha = Alphabet::new(cs);
        let dfas = compile_all(&alpha, &langs).unwrap();
        let nice = compile_all(&alpha, &nice_strings()).unwrap();
        let regions = split(&alpha, Dfa::all(alpha.size()), &dfas, &nice, 10, "test").unwrap();
        let mut sigs: Vec<Vec<bool>> = regions.iter().map(|r| r.inside.clone()).collect();
        sigs.sort();
        // a-but-not-ab, ab, b, everything else; never "ab but not a", never "b and a"
        assert_eq!(
            sigs,
            vec![
                vec![false, false, false],
                vec![false, false, true],
                vec![true, false, false],
                vec![true, true, false],
            ]
        );
        for r in &regions {
            let syms = alpha.encode(&r.witness);
            assert!(r.dfa.accepts(&syms));
            for (d, inside) in dfas.iter().zip(&r.inside) {
                assert_eq!(d.accepts(&syms), *inside, "{}", r.witness);
            }
            assert!(!r.witness.is_empty(), "non-empty witnesses preferred");
        }
        assert!(split(&alpha, Dfa::all(alpha.size()), &dfas, &nice, 2, "test").is_err());
    }
}
