//! "How was your conversation?": the visitor rates a ticket the team resolved.

use leptos::prelude::*;

use super::ticket;
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
        leptos::task::spawn_local(async move {
            // A failure is not shown: the verdict is kept in this browser either way.
            let _ = api::rate(&session, score).await;
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
