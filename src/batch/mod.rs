//! Line-oriented batch work (`eval --requests`, `eval --cases`): lines are
//! read in chunks, handed to worker threads, and their output is written
//! back in input order. Memory stays constant: at most a fixed number of
//! chunks is in flight, whatever the input's length.

pub mod cases;
pub mod requests;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Lines per chunk handed to a worker.
const CHUNK_LINES: usize = 2048;
/// Bytes per chunk (a chunk ends early when it grows past this).
const CHUNK_BYTES: usize = 1 << 18;
/// Chunks in flight per worker (read, being worked on, or waiting to be written).
const IN_FLIGHT_PER_WORKER: usize = 4;

/// What the work on some lines produced: text to write, and counts.
#[derive(Debug, Default)]
pub struct Output<S> {
    /// Bytes for stdout, in line order.
    pub text: Vec<u8>,
    /// Counts (summed by the caller as chunks arrive).
    pub stats: S,
}

/// One input line: its 1-based number and its bytes without the newline
/// (a trailing `\r` is removed too).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number in the input.
    pub number: usize,
    /// The line's bytes.
    pub bytes: &'a [u8],
}

struct Chunk {
    seq: u64,
    first_line: usize,
    data: Vec<u8>,
}

/// The number of worker threads to use: the machine's parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `work` on every line of `input` with `threads` workers and hands
/// each chunk's output to `emit` in input order, on the calling thread.
/// Each worker has its own state, made by `init` (caches, buffers).
/// A read error stops the run and is returned (output of the lines before
/// it has been emitted).
pub fn for_each_line<S, T, I, W, E>(
    input: Box<dyn BufRead + Send>,
    threads: usize,
    init: I,
    work: W,
    mut emit: E,
) -> std::io::Result<()>
where
    S: Default + Send,
    I: Fn() -> T + Sync,
    W: Fn(&mut T, Line<'_>, &mut Output<S>) + Sync,
    E: FnMut(Output<S>),
{
    let threads = threads.max(1);
    let mut input = input;
    if threads == 1 {
        let mut first_line = 1;
        let mut state = init();
        while let Some((data, lines)) = read_chunk(&mut input)? {
            let mut out = Output::default();
            run_chunk(&mut state, &data, first_line, &work, &mut out);
            emit(out);
            first_line += lines;
        }
        return Ok(());
    }
    let slots = threads * IN_FLIGHT_PER_WORKER;
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(slots);
    let (done_tx, done_rx) = sync_channel::<(u64, Output<S>)>(slots);
    // Tokens bound the chunks in flight: the reader takes one per chunk,
    // the writer gives it back once the chunk is written.
    let (token_tx, token_rx) = sync_channel::<()>(slots);
    for _ in 0..slots {
        let _ = token_tx.send(());
    }
    let chunk_rx = Mutex::new(chunk_rx);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_all(&mut input, &chunk_tx, &token_rx));
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let chunk_rx = &chunk_rx;
            let (work, init) = (&work, &init);
            scope.spawn(move || worker(chunk_rx, &done_tx, init, work));
        }
        drop(done_tx);
        let mut pending: BTreeMap<u64, Output<S>> = BTreeMap::new();
        let mut next = 0u64;
        for (seq, out) in done_rx.iter() {
            pending.insert(seq, out);
            while let Some(out) = pending.remove(&next) {
                emit(out);
                next += 1;
                let _ = token_tx.send(());
            }
        }
        drop(token_tx);
        reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the reader thread failed")))
    })
}

fn read_all(
    input: &mut Box<dyn BufRead + Send>,
    chunks: &std::sync::mpsc::SyncSender<Chunk>,
    tokens: &Receiver<()>,
) -> std::io::Result<()> {
    let mut seq = 0u64;
    let mut first_line = 1usize;
    loop {
        if tokens.recv().is_err() {
            return Ok(());
        }
        let Some((data, lines)) = read_chunk(input)? else {
            return Ok(());
        };
        if chunks
            .send(Chunk {
                seq,
                first_line,
                data,
            })
            .is_err()
        {
            return Ok(());
        }
        seq += 1;
        first_line += lines;
    }
}

fn worker<S, T, I, W>(
    chunks: &Mutex<Receiver<Chunk>>,
    done: &std::sync::mpsc::SyncSender<(u64, Output<S>)>,
    init: &I,
    work: &W,
) where
    S: Default,
    I: Fn() -> T,
    W: Fn(&mut T, Line<'_>, &mut Output<S>),
{
    let mut state = init();
    loop {
        let next = match chunks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(chunk) = next else { return };
        let mut out = Output::default();
        run_chunk(&mut state, &chunk.data, chunk.first_line, work, &mut out);
        if done.send((chunk.seq, out)).is_err() {
            return;
        }
    }
}

/// Reads whole lines up to the chunk limits; `None` at end of input.
fn read_chunk(input: &mut Box<dyn BufRead + Send>) -> std::io::Result<Option<(Vec<u8>, usize)>> {
    let mut data = Vec::with_capacity(CHUNK_BYTES + 1024);
    let mut lines = 0;
    while lines < CHUNK_LINES && data.len() < CHUNK_BYTES {
        let n = input.read_until(b'\n', &mut data)?;
        if n == 0 {
            break;
        }
        lines += 1;
    }
    Ok(if lines == 0 {
        None
    } else {
        Some((data, lines))
    })
}

fn run_chunk<S, T, W>(state: &mut T, data: &[u8], first_line: usize, work: &W, out: &mut Output<S>)
where
    W: Fn(&mut T, Line<'_>, &mut Output<S>),
{
    let mut rest = data;
    let mut number = first_line;
    while !rest.is_empty() {
        let (line, tail) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
            ),
            None => (rest, &[][..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        work(
            state,
            Line {
                number,
                bytes: line,
            },
            out,
        );
        rest = tail;
        number += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, threads: usize) -> (String, usize) {
        let mut text = Vec::new();
        let mut count = 0usize;
        for_each_line(
            Box::new(std::io::Cursor::new(input.as_bytes().to_vec())),
            threads,
            || (),
            |_, line, out: &mut Output<usize>| {
                out.text
                    .extend_from_slice(format!("{}:", line.number).as_bytes());
                out.text.extend_from_slice(line.bytes);
                out.text.push(b'\n');
                out.stats += 1;
            },
            |out| {
                text.extend_from_slice(&out.text);
                count += out.stats;
            },
        )
        .unwrap();
        (String::from_utf8(text).unwrap(), count)
    }

    #[test]
    fn order_and_line_numbers_are_kept_across_threads() {
        let input: String = (0..10_000).map(|i| format!("l{i}\r\n")).collect();
        let (one, n1) = run(&input, 1);
        let (four, n4) = run(&input, 4);
        assert_eq!(n1, 10_000);
        assert_eq!(n4, 10_000);
        assert_eq!(one, four);
        assert!(one.starts_with("1:l0\n2:l1\n"));
        assert!(one.ends_with("10000:l9999\n"));
    }

    #[test]
    fn a_last_line_without_newline_and_empty_input() {
        assert_eq!(run("a\nb", 2), ("1:a\n2:b\n".to_string(), 2));
        assert_eq!(run("", 2), (String::new(), 0));
    }
}
