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
}
