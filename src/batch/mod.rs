//! Line-oriented batch work (`eval --requests`, `eval --cases`): lines are
//! read in chunks, each by the thread that works on it, and their output
//! is written back in input order by the calling thread (one of the
//! workers). Memory stays constant: at most a fixed number of
//! chunks is in flight, whatever the input's length, and a line is never
//! held past [`MAX_LINE_BYTES`]: a longer one is skipped up to its newline
//! while it is read (it reaches the worker as [`Line::too_long`]), so one
//! endless line (`/dev/zero`) costs no more memory than a short one.

pub mod case_scan;
pub mod cases;
pub mod requests;
pub mod s3_state;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Condvar, Mutex};

/// Bytes read for a chunk: it is cut after the last whole line in them
/// (a chunk is longer only when it holds one line longer than this).
const CHUNK_BYTES: usize = 1 << 18;
/// Largest buffer a chunk hands on to the next one (a chunk with a line
/// of megabytes gives its memory back instead).
const RECYCLED_BYTES: usize = 4 * CHUNK_BYTES;
/// Chunks in flight per worker (read, being worked on, or waiting to be written).
const IN_FLIGHT_PER_WORKER: usize = 4;
/// Most worker threads (`--threads` is checked against it; more gain
/// nothing and cost a stack each).
pub const MAX_THREADS: usize = 256;
/// Longest line kept (a case line carries its policies; the 16 MiB input cap).
pub const MAX_LINE_BYTES: usize = crate::json::MAX_INPUT_BYTES;

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
    /// The line's bytes (empty when it is [`too_long`](Line::too_long)).
    pub bytes: &'a [u8],
    /// The line was longer than [`MAX_LINE_BYTES`]: it was skipped unread.
    pub too_long: bool,
    /// The line as text, when its chunk was found to be UTF-8 as a whole
    /// (one check per chunk instead of one per line); `None` otherwise.
    pub text: Option<&'a str>,
}

/// Lines read for one worker: their bytes, each ending in `\n`, and the
/// indexes (from 0) of the lines skipped as too long.
struct Chunk {
    seq: u64,
    first_line: usize,
    data: Vec<u8>,
    too_long: Vec<usize>,
}

/// The number of worker threads to use: the machine's parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `work` on every line of `input` with `threads` workers (the
/// calling thread and `threads - 1` more) and hands each chunk's output to
/// `emit` in input order, on the calling thread. Each worker has its own
/// state, made by `init` (caches, buffers).
/// When `emit` returns `false` (its output is gone: a closed pipe, a full
/// disk) the run stops promptly: no more input is read. A read error stops
/// the run and is returned (output of the lines before it has been emitted).
pub fn for_each_line<S, T, I, W, E>(
    input: Box<dyn std::io::Read + Send>,
    threads: usize,
    init: I,
    work: W,
    mut emit: E,
) -> std::io::Result<()>
where
    S: Default + Send,
    I: Fn() -> T + Sync,
    W: Fn(&mut T, Line<'_>, &mut Output<S>) + Sync,
    E: FnMut(Output<S>) -> bool,
{
    let threads = threads.clamp(1, MAX_THREADS);
    let mut input = Input::new(input);
    if threads > 1 {
        return in_threads(&mut input, threads, &init, &work, &mut emit);
    }
    let mut first_line = 1;
    let mut state = init();
    let mut data = Vec::new();
    while let Some((chunk, lines)) = input.read_chunk(MAX_LINE_BYTES, data)? {
        let mut out = Output::default();
        out.text.reserve(chunk.data.len().saturating_mul(4));
        run_chunk(&mut state, &chunk, first_line, &work, &mut out);
        if !emit(out) {
            return Ok(());
        }
        first_line += lines;
        data = chunk.data;
    }
    Ok(())
}

/// The input as the threads of a run share it: a thread that needs a
/// chunk reads it itself, under the lock, so the lines arrive in the
/// cache of the core that works on them (a reader thread's chunks were
/// pulled from the other core's cache, line after line).
struct Source<'i> {
    input: &'i mut Input,
    /// Number and first line of the next chunk.
    seq: u64,
    first_line: usize,
    /// Chunks read and not yet written: at most [`Shared::slots`], so the
    /// output waiting for a slow chunk stays bounded.
    in_flight: usize,
    /// Workers waiting for a slot, or for the start.
    waiting: usize,
    /// Every worker is started: until then none reads (or allocates), so
    /// a system that can start only some threads (an address space limit)
    /// refuses the next thread's stack, not a started thread's signal
    /// stack (which aborts the process).
    started: bool,
    /// No chunk is read any more: the input ended, failed (`error`), or
    /// the output is gone.
    finished: bool,
    error: Option<std::io::Error>,
}

/// What the threads of a run share: the input and the slots.
struct Shared<'i> {
    source: Mutex<Source<'i>>,
    /// Signalled when slots are freed and when the run finishes.
    room: Condvar,
    slots: usize,
}

/// What [`Shared::next`] gives.
enum Next {
    /// A chunk to work on.
    Chunk(Chunk),
    /// Every slot is taken (only when not waiting): the buffer back.
    Full(Vec<u8>),
    /// Nothing more to read.
    Finished,
}

impl Shared<'_> {
    /// Reads the next chunk into `data` once a slot is free, waiting for
    /// one when `wait` (a worker) or answering [`Next::Full`] (the writer,
    /// who frees them).
    fn next(&self, data: Vec<u8>, wait: bool) -> Next {
        let Ok(mut source) = self.source.lock() else {
            return Next::Finished;
        };
        while !source.finished && (!source.started || source.in_flight >= self.slots) {
            if !wait {
                return Next::Full(data);
            }
            source.waiting += 1;
            source = match self.room.wait(source) {
                Ok(s) => s,
                Err(_) => return Next::Finished,
            };
            source.waiting -= 1;
        }
        if source.finished {
            return Next::Finished;
        }
        match source.input.read_chunk(MAX_LINE_BYTES, data) {
            Ok(Some((mut chunk, lines))) => {
                chunk.seq = source.seq;
                chunk.first_line = source.first_line;
                source.seq += 1;
                source.first_line += lines;
                source.in_flight += 1;
                Next::Chunk(chunk)
            }
            Ok(None) => {
                drop(source);
                self.finish(None);
                Next::Finished
            }
            Err(e) => {
                drop(source);
                self.finish(Some(e));
                Next::Finished
            }
        }
    }

    /// `count` chunks were written: their slots are free.
    fn written(&self, count: usize) {
        if count == 0 {
            return;
        }
        let Ok(mut source) = self.source.lock() else {
            return;
        };
        source.in_flight = source.in_flight.saturating_sub(count);
        if source.waiting > 0 {
            self.room.notify_all();
        }
    }

    /// Every worker is started: they may read.
    fn start(&self) {
        if let Ok(mut source) = self.source.lock() {
            source.started = true;
            if source.waiting > 0 {
                self.room.notify_all();
            }
        }
    }

    /// No more chunks are read (keeping the first read error, if any).
    fn finish(&self, error: Option<std::io::Error>) {
        if let Ok(mut source) = self.source.lock() {
            source.finished = true;
            if source.error.is_none() {
                source.error = error;
            }
        }
        self.room.notify_all();
    }
}

/// [`for_each_line`] on the calling thread and `threads - 1` more: each
/// reads its own chunks, and the calling thread also writes the output in
/// order between its chunks. Fewer threads than asked for are fine (with
/// none started, the calling thread does all the work).
fn in_threads<S, T, I, W, E>(
    input: &mut Input,
    threads: usize,
    init: &I,
    work: &W,
    emit: &mut E,
) -> std::io::Result<()>
where
    S: Default + Send,
    I: Fn() -> T + Sync,
    W: Fn(&mut T, Line<'_>, &mut Output<S>) + Sync,
    E: FnMut(Output<S>) -> bool,
{
    let shared = Shared {
        source: Mutex::new(Source {
            input,
            seq: 0,
            first_line: 1,
            in_flight: 0,
            waiting: 0,
            started: false,
            finished: false,
            error: None,
        }),
        room: Condvar::new(),
        slots: threads * IN_FLIGHT_PER_WORKER,
    };
    let (done_tx, done_rx) = channel::<(u64, Output<S>)>();
    // Each new thread says when it runs: the system has then given it its
    // signal stack too (a thread refused that aborts the process), and
    // only then is the next one asked for, so where the system can start
    // only some threads (an address space limit) it is the next thread's
    // stack that is refused, which the loop takes as the end.
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<()>(1);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let done_tx = done_tx.clone();
            let ready_tx = ready_tx.clone();
            let shared = &shared;
            let started = std::thread::Builder::new().spawn_scoped(scope, move || {
                let _ = ready_tx.send(());
                drop(ready_tx);
                worker(shared, &done_tx, init, work);
            });
            if started.is_err() || ready_rx.recv().is_err() {
                break;
            }
        }
        drop(done_tx);
        drop(ready_tx);
        shared.start();
        write_in_order(&shared, &done_rx, init, work, emit);
        // stopping (when the output is gone): the workers read no more
        // and nobody receives their output
        shared.finish(None);
        drop(done_rx);
    });
    let error = shared.source.into_inner().ok().and_then(|s| s.error);
    error.map_or(Ok(()), Err)
}

/// The calling thread's part of [`in_threads`]: it writes the chunks
/// done, in order, and works on chunks of its own while slots are free;
/// once the input is read, it waits for the workers' last chunks.
fn write_in_order<S, T, I, W, E>(
    shared: &Shared<'_>,
    done: &Receiver<(u64, Output<S>)>,
    init: &I,
    work: &W,
    emit: &mut E,
) where
    S: Default,
    I: Fn() -> T,
    W: Fn(&mut T, Line<'_>, &mut Output<S>),
    E: FnMut(Output<S>) -> bool,
{
    let mut state = init();
    let mut data = Vec::new();
    let mut pending: BTreeMap<u64, Output<S>> = BTreeMap::new();
    let mut next = 0u64;
    let mut reading = true;
    loop {
        while let Ok((seq, out)) = done.try_recv() {
            pending.insert(seq, out);
        }
        let mut written = 0;
        while let Some(out) = pending.remove(&next) {
            if !emit(out) {
                return;
            }
            next += 1;
            written += 1;
        }
        shared.written(written);
        if reading {
            match shared.next(data, false) {
                Next::Chunk(chunk) => {
                    let mut out = Output::default();
                    out.text.reserve(chunk.data.len().saturating_mul(4));
                    run_chunk(&mut state, &chunk, chunk.first_line, work, &mut out);
                    pending.insert(chunk.seq, out);
                    data = chunk.data;
                    continue;
                }
                // every slot taken: the next chunk done frees one
                Next::Full(d) => data = d,
                Next::Finished => {
                    reading = false;
                    data = Vec::new();
                }
            }
        }
        // a worker's chunk, or none left (every worker has stopped)
        match done.recv() {
            Ok((seq, out)) => {
                pending.insert(seq, out);
            }
            Err(_) => return,
        }
    }
}

fn worker<S, T, I, W>(shared: &Shared<'_>, done: &Sender<(u64, Output<S>)>, init: &I, work: &W)
where
    S: Default,
    I: Fn() -> T,
    W: Fn(&mut T, Line<'_>, &mut Output<S>),
{
    let mut state = init();
    let mut data = Vec::new();
    while let Next::Chunk(chunk) = shared.next(data, true) {
        let mut out = Output::default();
        // room for answers a few times longer than the lines (no regrowth)
        out.text.reserve(chunk.data.len().saturating_mul(4));
        run_chunk(&mut state, &chunk, chunk.first_line, work, &mut out);
        if done.send((chunk.seq, out)).is_err() {
            return;
        }
        data = chunk.data;
    }
}

/// The input of a run, read straight into the chunks' buffers (no copy
/// through a reader's buffer: a chunk is filled by one read of the file,
/// then cut after its last whole line).
struct Input {
    input: Box<dyn std::io::Read + Send>,
    /// The bytes read past the last whole line of the chunk before: the
    /// start of the next chunk's first line.
    carry: Vec<u8>,
    /// The input has ended (a read gave nothing).
    ended: bool,
}

impl Input {
    fn new(input: Box<dyn std::io::Read + Send>) -> Self {
        Input {
            input,
            carry: Vec::new(),
            ended: false,
        }
    }

    /// Reads whole lines up to [`CHUNK_BYTES`] into `data` (the buffer of
    /// an earlier chunk, emptied first, or a new one), each ending in `\n`
    /// (added to a last line without one); `None` at end of input. A line
    /// longer than `max_line` is skipped while it is read: only its `\n`
    /// is kept, and its index in [`Chunk::too_long`].
    fn read_chunk(
        &mut self,
        max_line: usize,
        mut data: Vec<u8>,
    ) -> std::io::Result<Option<(Chunk, usize)>> {
        data.clear();
        if data.capacity() > RECYCLED_BYTES {
            // a chunk that held a very long line: its memory is not kept
            data = Vec::new();
        }
        // and a byte for the `\n` added to a last line without one
        data.reserve(CHUNK_BYTES + 1);
        data.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut too_long = Vec::new();
        let mut lines = 0;
        // the end of the whole lines counted
        let mut cut = 0;
        loop {
            if !self.ended && data.len() < CHUNK_BYTES {
                // into the buffer's spare room, uninitialised, without a copy
                let room = CHUNK_BYTES - data.len();
                let mut next = std::io::Read::take(&mut self.input, room as u64);
                let read = std::io::Read::read_to_end(&mut next, &mut data)?;
                self.ended = read < room;
            }
            cut = count_lines(&mut data, cut, max_line, &mut lines, &mut too_long);
            if cut == data.len() && (self.ended || cut >= CHUNK_BYTES) {
                break;
            }
            if self.ended {
                // a last line without its newline
                if data.len() - cut > max_line {
                    data.truncate(cut);
                    too_long.push(lines);
                }
                data.push(b'\n');
                lines += 1;
                break;
            }
            if cut > 0 {
                // the chunk is full: the line across its end starts the next
                self.carry
                    .extend_from_slice(data.get(cut..).unwrap_or_default());
                data.truncate(cut);
                break;
            }
            // no whole line in a full chunk: one long line, read on its own
            let partial = data.split_off(cut);
            let mut reader = std::io::BufReader::new(std::io::Read::chain(
                std::io::Cursor::new(partial),
                &mut self.input,
            ));
            match read_line(&mut reader, &mut data, max_line)? {
                Read::End => break,
                Read::Line => {}
                Read::TooLong => too_long.push(lines),
            }
            lines += 1;
            cut = data.len();
            // what the line's reader read past its end comes next
            data.extend_from_slice(reader.buffer());
        }
        let chunk = Chunk {
            seq: 0,
            first_line: 0,
            data,
            too_long,
        };
        Ok((lines > 0).then_some((chunk, lines)))
    }
}

/// Counts the whole lines of `data` from `from` (the start of a line),
/// adding to `lines`; a line longer than `max_line` is cut down to its
/// `\n` and listed in `too_long`. Returns the end of the last whole line.
fn count_lines(
    data: &mut Vec<u8>,
    from: usize,
    max_line: usize,
    lines: &mut usize,
    too_long: &mut Vec<usize>,
) -> usize {
    let mut start = from;
    loop {
        let Some(i) = memchr::memchr(b'\n', data.get(start..).unwrap_or_default()) else {
            return start;
        };
        if i > max_line {
            // only when the limit is below the chunk's size (tests)
            data.drain(start..start + i);
            too_long.push(*lines);
            start += 1;
        } else {
            start += i + 1;
        }
        *lines += 1;
    }
}

/// What [`read_line`] found.
enum Read {
    /// End of input, nothing read.
    End,
    /// A line, appended with its `\n`.
    Line,
    /// A line longer than the limit: skipped, only its `\n` appended.
    TooLong,
}

/// Appends one line (with a `\n`, added at the end of input) to `data`,
/// holding at most `max` bytes of it: past that the rest is skipped up to
/// the newline, never stored.
fn read_line(input: &mut dyn BufRead, data: &mut Vec<u8>, max: usize) -> std::io::Result<Read> {
    let start = data.len();
    let mut too_long = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if too_long {
                data.push(b'\n');
                return Ok(Read::TooLong);
            }
            if data.len() == start {
                return Ok(Read::End);
            }
            data.push(b'\n');
            return Ok(Read::Line);
        }
        let newline = memchr::memchr(b'\n', buf);
        let take = newline.map_or(buf.len(), |i| i + 1);
        if !too_long {
            let body = take - usize::from(newline.is_some());
            if data.len() - start + body > max {
                too_long = true;
                data.truncate(start);
            } else {
                data.extend_from_slice(buf.get(..take).unwrap_or_default());
            }
        }
        input.consume(take);
        if newline.is_some() {
            if too_long {
                data.push(b'\n');
                return Ok(Read::TooLong);
            }
            return Ok(Read::Line);
        }
    }
}

fn run_chunk<S, T, W>(
    state: &mut T,
    chunk: &Chunk,
    first_line: usize,
    work: &W,
    out: &mut Output<S>,
) where
    W: Fn(&mut T, Line<'_>, &mut Output<S>),
{
    let whole = std::str::from_utf8(&chunk.data).ok();
    let mut rest = chunk.data.as_slice();
    let mut at = 0usize;
    let mut index = 0;
    let mut long = chunk.too_long.iter().peekable();
    while !rest.is_empty() {
        let (line, tail) = match memchr::memchr(b'\n', rest) {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
            ),
            None => (rest, &[][..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // lines end at a `\n` (or `\r\n`), which is never inside a character
        let text = whole.and_then(|w| w.get(at..at + line.len()));
        at += rest.len() - tail.len();
        let too_long = long.next_if_eq(&&index).is_some();
        work(
            state,
            Line {
                number: first_line + index,
                bytes: line,
                too_long,
                text,
            },
            out,
        );
        rest = tail;
        index += 1;
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
                true
            },
        )
        .unwrap();
        (String::from_utf8(text).unwrap(), count)
    }

    /// A line's text is its bytes when its chunk is UTF-8, and not given
    /// (each line is then checked on its own) when it is not.
    #[test]
    fn lines_come_as_text_when_their_chunk_is_utf8() {
        let seen = |input: &[u8]| {
            let mut seen = Vec::new();
            for_each_line(
                Box::new(std::io::Cursor::new(input.to_vec())),
                1,
                || (),
                |_, line, out: &mut Output<Vec<Option<String>>>| {
                    if let Some(t) = line.text {
                        assert_eq!(t.as_bytes(), line.bytes);
                    }
                    out.stats.push(line.text.map(str::to_string));
                },
                |out| {
                    seen.extend(out.stats);
                    true
                },
            )
            .unwrap();
            seen
        };
        assert_eq!(
            seen("é\r\n\nx".as_bytes()),
            [
                Some("é".to_string()),
                Some(String::new()),
                Some("x".to_string())
            ]
        );
        assert_eq!(seen(b"a\n\xff\nb\n"), [None, None, None]);
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

    /// Every chunk of `input` read with lines up to `max_line` bytes, each
    /// line as it reaches the work: its bytes, and whether it was too long.
    fn lines_read(input: &[u8], max_line: usize) -> Vec<(Vec<u8>, bool)> {
        // a tiny reader's buffer: the input arrives in many pieces
        let mut input = Input::new(Box::new(std::io::BufReader::with_capacity(
            7,
            std::io::Cursor::new(input.to_vec()),
        )));
        let mut seen = Vec::new();
        let mut data = Vec::new();
        while let Some((chunk, lines)) = input.read_chunk(max_line, data).unwrap() {
            let before = seen.len();
            let mut out = Output::default();
            run_chunk(
                &mut (),
                &chunk,
                1,
                &|_: &mut (), line: Line<'_>, out: &mut Output<Vec<(Vec<u8>, bool)>>| {
                    out.stats.push((line.bytes.to_vec(), line.too_long));
                },
                &mut out,
            );
            seen.extend(out.stats);
            assert_eq!(seen.len() - before, lines, "the lines counted");
            data = chunk.data;
        }
        seen
    }

    /// The lines of `input` as they should reach the work.
    fn lines_expected(input: &[u8], max_line: usize) -> Vec<(Vec<u8>, bool)> {
        let body = input.strip_suffix(b"\n").unwrap_or(input);
        if input.is_empty() {
            return Vec::new();
        }
        body.split(|&b| b == b'\n')
            .map(|line| {
                if line.len() > max_line {
                    (Vec::new(), true)
                } else {
                    (line.strip_suffix(b"\r").unwrap_or(line).to_vec(), false)
                }
            })
            .collect()
    }

    /// Issue 15, item 2: a line past the limit is skipped while it is read
    /// (the chunk never holds it), reported as too long, and the next line
    /// is read as usual; also at the end of input without a newline.
    #[test]
    fn long_lines_are_skipped_while_read() {
        let long = "x".repeat(100_000);
        let input = format!("short\n{long}\nafter\n{long}");
        let mut reader = Input::new(Box::new(std::io::BufReader::with_capacity(
            7,
            std::io::Cursor::new(input.clone().into_bytes()),
        )));
        let (chunk, lines) = reader.read_chunk(10, Vec::new()).unwrap().unwrap();
        assert_eq!(lines, 4);
        assert_eq!(chunk.too_long, vec![1, 3]);
        assert_eq!(chunk.data, b"short\n\nafter\n\n");
        assert_eq!(
            lines_read(input.as_bytes(), 10),
            vec![
                (b"short".to_vec(), false),
                (Vec::new(), true),
                (b"after".to_vec(), false),
                (Vec::new(), true),
            ]
        );
        // exactly the limit is kept
        let mut reader = Input::new(Box::new(std::io::Cursor::new(b"0123456789\n".to_vec())));
        let (chunk, _) = reader.read_chunk(10, Vec::new()).unwrap().unwrap();
        assert!(chunk.too_long.is_empty());
    }

    /// Lines across chunks, longer than a chunk (kept or skipped), at a
    /// chunk's very end, with `\r\n`, empty, and a last one without its
    /// newline: each reaches the work whole and once, in order.
    #[test]
    fn lines_across_chunks_arrive_whole() {
        let mut input = Vec::new();
        let mut n = 0usize;
        for len in [
            0,
            5,
            CHUNK_BYTES - 12,
            CHUNK_BYTES + 1,
            CHUNK_BYTES * 2,
            3 * CHUNK_BYTES,
            7,
            CHUNK_BYTES - 1,
            CHUNK_BYTES,
            1,
        ] {
            for _ in 0..3 {
                n += 1;
                input.extend((0..len).map(|i| b'a' + ((i + n) % 26) as u8));
                if n % 4 == 0 {
                    input.push(b'\r');
                }
                input.push(b'\n');
            }
        }
        let max = 2 * CHUNK_BYTES + 5;
        for end in [input.len(), input.len() - 1, input.len() - 9] {
            let input = input.get(..end).unwrap();
            assert_eq!(lines_read(input, max), lines_expected(input, max));
        }
        // short lines only, many chunks
        let short: Vec<u8> = (0..200_000)
            .flat_map(|i| format!("l{i}\n").into_bytes())
            .collect();
        assert_eq!(lines_read(&short, max), lines_expected(&short, max));
        assert!(lines_read(b"", max).is_empty());
    }

    /// Lines of 64 bytes: a chunk holds [`CHUNK_BYTES`] / 64 of them.
    const FAILING_LINE: usize = 64;

    /// Gives `lines` lines, then fails.
    struct Failing {
        lines: usize,
    }

    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.lines == 0 {
                return Err(std::io::Error::other("the disk is gone"));
            }
            let mut line = vec![b'x'; FAILING_LINE - 1];
            line.push(b'\n');
            let n = line.len().min(buf.len());
            buf[..n].copy_from_slice(&line[..n]);
            // a line at a time (the chunks ask for whole lines' worth)
            self.lines -= 1;
            Ok(n)
        }
    }

    /// A read error ends the run with that error, after the output of the
    /// whole chunks read before it, in order, whatever the threads.
    #[test]
    fn a_read_error_is_returned_after_the_chunks_before_it() {
        let per_chunk = CHUNK_BYTES / FAILING_LINE;
        for threads in [1, 2, 3] {
            let mut numbers = Vec::new();
            let result = for_each_line(
                Box::new(Failing {
                    lines: 2 * per_chunk + 10,
                }),
                threads,
                || (),
                |_, line, out: &mut Output<Vec<usize>>| out.stats.push(line.number),
                |out| {
                    numbers.extend(out.stats);
                    true
                },
            );
            let error = result.expect_err("the read error");
            assert_eq!(error.to_string(), "the disk is gone", "{threads} threads");
            assert_eq!(
                numbers,
                (1..=2 * per_chunk).collect::<Vec<_>>(),
                "{threads} threads"
            );
        }
    }

    /// With slots for a few chunks only, a run of many chunks still ends,
    /// in order: the writer frees slots between its own chunks.
    #[test]
    fn many_chunks_through_few_slots() {
        let input: String = (0..600_000).map(|i| format!("l{i}\n")).collect();
        assert!(input.len() > 16 * CHUNK_BYTES);
        let (one, _) = run(&input, 1);
        for threads in [2, 3, 8] {
            assert_eq!(run(&input, threads).0, one, "{threads} threads");
        }
    }

    #[test]
    fn a_false_emit_stops_reading() {
        let input: String = (0..100_000).map(|i| format!("l{i}\n")).collect();
        for threads in [1, 2] {
            let mut emitted = 0;
            for_each_line(
                Box::new(std::io::Cursor::new(input.clone().into_bytes())),
                threads,
                || (),
                |_, _, out: &mut Output<usize>| out.stats += 1,
                |_| {
                    emitted += 1;
                    false
                },
            )
            .unwrap();
            assert_eq!(emitted, 1, "{threads} threads");
        }
    }
}
