//! Smart assist: the knowledge base's best answers for what the visitor said last, from the
//! same engine and snapshot that answer visitors, one click from the composer. And a search box
//! over the same knowledge base for everything else.

use super::i18n::t;
use engine::{Engine, Entry};
use leptos::prelude::*;

use crate::workbench::{workspace, Knowledge};

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

/// The entry with `id` in the visitor's language: ids are shared by an entry's translations, so
/// the bot's candidates read in the language the visitor used.
pub fn entry_in<'a>(engine: &'a Engine, id: &str, locale: Option<&str>) -> Option<&'a Entry> {
    let same = |e: &&Entry| e.id == id;
    let language = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
    let wanted = locale.map(language);
    engine
        .entries()
        .iter()
        .filter(same)
        .find(|e| Some(language(&e.locale)) == wanted)
        .or_else(|| engine.entries().iter().find(same))
}

/// An entry's plain-text answer as Markdown for the composer: each line stays a line (a hard
/// break), where Markdown would otherwise run them into one paragraph.
pub fn as_markdown(answer: &str) -> String {
    answer
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("  \n")
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
            <h2 id="wb-assist-title">{t().smart_assist}</h2>
            {move || match knowledge.get() {
                Knowledge::Loading => view! { <p class="wb-muted">{t().kb_loading}</p> }.into_any(),
                Knowledge::Failed(reason) => view! { <p class="wb-error">{t().kb_unavailable}{reason}</p> }.into_any(),
                Knowledge::Ready(_) => view! {
                    {move || latest.get().map(|text| view! {
                        <p class="wb-muted">{t().for_latest}<q>{text}</q></p>
                    })}
                    <SuggestionList items=suggestions testid="assist-suggestion" on_insert=on_insert />
                    {move || (latest.get().is_some() && suggestions.with(Vec::is_empty))
                        .then(|| view! { <p class="wb-muted">{t().no_entry}</p> })}
                }.into_any(),
            }}
            <label class="wb-kb-search">
                <span>{t().search_kb}</span>
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
                            <span class="wb-confidence" title=t().confidence>{format!("{:.0} %", s.confidence * 100.0)}</span>
                        </div>
                        <p>{excerpt(&s.answer)}</p>
                        <button type="button" class="wb-insert" data-testid="insert"
                            on:click=move |_| on_insert.run(as_markdown(&answer))>{t().insert}</button>
                    </li>
                }
            } />
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_keep_their_lines_in_markdown() {
        assert_eq!(
            as_markdown("支付宝： 1–3 天\nPayPal： 3–5 天 "),
            "支付宝： 1–3 天  \nPayPal： 3–5 天"
        );
        assert_eq!(
            excerpt(&"长".repeat(200)).chars().count(),
            EXCERPT_CHARS + 1
        );
    }
}
