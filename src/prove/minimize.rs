//! Minimal automata: Hopcroft's partition refinement, with a canonical
//! numbering so that automata of equal languages compare equal.

use super::automaton::{Dfa, TooLarge};
use super::budget::{self, Reservation};

impl Dfa {
    /// The states reachable from the start, in breadth-first order.
    fn reachable(&self) -> Vec<usize> {
        let n = self.states();
        let mut order = vec![0usize];
        let mut seen = vec![false; n];
        if let Some(s) = seen.get_mut(0) {
            *s = true;
        }
        let mut i = 0;
        while let Some(&s) = order.get(i) {
            for sym in 0..self.k {
                let t = self.next(s, sym);
                if let Some(flag) = seen.get_mut(t) {
                    if !*flag {
                        *flag = true;
                        order.push(t);
                    }
                }
            }
            i += 1;
        }
        order
    }

    /// The minimal equivalent automaton (Hopcroft's partition refinement
    /// over the reachable states), numbered in breadth-first order from the
    /// start, so that equal languages give equal automata.
    /// Fails when its scratch tables would pass the proof's budget.
    pub(crate) fn minimize(&self) -> Result<Dfa, TooLarge> {
        let order = self.reachable();
        let n = order.len();
        let k = self.k;
        if n == 0 {
            return Ok(Dfa::none(k));
        }
        // predecessor tables (4 of k·n words) and per-state vectors (8)
        let mut scratch = Reservation::default();
        scratch.grow((4 * k * n + 8 * n) * std::mem::size_of::<usize>())?;
        // local numbering 0..n
        let mut local = vec![usize::MAX; self.states()];
        for (i, &s) in order.iter().enumerate() {
            if let Some(slot) = local.get_mut(s) {
                *slot = i;
            }
        }
        let next = |i: usize, sym: usize| -> usize {
            order
                .get(i)
                .map(|&s| self.next(s, sym))
                .and_then(|t| local.get(t).copied())
                .unwrap_or(0)
        };
        // predecessors per (symbol, state), in one flat array
        let mut count = vec![0usize; k * n + 1];
        for i in 0..n {
            for sym in 0..k {
                if let Some(c) = count.get_mut(sym * n + next(i, sym) + 1) {
                    *c += 1;
                }
            }
        }
        for j in 1..count.len() {
            let prev = count.get(j - 1).copied().unwrap_or(0);
            if let Some(c) = count.get_mut(j) {
                *c += prev;
            }
        }
        let offsets = count.clone();
        let mut fill = count;
        let mut preds = vec![0usize; k * n];
        for i in 0..n {
            for sym in 0..k {
                let slot = sym * n + next(i, sym);
                if let Some(pos) = fill.get_mut(slot) {
                    if let Some(p) = preds.get_mut(*pos) {
                        *p = i;
                    }
                    *pos += 1;
                }
            }
        }
        // refinable partition: elements grouped by block in `elems`
        let accepting = |i: usize| order.get(i).is_some_and(|&s| self.is_accepting(s));
        let mut elems: Vec<usize> = (0..n).filter(|&i| accepting(i)).collect();
        let split_at = elems.len();
        elems.extend((0..n).filter(|&i| !accepting(i)));
        let mut loc = vec![0usize; n];
        for (p, &e) in elems.iter().enumerate() {
            if let Some(l) = loc.get_mut(e) {
                *l = p;
            }
        }
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        let mut block_of = vec![0usize; n];
        for (start, end) in [(0, split_at), (split_at, n)] {
            if start < end {
                let b = blocks.len();
                blocks.push((start, end));
                for e in elems.get(start..end).unwrap_or_default() {
                    if let Some(x) = block_of.get_mut(*e) {
                        *x = b;
                    }
                }
            }
        }
        let mut marked = vec![0usize; blocks.len()];
        let mut in_work = vec![true; blocks.len()];
        let mut work: Vec<usize> = (0..blocks.len()).collect();
        let mut touched: Vec<usize> = Vec::new();
        while let Some(a) = work.pop() {
            budget::tick()?;
            if let Some(w) = in_work.get_mut(a) {
                *w = false;
            }
            let (s, e) = blocks.get(a).copied().unwrap_or((0, 0));
            let splitter: Vec<usize> = elems.get(s..e).unwrap_or_default().to_vec();
            for sym in 0..k {
                for &t in &splitter {
                    let from = offsets.get(sym * n + t).copied().unwrap_or(0);
                    let to = offsets.get(sym * n + t + 1).copied().unwrap_or(0);
                    for &p in preds.get(from..to).unwrap_or_default() {
                        let b = block_of.get(p).copied().unwrap_or(0);
                        let bs = blocks.get(b).map(|x| x.0).unwrap_or(0);
                        let m = marked.get(b).copied().unwrap_or(0);
                        let pos = loc.get(p).copied().unwrap_or(0);
                        if pos < bs + m {
                            continue; // already marked
                        }
                        if m == 0 {
                            touched.push(b);
                        }
                        // swap p to the end of the marked prefix
                        let target = bs + m;
                        let other = elems.get(target).copied().unwrap_or(p);
                        elems.swap(pos, target);
                        if let Some(l) = loc.get_mut(other) {
                            *l = pos;
                        }
                        if let Some(l) = loc.get_mut(p) {
                            *l = target;
                        }
                        if let Some(c) = marked.get_mut(b) {
                            *c += 1;
                        }
                    }
                }
                for b in touched.drain(..) {
                    let (bs, be) = blocks.get(b).copied().unwrap_or((0, 0));
                    let m = marked.get(b).copied().unwrap_or(0);
                    if let Some(c) = marked.get_mut(b) {
                        *c = 0;
                    }
                    if m == be - bs {
                        continue; // the whole block: no split
                    }
                    // the marked prefix becomes a new block
                    let nb = blocks.len();
                    blocks.push((bs, bs + m));
                    if let Some(old) = blocks.get_mut(b) {
                        *old = (bs + m, be);
                    }
                    marked.push(0);
                    for e in elems.get(bs..bs + m).unwrap_or_default() {
                        if let Some(x) = block_of.get_mut(*e) {
                            *x = nb;
                        }
                    }
                    let b_in = in_work.get(b).copied().unwrap_or(false);
                    in_work.push(false);
                    if b_in || m <= (be - bs) - m {
                        work.push(nb);
                        if let Some(w) = in_work.get_mut(nb) {
                            *w = true;
                        }
                    } else {
                        work.push(b);
                        if let Some(w) = in_work.get_mut(b) {
                            *w = true;
                        }
                    }
                }
            }
        }
        // number the blocks breadth-first from the start's block
        let mut id: Vec<u32> = vec![u32::MAX; blocks.len()];
        let mut reps: Vec<usize> = Vec::new();
        let start_block = block_of.first().copied().unwrap_or(0);
        if let Some(x) = id.get_mut(start_block) {
            *x = 0;
        }
        reps.push(0);
        let mut out = Dfa::empty_with(k);
        let mut i = 0;
        while let Some(&rep) = reps.get(i) {
            out.accept.push(accepting(rep));
            for sym in 0..k {
                let b = block_of.get(next(rep, sym)).copied().unwrap_or(0);
                let bid = match id.get(b).copied() {
                    Some(x) if x != u32::MAX => x,
                    _ => {
                        let x = u32::try_from(reps.len()).unwrap_or(0);
                        if let Some(slot) = id.get_mut(b) {
                            *slot = x;
                        }
                        let (bs, _) = blocks.get(b).copied().unwrap_or((0, 0));
                        reps.push(elems.get(bs).copied().unwrap_or(0));
                        x
                    }
                };
                out.trans.push(bid);
            }
            i += 1;
        }
        // no larger than `self`, whose tables were counted already
        budget::charge_unchecked(out.bytes());
        Ok(out)
    }
}
