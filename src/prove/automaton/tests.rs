//! Unit tests of the parent module.

use super::*;
use crate::prove::alphabet::OTHER;

fn glob(p: &str) -> Vec<Tok> {
    p.chars()
        .map(|c| match c {
            '*' => Tok::Star(Class::Any),
            '?' => Tok::One(Class::Any),
            c => Tok::Lit(c),
        })
        .collect()
}

fn space(patterns: &[&str]) -> Alphabet {
    Alphabet::new(
        patterns
            .iter()
            .flat_map(|p| p.chars())
            .filter(|c| *c != '*' && *c != '?'),
    )
}

fn dfa(alpha: &Alphabet, p: &str) -> Dfa {
    Dfa::from_sequences(alpha, &[glob(p)]).unwrap()
}

#[test]
fn glob_languages_match_like_the_matcher() {
    let alpha = space(&["a*b", "*ab*", "a?c"]);
    for (p, text, want) in [
        ("a*b", "ab", true),
        ("a*b", "aXYb", true),
        ("a*b", "aba", false),
        ("*ab*", "xxabyy", true),
        ("*ab*", "ba", false),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
    ] {
        let d = dfa(&alpha, p);
        assert_eq!(d.accepts(&alpha.encode(text)), want, "{p} {text}");
        assert_eq!(crate::matcher::Glob::new(p).is_match(text), want);
    }
}

#[test]
fn intersection_emptiness_and_witnesses() {
    let alpha = space(&["prod/*", "*.log", "prod/tmp/*", "ab"]);
    let prod = dfa(&alpha, "prod/*");
    let logs = dfa(&alpha, "*.log");
    let both = prod.intersect(&logs).unwrap();
    let w = alpha.decode(&both.shortest().unwrap());
    assert_eq!(w, "prod/.log");
    assert!(prod.accepts(&alpha.encode(&w)) && logs.accepts(&alpha.encode(&w)));
    // difference: prod/* minus prod/tmp/* is not empty, witness avoids tmp/
    let tmp = dfa(&alpha, "prod/tmp/*");
    let rest = prod.minus(&tmp).unwrap();
    let w = alpha.decode(&rest.shortest().unwrap());
    assert!(w.starts_with("prod/") && !w.starts_with("prod/tmp/"), "{w}");
    // prod/tmp/* minus prod/* is empty: containment
    assert!(tmp.minus(&prod).unwrap().is_empty());
    // disjoint literals
    let a = dfa(&alpha, "prod/a.log");
    let b = dfa(&alpha, "prod/b.log");
    assert!(a.intersect(&b).unwrap().is_empty());
}

#[test]
fn containment_of_wildcard_patterns() {
    let alpha = space(&["a*", "ab*", "*b", "a?b"]);
    let contains = |outer: &str, inner: &str| {
        dfa(&alpha, inner)
            .minus(&dfa(&alpha, outer))
            .unwrap()
            .is_empty()
    };
    assert!(contains("a*", "ab*"));
    assert!(!contains("ab*", "a*"));
    assert!(contains("a*", "a?b"));
    assert!(contains("*b", "a?b"));
    assert!(!contains("a?b", "a*b"));
    assert!(contains("*", "a*"));
}

#[test]
fn witnesses_prefer_the_other_symbol() {
    let alpha = space(&["k/?*"]);
    let d = dfa(&alpha, "k/?*");
    let w = d.shortest().unwrap();
    assert_eq!(w.last(), Some(&OTHER));
    assert_eq!(alpha.decode(&w), "k/x");
}

#[test]
fn complement_and_classes() {
    let alpha = Alphabet::new([':', 'a']);
    let seg = Dfa::from_sequences(&alpha, &[vec![Tok::Star(Class::no_colon())]]).unwrap();
    assert!(seg.accepts(&alpha.encode("aaxa")));
    assert!(!seg.accepts(&alpha.encode("a:a")));
    let c = seg.complement();
    assert!(c.accepts(&alpha.encode("a:a")));
    assert!(Dfa::all(alpha.size())
        .minus(&Dfa::all(alpha.size()))
        .unwrap()
        .is_empty());
}

#[test]
fn folded_literals_spec_c4() {
    let alpha = Alphabet::new("abAB\u{212a}k".chars());
    let d = Nfa::folded(&alpha, "ab").determinize(alpha.size()).unwrap();
    for (t, want) in [("ab", true), ("AB", true), ("aB", true), ("abb", false)] {
        assert_eq!(d.accepts(&alpha.encode(t)), want, "{t}");
    }
    // the Kelvin sign lower-cases to `k`
    let k = Nfa::folded(&alpha, "k").determinize(alpha.size()).unwrap();
    assert!(k.accepts(&alpha.encode("\u{212a}")));
}

#[test]
fn minimization_keeps_the_language() {
    let alpha = space(&["*a*a*", "*aa*"]);
    let d = dfa(&alpha, "*a*a*");
    let m = d.minimize().unwrap();
    assert!(m.states() <= d.states());
    for t in ["", "a", "aa", "aba", "bab", "xaxa"] {
        assert_eq!(
            d.accepts(&alpha.encode(t)),
            m.accepts(&alpha.encode(t)),
            "{t}"
        );
    }
}

/// Naive reference: does `toks` match all of `text`?
fn naive(toks: &[Tok], text: &[char]) -> bool {
    let within = |cl: &Class, c: char| !cl.chars().contains(&c);
    match toks.split_first() {
        None => text.is_empty(),
        Some((Tok::Lit(c), rest)) => text.first() == Some(c) && naive(rest, &text[1..]),
        Some((Tok::One(cl), rest)) => {
            text.first().is_some_and(|c| within(cl, *c)) && naive(rest, &text[1..])
        }
        Some((Tok::Star(cl), rest)) => (0..=text.len())
            .take_while(|&i| i == 0 || within(cl, text[i - 1]))
            .any(|i| naive(rest, &text[i..])),
    }
}

fn all_strings(chars: &[char], max: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..max {
        last = last
            .iter()
            .flat_map(|s| chars.iter().map(move |c| format!("{s}{c}")))
            .collect();
        out.extend(last.iter().cloned());
    }
    out
}

/// Pruning absorbed positions (module docs) keeps every language: all
/// patterns of up to 5 tokens over `a`, `:`, `*`, `?` and the colon-free
/// classes, against a backtracking matcher, on every string of up to 5
/// characters; and unions of two patterns.
#[test]
fn absorbed_positions_keep_the_language() {
    let toks = [
        Tok::Lit('a'),
        Tok::Lit(':'),
        Tok::Star(Class::Any),
        Tok::One(Class::Any),
        Tok::Star(Class::no_colon()),
        Tok::One(Class::no_colon()),
    ];
    let alpha = Alphabet::new(['a', ':']);
    let texts = all_strings(&['a', ':', 'x'], 5);
    let mut patterns: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut last: Vec<Vec<Tok>> = vec![Vec::new()];
    for _ in 0..4 {
        last = last
            .iter()
            .flat_map(|p| {
                toks.iter().map(move |t| {
                    let mut q = p.clone();
                    q.push(t.clone());
                    q
                })
            })
            .collect();
        patterns.extend(last.iter().cloned());
    }
    for (i, p) in patterns.iter().enumerate() {
        let other = &patterns[(i * 7919) % patterns.len()];
        let single = Dfa::from_sequences(&alpha, std::slice::from_ref(p)).unwrap();
        let union = Dfa::from_sequences(&alpha, &[p.clone(), other.clone()]).unwrap();
        for t in &texts {
            let cs: Vec<char> = t.chars().collect();
            let want = naive(p, &cs);
            assert_eq!(single.accepts(&alpha.encode(t)), want, "{p:?} {t:?}");
            let either = want || naive(other, &cs);
            assert_eq!(
                union.accepts(&alpha.encode(t)),
                either,
                "{p:?}|{other:?} {t:?}"
            );
        }
    }
}

/// Issue 15: `*a*a…*ab` with 5,000 stars compiles to about as many
/// states as it has stars, each subset holding a few positions (it
/// held every passed `*`, quadratic memory, before pruning).
#[test]
fn star_patterns_compile_in_linear_size() {
    let text = format!("{}b", "*a".repeat(5_000));
    let alpha = space(&[&text]);
    let limits = budget::Limits {
        memory: 64 << 20,
        time: None,
    };
    let d = budget::within(&limits, || Dfa::from_sequences(&alpha, &[glob(&text)])).unwrap();
    assert!(d.states() <= 5_003, "{} states", d.states());
    let mut w = "a".repeat(5_000);
    w.push('b');
    assert!(d.accepts(&alpha.encode(&w)));
    assert!(!d.accepts(&alpha.encode(&w[1..])));
}

/// Issue 15: a long literal run after `*` still needs its partial
/// matches (quadratic subsets); the budget stops it instead of memory
/// running out.
#[test]
fn the_budget_stops_quadratic_constructions() {
    let text = format!("*{}b", "a".repeat(20_000));
    let alpha = space(&[&text]);
    let limits = budget::Limits {
        memory: 16 << 20,
        time: None,
    };
    let got = budget::within(&limits, || Dfa::from_sequences(&alpha, &[glob(&text)]));
    assert_eq!(got, Err(TooLarge::Memory(16 << 20)));
}
