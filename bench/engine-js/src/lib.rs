//! The engine's query side for the peer benchmark page (`bench/page/`): load a snapshot, ask,
//! search. Only `cargo xtask bench peers` builds it, for `wasm32-unknown-unknown` with the
//! visitor's `wasm-release` profile, so the bytes it ships are comparable with the widget's
//! engine; the widget itself never depends on this crate.
//!
//! Results cross to JavaScript as short strings rather than objects, so the crate needs
//! neither js-sys nor serde_json: `search` gives `index:score` pairs joined by `,`.

use std::cell::RefCell;

use engine::{Decision, Engine};
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Loads a snapshot (the bytes of `kb.snapshot`); returns the number of entries.
#[wasm_bindgen]
pub fn load(bytes: &[u8]) -> Result<usize, String> {
    let engine = Engine::from_bytes(bytes).map_err(|e| e.to_string())?;
    let entries = engine.entries().len();
    ENGINE.with(|cell| *cell.borrow_mut() = Some(engine));
    Ok(entries)
}

/// The id of the entry at `index`, as the knowledge base names it.
#[wasm_bindgen]
pub fn entry_id(index: usize) -> String {
    with_engine(|engine| {
        engine
            .entries()
            .get(index)
            .map(|e| e.id.clone())
            .unwrap_or_default()
    })
}

/// The `k` best entries for `query`, best first: `index:score,index:score,…` (scores are the
/// calibrated confidences `kb eval` ranks by).
#[wasm_bindgen]
pub fn search(query: &str, k: usize) -> String {
    with_engine(|engine| {
        let ranked = engine.search(query, k);
        let pairs: Vec<String> = ranked
            .iter()
            .map(|c| format!("{}:{}", c.entry, c.score))
            .collect();
        pairs.join(",")
    })
}

/// What the widget does with `query`: `answer:INDEX`, `clarify:INDEX|INDEX…` or `escalate`.
#[wasm_bindgen]
pub fn ask(query: &str) -> String {
    with_engine(|engine| match engine.ask(query).decision {
        Decision::Answer { entry } => format!("answer:{entry}"),
        Decision::Clarify { entries } => {
            let list: Vec<String> = entries.iter().map(usize::to_string).collect();
            format!("clarify:{}", list.join("|"))
        }
        Decision::Escalate { .. } => "escalate".to_string(),
    })
}

fn with_engine<T>(f: impl FnOnce(&Engine) -> T) -> T {
    ENGINE.with(|cell| {
        let engine = cell.borrow();
        f(engine
            .as_ref()
            .expect("load a snapshot before searching it"))
    })
}
