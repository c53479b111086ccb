//! "How was your conversation?": the visitor rates a ticket the team resolved, with an optional
//! comment. The rating goes to the ticket (`POST /api/v1/tickets/{id}/rating`) and, anonymous
//! and masked, to the conversation events.

use leptos::prelude::*;

use super::{analytics, ticket};
use crate::api::{self, TicketSession};
use crate::browser;
use crate::i18n::Locale;

/// Shown under a resolved ticket's conversation; one per ticket, remembered across reloads.
#[component]
pub fn Rating(locale: Locale, session: TicketSession) -> impl IntoView {
    let t = locale.strings();
    let rated = RwSignal::new(ticket::rated(&session));
    let rate = move |score: u8| {
        let session = session.clone();
        ticket::remember_rating(&session, score);
        rated.set(Some(score));
        browser::emit("rating", &[("score", &score.to_string())]);
        // Read when a star is picked, not bound: one field read is all the widget needs of it.
        let comment = browser::field_value("ad-rating-comment")
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        analytics::rated(score, comment.as_deref());
        leptos::task::spawn_local(async move {
            // A failure is not shown: the verdict is kept in this browser either way.
            let _ = api::rate(&session, score, comment.as_deref()).await;
        });
    };
    view! {
        <section class="ad-rating" aria-label=t.rating_prompt>
            {move || match rated.get() {
                Some(_) => view! { <p role="status" data-testid="rating-thanks">{t.rating_thanks}</p> }.into_any(),
                None => {
                    let rate = rate.clone();
                    view! {
                        <p>{t.rating_prompt}</p>
                        <textarea id="ad-rating-comment" data-testid="rating-comment" rows="2"
                            maxlength="1000" aria-label=t.rating_comment placeholder=t.rating_comment></textarea>
                        <div class="ad-stars">
                            {(1..=5u8).map(|score| {
                                let rate = rate.clone();
                                view! {
                                    <button type="button" class="ad-star" data-testid=format!("rate-{score}")
                                        aria-label=format!("{score} {}", t.rating_of)
                                        on:click=move |_| rate(score)>{"★"}</button>
                                }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
