//! Knowledge-source parsing: YAML, Markdown with front matter, JSON Lines and CSV files as a site
//! owner writes them (or exports them from another help desk). A bad file is an error with a
//! place to fix, never a panic of `answerdesk kb build`.

use std::path::Path;

/// The formats, by the extension that selects them; the first input byte picks one.
const FILES: [&str; 4] = ["kb.yaml", "kb.md", "kb.jsonl", "kb.csv"];

pub fn check(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    // Sources are read with `read_to_string`, which refuses invalid UTF-8 before any parser.
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let file = FILES[usize::from(pick) % FILES.len()];
    if let Ok(entries) = cli::sources::parse_source(Path::new(file), text) {
        for loaded in entries {
            assert!(
                !loaded.entry.id.trim().is_empty(),
                "an entry without an id was accepted from {file}: {text:?}"
            );
        }
    }
}
