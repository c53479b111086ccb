//! How one turn of the conversation looks.

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use super::conversation::{BotReply, Turn};
use super::feedback::{self, Verdict};
use crate::api::{Author, TicketMessage};
use crate::browser::safe_html;
use crate::i18n::{Locale, Strings};

#[component]
pub fn TurnView(
    turn: Turn,
    engine: Signal<Option<Arc<Engine>>>,
    locale: Locale,
    /// The visitor chose one of the offered entries.
    on_pick: Callback<usize>,
    /// The visitor wants a person (after an unhelpful answer).
    on_escalate: Callback<()>,
) -> impl IntoView {
    let t = locale.strings();
    match turn {
        // Visitor text is always text: never parsed as HTML.
        Turn::Visitor { text, .. } => visitor_bubble(t, text).into_any(),
        Turn::Notice { text } => view! { <p class="ad-notice">{text}</p> }.into_any(),
        Turn::Queued => {
            view! { <p class="ad-notice" data-testid="queued">{t.queued_offline}</p> }.into_any()
        }
        Turn::PendingReply { text, .. } => view! {
            <div class="ad-msg ad-visitor ad-pending" data-testid="pending-reply">
                <span class="ad-sr">{t.you}": "</span><p>{text}</p>
                <small>{t.reply_queued}</small>
            </div>
        }
        .into_any(),
        Turn::Ticket(message) => ticket_message(t, message),
        Turn::Bot { reply, .. } => {
            let Some(engine) = engine.get_untracked() else {
                return ().into_any();
            };
            match reply {
                BotReply::Answer { entry } => {
                    let e = &engine.entries()[entry];
                    // A link the snapshot says goes to a `javascript:` or `data:` URL goes nowhere.
                    let links: Vec<_> = e
                        .links
                        .iter()
                        .filter_map(|l| Some((safe_html::safe_url(&l.url)?, l.title.clone())))
                        .collect();
                    view! {
                        <article class="ad-msg ad-bot ad-answer" data-testid="answer" data-entry=e.id.clone()>
                            <span class="ad-sr">{t.assistant}": "</span>
                            <h2>{e.question.clone()}</h2>
                            // Sanitized at `kb build` (ammonia), and again here: a snapshot's
                            // checksum proves nothing about who wrote it.
                            <div class="ad-answer-body" inner_html=safe_html::clean(&e.answer_html)></div>
                            {(!links.is_empty()).then(|| view! {
                                <ul class="ad-links">
                                    {links.into_iter().map(|(url, title)| view! {
                                        <li><a href=url target="_blank" rel="noopener noreferrer">{title}</a></li>
                                    }).collect_view()}
                                </ul>
                            })}
                            <footer class="ad-source">{t.source}" · "{e.category.clone()}</footer>
                            <Helpful locale=locale entry_id=e.id.clone() on_escalate=on_escalate />
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
                BotReply::NoAnswer => view! {
                    <div class="ad-msg ad-bot ad-fallback">
                        <p>{t.no_answer}</p>
                        <button type="button" class="ad-link" on:click=move |_| on_escalate.run(())>{t.talk_to_person}</button>
                    </div>
                }
                .into_any(),
                BotReply::AskedForPerson => {
                    view! { <div class="ad-msg ad-bot"><p>{t.asked_for_person}</p></div> }.into_any()
                }
            }
        }
    }
}

fn visitor_bubble(t: &'static Strings, text: String) -> impl IntoView {
    view! { <div class="ad-msg ad-visitor"><span class="ad-sr">{t.you}": "</span><p>{text}</p></div> }
}

/// A message stored with the ticket. Agent replies may carry HTML, sanitized by the server.
fn ticket_message(t: &'static Strings, message: TicketMessage) -> AnyView {
    match message.author {
        Author::Visitor => visitor_bubble(t, message.body_text).into_any(),
        Author::Bot => view! {
            <div class="ad-msg ad-bot ad-plain"><span class="ad-sr">{t.assistant}": "</span><p>{message.body_text}</p></div>
        }
        .into_any(),
        Author::System => view! { <p class="ad-notice">{message.body_text}</p> }.into_any(),
        Author::Agent => {
            let name = message.author_name.unwrap_or_else(|| t.team.to_string());
            let body = match message.body_html {
                Some(html) => view! { <div class="ad-answer-body" inner_html=safe_html::clean(&html)></div> }.into_any(),
                None => view! { <p class="ad-plain">{message.body_text}</p> }.into_any(),
            };
            view! {
                <article class="ad-msg ad-bot ad-agent" data-testid="agent-message">
                    <header class="ad-author">{name}</header>
                    {body}
                </article>
            }
            .into_any()
        }
    }
}

/// "Was this helpful?" under an answer; a "no" offers a person.
#[component]
fn Helpful(locale: Locale, entry_id: String, on_escalate: Callback<()>) -> impl IntoView {
    let t = locale.strings();
    let verdict = RwSignal::new(None::<Verdict>);
    let judge = move |v: Verdict| {
        if verdict.get_untracked().is_none() {
            feedback::record(&entry_id, v);
            verdict.set(Some(v));
        }
    };
    let judge_no = judge.clone();
    view! {
        <div class="ad-helpful">
            {move || match verdict.get() {
                None => view! {
                    <span>{t.helpful_prompt}</span>
                    <button type="button" class="ad-thumb" data-testid="helpful-yes" aria-label=t.helpful_yes
                        on:click={let judge = judge.clone(); move |_| judge(Verdict::Helpful)}>{thumb(false)}</button>
                    <button type="button" class="ad-thumb" data-testid="helpful-no" aria-label=t.helpful_no
                        on:click={let judge = judge_no.clone(); move |_| judge(Verdict::NotHelpful)}>{thumb(true)}</button>
                }.into_any(),
                Some(Verdict::Helpful) => view! {
                    <span data-testid="helpful-thanks" role="status">{t.helpful_thanks}</span>
                }.into_any(),
                Some(Verdict::NotHelpful) => view! {
                    <span data-testid="helpful-thanks" role="status">{t.helpful_sorry}" "</span>
                    <button type="button" class="ad-link" on:click=move |_| on_escalate.run(())>{t.talk_to_person}</button>
                }.into_any(),
            }}
        </div>
    }
}

/// A thumb icon, drawn rather than an emoji: not every system has an emoji font.
fn thumb(down: bool) -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false"
            class:ad-down=down>
            <path fill="currentColor" d="M2 21h4V9H2v12zm20-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L13.17 1 6.59 7.59C6.22 7.95 6 8.45 6 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/>
        </svg>
    }
}
