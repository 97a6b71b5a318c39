//! Loads one document in a loop, for profiling the load path (`perf record`,
//! `perf stat -e instructions`, `valgrind --tool=callgrind`):
//!
//! `cargo run --release --example load_loop -- FILE [ITERATIONS] [policy|dump]`
//!
//! `policy` (the default) parses, validates, lowers and compiles FILE as an
//! identity policy, the `load` benchmark's measure; `dump` opens FILE as a
//! `get-account-authorization-details` dump and lowers every policy in it.
//! `phases` also times parse + validate + lower alone. Prints the mean
//! time per load.

/// The allocator of the `s3guard` binary (src/main.rs): the loop measures
/// the load the command line does.
#[cfg(feature = "cli")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use s3guard::sources::Source;
use s3guard::{Policy, PolicySet};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: load_loop FILE [ITERATIONS] [policy|dump]");
        std::process::exit(2);
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mode = args.next().unwrap_or_else(|| "policy".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let start = std::time::Instant::now();
    let mut kept = 0usize;
    for _ in 0..n {
        if mode == "open" {
            let source = Source::from_text(&path, &text).unwrap_or_else(|e| panic!("{e}"));
            kept += std::hint::black_box(&source) as *const _ as usize & 1;
        } else if mode == "dump" {
            let source = Source::from_text(&path, &text).unwrap_or_else(|e| panic!("{e}"));
            let dump = source.account_dump(false).unwrap_or_else(|e| panic!("{e}"));
            kept += std::hint::black_box(&dump) as *const _ as usize & 1;
        } else {
            let policy = Policy::parse(&path, &text).unwrap_or_else(|e| panic!("{e}"));
            let set = PolicySet::identity([policy]);
            kept += std::hint::black_box(&set) as *const _ as usize & 1;
        }
    }
    let el = start.elapsed();
    println!(
        "{path}: {n} loads, {:?} each ({kept})",
        el / n.max(1) as u32
    );
    if mode == "dump" {
        // the dump's phases: the source (read + JSON tree), then the documents
        let t = std::time::Instant::now();
        let mut sources = Vec::with_capacity(n);
        for _ in 0..n {
            sources.push(Source::from_text(&path, &text).unwrap_or_else(|e| panic!("{e}")));
        }
        let open = t.elapsed() / n.max(1) as u32;
        let t = std::time::Instant::now();
        let mut dumps = Vec::with_capacity(n);
        for s in &sources {
            dumps.push(s.account_dump(false).unwrap_or_else(|e| panic!("{e}")));
        }
        let lower = t.elapsed() / n.max(1) as u32;
        let t = std::time::Instant::now();
        drop(dumps);
        drop(sources);
        let free = t.elapsed() / n.max(1) as u32;
        println!("  of which open (JSON tree) {open:?}, documents {lower:?}, freeing {free:?}");
    }
    if mode == "phases" {
        // the phases, each timed on its own
        let t = std::time::Instant::now();
        for _ in 0..n {
            let policy = Policy::parse(&path, std::hint::black_box(&text));
            kept += std::hint::black_box(&policy).is_ok() as usize;
        }
        let lower = t.elapsed() / n.max(1) as u32;
        println!("  of which Policy::parse (parse + validate + lower) {lower:?} ({kept})");
    }
}
