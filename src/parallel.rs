//! Running independent work (policy compilation, per-principal questions)
//! on every core, answers in input order.

/// Applies `f` to every item on up to [`threads`] threads (contiguous
/// chunks, so each thread keeps its caches warm) and returns the answers
/// in the order of `items`. One thread for small inputs.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let n = threads().min(items.len() / 16).max(1);
    if n == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(n);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(mut part) => out.append(&mut part),
                // A panic in `f` is a bug; re-raise it where it belongs.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        out
    })
}

/// As [`map`], for items of very different cost (prover questions, the
/// rows of the account review): the threads take one item at a time, so
/// a few costly items do not leave the other cores idle behind one
/// contiguous chunk, and there are threads for as few as two items.
/// Answers in the order of `items`.
pub fn map_costly<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = threads().min(items.len()).max(1);
    if n == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            break;
                        };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(part) => part,
                // A panic in `f` is a bug; re-raise it where it belongs.
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.into_iter().flatten() {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(r);
        }
    }
    slots.into_iter().flatten().collect()
}

/// The number of threads: the cores available (at most 8), or
/// `S3GUARD_THREADS` when set (1 turns parallelism off).
pub fn threads() -> usize {
    std::env::var("S3GUARD_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
        .clamp(1, 8)
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_keep_the_input_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn costly_answers_keep_the_input_order() {
        for len in [0usize, 1, 2, 3, 17, 1000] {
            let items: Vec<usize> = (0..len).collect();
            // uneven cost: early items are slow
            let out = super::map_costly(&items, |x| {
                if *x < 2 {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                x * 3
            });
            assert_eq!(out, items.iter().map(|x| x * 3).collect::<Vec<_>>());
        }
    }
}
