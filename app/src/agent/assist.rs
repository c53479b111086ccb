//! Smart assist: the knowledge base's best answers for what the visitor said last, from the
//! same engine and snapshot that answer visitors, one click from the composer. And a search box
//! over the same knowledge base for everything else.

use engine::Engine;
use leptos::prelude::*;

use super::{workspace, Knowledge};

/// How many suggestions the assist panel shows.
pub const SUGGESTIONS: usize = 3;
const SEARCH_RESULTS: usize = 5;
const EXCERPT_CHARS: usize = 160;

/// A knowledge-base entry offered to the agent.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub entry_id: String,
    pub question: String,
    pub answer: String,
    pub confidence: f32,
}

/// The `k` best entries for `text`, best first.
pub fn suggest(engine: &Engine, text: &str, k: usize) -> Vec<Suggestion> {
    let entries = engine.entries();
    engine
        .search(text, k)
        .into_iter()
        .map(|c| {
            let entry = &entries[c.entry];
            Suggestion {
                entry_id: entry.id.clone(),
                question: entry.question.clone(),
                answer: entry.answer_text.clone(),
                confidence: c.score,
            }
        })
        .collect()
}

fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[component]
pub fn Assist(
    /// The visitor's latest message, if any.
    latest: Memo<Option<String>>,
    on_insert: Callback<String>,
) -> impl IntoView {
    let knowledge = workspace().knowledge;
    let engine = move || knowledge.with(Knowledge::engine);
    let suggestions = Memo::new(move |_| match (engine(), latest.get()) {
        (Some(engine), Some(text)) => suggest(&engine, &text, SUGGESTIONS),
        _ => Vec::new(),
    });
    let search = RwSignal::new(String::new());
    let results = Memo::new(move |_| {
        let query = search.get();
        match engine() {
            Some(engine) if !query.trim().is_empty() => suggest(&engine, &query, SEARCH_RESULTS),
            _ => Vec::new(),
        }
    });

    view! {
        <section class="wb-panel wb-assist" aria-labelledby="wb-assist-title">
            <h2 id="wb-assist-title">"Smart assist"</h2>
            {move || match knowledge.get() {
                Knowledge::Loading => view! { <p class="wb-muted">"Loading the knowledge base…"</p> }.into_any(),
                Knowledge::Failed(reason) => view! { <p class="wb-error">"Knowledge base unavailable: "{reason}</p> }.into_any(),
                Knowledge::Ready(_) => view! {
                    {move || latest.get().map(|text| view! {
                        <p class="wb-muted">"For the visitor's latest message: "<q>{text}</q></p>
                    })}
                    <SuggestionList items=suggestions testid="assist-suggestion" on_insert=on_insert />
                    {move || (latest.get().is_some() && suggestions.with(Vec::is_empty))
                        .then(|| view! { <p class="wb-muted">"No matching knowledge-base entry."</p> })}
                }.into_any(),
            }}
            <label class="wb-kb-search">
                <span>"Search the knowledge base"</span>
                <input type="search" data-testid="kb-search" placeholder="e.g. refund, 退货"
                    prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
            </label>
            <SuggestionList items=results testid="kb-result" on_insert=on_insert />
        </section>
    }
}

#[component]
fn SuggestionList(
    items: Memo<Vec<Suggestion>>,
    testid: &'static str,
    on_insert: Callback<String>,
) -> impl IntoView {
    view! {
        <ol class="wb-suggestions">
            <For each=move || items.get() key=|s| s.entry_id.clone() children=move |s: Suggestion| {
                let answer = s.answer.clone();
                view! {
                    <li data-testid=testid data-entry=s.entry_id.clone()>
                        <div class="wb-suggestion-head">
                            <strong>{s.question.clone()}</strong>
                            <span class="wb-confidence" title="Engine confidence">{format!("{:.0} %", s.confidence * 100.0)}</span>
                        </div>
                        <p>{excerpt(&s.answer)}</p>
                        <button type="button" class="wb-insert" data-testid="insert"
                            on:click=move |_| on_insert.run(answer.clone())>"Insert"</button>
                    </li>
                }
            } />
        </ol>
    }
}
