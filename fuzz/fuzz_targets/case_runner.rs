//! Arbitrary bytes as one line of the `eval --cases` JSONL format, through
//! `s3guard::batch::cases::run_line` (parse, load every policy, authorize), and the
//! result serialized as `eval --cases --format json` prints it. Nothing may
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Case files are read as UTF-8 text, then split into lines.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // As `eval --cases` does: one line, a trailing CR dropped.
    let line = text.trim_end_matches('\r');
    let result = s3guard::batch::cases::run_line("fuzz.jsonl", 1, line);
    let _ = serde_json::to_string(&result);
    if let Some(r) = &result.response {
        let _ = format!("{r:?}");
    }
    // The whole-file path too: it splits lines itself.
    if text.contains('\n') {
        let _ = s3guard::batch::cases::run_text("fuzz.jsonl", text);
    }
});
