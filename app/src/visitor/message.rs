//! How one turn of the conversation looks.

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use super::conversation::{BotReply, Turn};
use crate::i18n::Locale;

#[component]
pub fn TurnView(
    turn: Turn,
    engine: Signal<Option<Arc<Engine>>>,
    locale: Locale,
    /// The visitor chose one of the offered entries.
    on_pick: Callback<usize>,
) -> impl IntoView {
    let t = locale.strings();
    match turn {
        // Visitor text is always text: never parsed as HTML.
        Turn::Visitor { text, .. } => view! {
            <div class="ad-msg ad-visitor"><span class="ad-sr">{t.you}": "</span><p>{text}</p></div>
        }
        .into_any(),
        Turn::Notice { text } => view! { <p class="ad-notice" role="status">{text}</p> }.into_any(),
        Turn::Bot { reply, .. } => {
            let Some(engine) = engine.get_untracked() else {
                return ().into_any();
            };
            match reply {
                BotReply::Answer { entry } => {
                    let e = &engine.entries()[entry];
                    let links = e.links.clone();
                    view! {
                        <article class="ad-msg ad-bot ad-answer" data-testid="answer">
                            <span class="ad-sr">{t.assistant}": "</span>
                            <h2>{e.question.clone()}</h2>
                            // Sanitized at `kb build` (ammonia): the snapshot only carries safe HTML.
                            <div class="ad-answer-body" inner_html=e.answer_html.clone()></div>
                            {(!links.is_empty()).then(|| view! {
                                <ul class="ad-links">
                                    {links.into_iter().map(|l| view! {
                                        <li><a href=l.url target="_blank" rel="noopener noreferrer">{l.title}</a></li>
                                    }).collect_view()}
                                </ul>
                            })}
                            <footer class="ad-source">{t.source}" · "{e.category.clone()}</footer>
                        </article>
                    }
                    .into_any()
                }
                BotReply::Clarify { entries } => view! {
                    <div class="ad-msg ad-bot">
                        <p>{t.did_you_mean}</p>
                        <div class="ad-chips">
                            {entries.into_iter().map(|i| {
                                let question = engine.entries()[i].question.clone();
                                view! {
                                    <button type="button" class="ad-chip" data-testid="suggestion" on:click=move |_| on_pick.run(i)>
                                        {question}
                                    </button>
                                }
                            }).collect_view()}
                        </div>
                    </div>
                }
                .into_any(),
                BotReply::NoAnswer => view! { <div class="ad-msg ad-bot ad-fallback"><p>{t.no_answer}</p></div> }.into_any(),
                BotReply::AskedForPerson => {
                    view! { <div class="ad-msg ad-bot"><p>{t.asked_for_person}</p></div> }.into_any()
                }
            }
        }
    }
}
