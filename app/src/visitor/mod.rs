//! The visitor's assistant: a conversation with the engine, and a way to a person.
//!
//! Questions are answered in the page by the engine. Once the visitor escalates, the conversation
//! belongs to a ticket: what they type goes to the team, the team's replies appear as they arrive,
//! and the bot stays quiet until the visitor goes back to it.

mod analytics;
mod bridge;
mod conversation;
mod escalation;
mod feedback;
mod live;
mod mask;
mod message;
mod outbox;
mod rating;
pub mod skeleton;
mod ticket;

use std::sync::Arc;

use engine::Engine;
use leptos::prelude::*;

use crate::api::{self, ApiError, NewEscalation, TicketSession, TicketState, TicketStatus};
use crate::browser;
use crate::i18n::Locale;
use conversation::{BotReply, Conversation, Turn};
use escalation::{EscalationForm, Identity};
use message::TurnView;
use outbox::{Delivered, Kind, Queued};
use rating::Rating;

/// Where the assistant is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The whole page, at `/`.
    FullPage,
    /// Inside the embed's iframe, at `/widget`.
    Embedded,
}

/// The snapshot's state: questions can only be answered once it is `Ready`.
#[derive(Clone)]
enum Knowledge {
    Loading,
    Ready(Arc<Engine>),
    Failed(String),
}

/// How often queued escalations are retried and a dropped ticket stream is re-established.
const RETRY_MS: i32 = 3_000;

/// Everything the visitor's side of a ticket needs, shared by the view and the background work.
#[derive(Clone, Copy)]
struct Handoff {
    conversation: RwSignal<Conversation>,
    session: RwSignal<Option<TicketSession>>,
    /// What the visitor types goes to the team, not the bot.
    with_team: RwSignal<bool>,
    state: RwSignal<Option<TicketState>>,
    /// Idempotency keys of escalations submitted from this page, whose transcript is on screen.
    shown_here: StoredValue<Vec<String>>,
    locale: Locale,
}

impl Handoff {
    fn talk_to(&self, team: bool) {
        self.with_team.set(team);
        if let Some(session) = self.session.get_untracked() {
            ticket::save(&session, team);
        }
    }

    /// A ticket exists for this conversation: follow it from now on.
    async fn adopt(self, session: TicketSession, key: &str) {
        let t = self.locale.strings();
        let existing = api::messages(&session, 0).await.unwrap_or_default();
        let shown_here = self.shown_here.with_value(|k| k.iter().any(|k| k == key));
        self.conversation.update(|c| {
            if shown_here {
                c.mark_seen(&existing);
            } else {
                c.add_ticket_messages(existing);
            }
            c.notice(format!("{} ({})", t.escalated, session.ticket_id));
        });
        ticket::save(&session, true);
        browser::emit("escalated", &[("ticket", &session.ticket_id)]);
        self.session.set(Some(session));
        self.with_team.set(true);
        scroll_to_end();
        self.sync().await;
    }

    /// Sends what the outbox holds; called on submit, on `online`, and by the poller. Returns
    /// why an escalation was refused, if one was.
    async fn deliver_queued(self) -> Option<ApiError> {
        let mut refused = None;
        for (Queued { key, kind, .. }, outcome) in outbox::deliver().await {
            match (kind, outcome) {
                (_, Delivered::Created(session)) => self.adopt(session, &key).await,
                (_, Delivered::Replied(message)) => self.receive(vec![message]),
                (Kind::Reply(_), Delivered::Refused(e)) => {
                    let t = self.locale.strings();
                    self.conversation.update(|c| {
                        c.unsend_reply(&key);
                        c.notice(format!("{} {e}", t.reply_failed));
                    });
                }
                (Kind::Escalation, Delivered::Refused(e)) => refused = Some(e),
                // Events the server refused (unknown site, say) are not worth bothering anyone.
                (Kind::Events, Delivered::Refused(_)) | (_, Delivered::Recorded) => {}
            }
        }
        refused
    }

    /// Shows messages of the ticket that are new here.
    fn receive(self, messages: Vec<api::TicketMessage>) {
        let from_team = messages.iter().any(|m| m.author == api::Author::Agent);
        let added = self
            .conversation
            .try_update(|c| c.add_ticket_messages(messages))
            .unwrap_or(0);
        if added > 0 {
            scroll_to_end();
            if from_team {
                browser::emit("message", &[]);
            }
        }
    }

    /// Keeps the followed ticket current: catches up over REST, then follows its event stream.
    /// Called periodically; does nothing while the stream is up.
    async fn sync(self) {
        let Some(session) = self.session.get_untracked() else {
            live::stop();
            return;
        };
        if live::following(&session.ticket_id) {
            return;
        }
        let after = self
            .conversation
            .with_untracked(Conversation::last_message_id);
        match api::messages(&session, after).await {
            Ok(messages) => self.receive(messages),
            // The ticket is gone or the token no longer opens it: stop following it.
            Err(ApiError::Refused {
                status: 401 | 403 | 404,
                ..
            }) => {
                ticket::forget();
                live::stop();
                self.session.set(None);
                self.with_team.set(false);
                return;
            }
            Err(_) => return,
        }
        self.refresh_state(session.clone()).await;
        let after = self
            .conversation
            .with_untracked(Conversation::last_message_id);
        let followed = session.clone();
        live::follow(
            &session,
            after,
            move |message| self.receive(vec![message]),
            move || leptos::task::spawn_local(self.refresh_state(followed.clone())),
        );
    }

    /// Re-reads the ticket's status; says so when the team resolved it.
    async fn refresh_state(self, session: TicketSession) {
        let Ok(state) = api::ticket(&session).await else {
            return;
        };
        let was = self.state.get_untracked().map(|s| s.status);
        let done = matches!(state.status, TicketStatus::Resolved | TicketStatus::Closed);
        if done && was.is_some() && was != Some(state.status) {
            let t = self.locale.strings();
            self.conversation.update(|c| c.notice(t.resolved.into()));
            scroll_to_end();
        }
        self.state.set(Some(state));
    }
}

fn scroll_to_end() {
    request_animation_frame(|| browser::scroll_into_view("#ad-end", false));
}

/// After an answer: the question at the top, so a long answer is read from its beginning.
fn scroll_to_question() {
    request_animation_frame(|| browser::scroll_into_view(".ad-log .ad-visitor", true));
}

/// The assistant. `adopted` is what the visitor typed into the page's static skeleton before
/// the app was up ([`skeleton::take`]).
#[component]
pub fn Visitor(
    layout: Layout,
    #[prop(optional)] adopted: Option<skeleton::Adopted>,
) -> impl IntoView {
    let locale = Locale::detect(
        browser::query_param("locale").as_deref(),
        &browser::language(),
    );
    let t = locale.strings();
    let knowledge = RwSignal::new(Knowledge::Loading);
    let draft = RwSignal::new(String::new());
    let escalating = RwSignal::new(false);
    let escalation_sending = RwSignal::new(false);
    let escalation_error = RwSignal::new(None::<String>);
    let identity = RwSignal::new(Identity::default());
    // A question asked before the snapshot arrived, answered as soon as it does.
    let waiting = StoredValue::new(None::<String>);
    let input = NodeRef::<leptos::html::Input>::new();
    let shell = NodeRef::<leptos::html::Div>::new();

    let saved = ticket::saved();
    let handoff = Handoff {
        conversation: RwSignal::new(Conversation::default()),
        session: RwSignal::new(saved.as_ref().map(|(s, _)| s.clone())),
        with_team: RwSignal::new(saved.as_ref().is_some_and(|(_, team)| *team)),
        state: RwSignal::new(None),
        shown_here: StoredValue::new(Vec::new()),
        locale,
    };
    let conversation = handoff.conversation;
    analytics::start(locale.tag(), saved.is_some());
    // The page going out of sight (another tab, or closing: browsers hide a page before they
    // unload it, frames included) sends what waits, by beacon: it may not come back.
    browser::on_window("visibilitychange", Box::new(|_| analytics::send()));

    let engine = move || match knowledge.get() {
        Knowledge::Ready(engine) => Some(engine),
        _ => None,
    };

    let answer = move |engine: &Engine, text: String| {
        let reply = engine.ask(&text);
        analytics::asked(engine, &reply, &text);
        let bot = BotReply::from_reply(&reply);
        let question = text.clone();
        conversation.update(|c| c.ask(text, reply, browser::now_iso()));
        browser::emit(
            "answer",
            &[("question", &question), ("decision", bot.kind())],
        );
        if bot.is_asked_for_person() {
            escalating.set(true);
        }
        scroll_to_question();
    };

    // Into the outbox first, like an escalation: a reply typed offline goes out when the network
    // is back, and its idempotency key keeps a resend from making a second message.
    let reply_to_team = move |session: TicketSession, text: String| {
        let item = Queued::new(Kind::Reply(session), api::reply_body(&text));
        let key = item.key.clone();
        outbox::push(item);
        conversation.update(|c| c.turns.push(Turn::PendingReply { key, text }));
        scroll_to_end();
        leptos::task::spawn_local(async move {
            handoff.deliver_queued().await;
        });
    };

    // What the visitor sends: to the team while they talk to it, else to the bot.
    let send = move |text: String| {
        let text = text.trim().to_string();
        if text.is_empty() {
            return;
        }
        if let (true, Some(session)) = (
            handoff.with_team.get_untracked(),
            handoff.session.get_untracked(),
        ) {
            reply_to_team(session, text);
            return;
        }
        match knowledge.get_untracked() {
            Knowledge::Ready(engine) => answer(&engine, text),
            Knowledge::Loading => waiting.set_value(Some(text)),
            Knowledge::Failed(_) => {
                conversation.update(|c| {
                    c.turns.push(Turn::Visitor {
                        text,
                        at: browser::now_iso(),
                    })
                });
                escalating.set(true);
            }
        }
    };

    // Ready to answer: a question typed while loading is answered now.
    let ready = move |engine: Arc<Engine>| {
        knowledge.set(Knowledge::Ready(engine.clone()));
        if let Some(text) = waiting.try_update_value(Option::take).flatten() {
            answer(&engine, text);
        }
    };
    leptos::task::spawn_local(async move {
        // The snapshot's core answers (lexical ranker) as soon as it is in; the whole file,
        // dense index included, replaces it when the download ends.
        let mut early = false;
        let downloaded = api::fetch_snapshot(|so_far| {
            if !early {
                if let Ok(Some(engine)) = Engine::from_prefix(so_far) {
                    early = true;
                    ready(Arc::new(engine));
                }
            }
        })
        .await;
        let loaded =
            downloaded.and_then(|bytes| Engine::from_bytes(&bytes).map_err(|e| e.to_string()));
        match loaded {
            Ok(engine) => ready(Arc::new(engine)),
            Err(reason) if early => {
                leptos::logging::error!(
                    "answerdesk: answering without the snapshot's dense index: {reason}"
                );
            }
            Err(reason) => {
                leptos::logging::error!("answerdesk: cannot load the knowledge snapshot: {reason}");
                knowledge.set(Knowledge::Failed(reason));
            }
        }
    });

    // Background: deliver queued escalations, keep following the ticket.
    leptos::task::spawn_local(async move {
        loop {
            analytics::send_when_due();
            handoff.deliver_queued().await;
            handoff.sync().await;
            browser::sleep(RETRY_MS).await;
        }
    });
    browser::on_window(
        "online",
        Box::new(move |_| {
            leptos::task::spawn_local(async move {
                handoff.deliver_queued().await;
            })
        }),
    );

    let pick = move |entry: usize| {
        let Some(engine) = engine() else { return };
        let picked = &engine.entries()[entry];
        analytics::chose(&picked.id);
        let question = picked.question.clone();
        conversation.update(|c| c.pick(question, entry, browser::now_iso()));
        draft.set(String::new());
        scroll_to_question();
    };

    let escalate = move || {
        let open_ticket = handoff.session.get_untracked().is_some()
            && handoff.state.get_untracked().map(|s| s.status) != Some(TicketStatus::Closed);
        if open_ticket {
            handoff.talk_to(true);
            conversation.update(|c| c.notice(t.with_team.into()));
            scroll_to_end();
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        } else {
            escalating.set(true);
        }
    };

    let back_to_bot = move |_| {
        handoff.talk_to(false);
        conversation.update(|c| c.notice(t.with_bot.into()));
        scroll_to_end();
    };

    let send_escalation = move |escalation: NewEscalation| {
        let item = Queued::new(Kind::Escalation, escalation.to_json());
        conversation
            .with_untracked(|c| analytics::escalated(c.last_bot_reply(), &escalation.message));
        // Durable before the first attempt: a closed tab or a lost connection cannot lose it.
        outbox::push(item.clone());
        handoff
            .shown_here
            .update_value(|k| k.push(item.key.clone()));
        conversation.update(|c| {
            c.turns.push(Turn::Visitor {
                text: escalation.message.clone(),
                at: browser::now_iso(),
            })
        });
        escalation_sending.set(true);
        escalation_error.set(None);
        leptos::task::spawn_local(async move {
            let refused = handoff.deliver_queued().await;
            escalation_sending.set(false);
            match refused {
                Some(e) => escalation_error.set(Some(e.to_string())),
                None => {
                    escalating.set(false);
                    if outbox::is_queued(&item.key) {
                        conversation.update(|c| c.turns.push(Turn::Queued));
                        browser::emit("escalation-queued", &[]);
                    }
                    scroll_to_end();
                }
            }
        });
    };

    if let Some(adopted) = adopted.filter(|a| !a.text.trim().is_empty()) {
        if adopted.submitted {
            send(adopted.text);
        } else {
            draft.set(adopted.text);
        }
    }

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(draft.get_untracked());
        draft.set(String::new());
    };

    if layout == Layout::Embedded {
        bridge::listen(bridge::Hooks {
            input,
            escalating,
            identity,
            send: Callback::new(send),
        });
    }

    let suggestions = move || {
        engine()
            .map(|e| conversation::suggested_questions(&e, locale, 4))
            .unwrap_or_default()
    };
    let instant = Memo::new(move |_| {
        if handoff.with_team.get() {
            return Vec::new();
        }
        let draft = draft.get();
        engine()
            .map(|e| conversation::instant_matches(&e, &draft, 3))
            .unwrap_or_default()
    });
    // The rating prompt, once the team resolved the followed ticket.
    let resolved_session = move || {
        let done = handoff.state.with(|s| {
            s.as_ref()
                .is_some_and(|s| matches!(s.status, TicketStatus::Resolved | TicketStatus::Closed))
        });
        handoff.session.get().filter(|_| done)
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(shell) = shell.get_untracked() {
            browser::trap_focus(&shell, &ev);
        }
    };
    let accent = browser::query_param("accent")
        .filter(|a| {
            a.len() <= 9 && a.starts_with('#') && a[1..].chars().all(|c| c.is_ascii_hexdigit())
        })
        .map(|a| format!("--ad-accent:{a}"));
    let greeting = browser::query_param("greeting").unwrap_or_else(|| t.greeting.to_string());

    view! {
        <div class="ad-shell" class:ad-embedded=layout == Layout::Embedded lang=locale.tag()
            node_ref=shell on:keydown=on_keydown style=accent
            role=(layout == Layout::Embedded).then_some("dialog") aria-labelledby="ad-title">
            <header class="ad-header">
                <h1 id="ad-title">{t.title}</h1>
                {move || if handoff.with_team.get() && handoff.session.with(Option::is_some) {
                    view! { <button type="button" class="ad-person" data-testid="back-to-bot" on:click=back_to_bot>{t.back_to_bot}</button> }.into_any()
                } else {
                    let label = if handoff.session.with(Option::is_some) { t.continue_with_team } else { t.talk_to_person };
                    view! { <button type="button" class="ad-person" data-testid="escalate" on:click=move |_| escalate()>{label}</button> }.into_any()
                }}
                {(layout == Layout::Embedded).then(|| view! {
                    <button type="button" class="ad-close" data-testid="close" aria-label=t.close
                        on:click=move |_| bridge::ask_parent_to_close()>"×"</button>
                })}
            </header>
            <div class="ad-log" role="log" aria-live="polite" aria-relevant="additions" data-testid="log">
                <div class="ad-msg ad-bot"><p>{greeting}</p></div>
                {move || match knowledge.get() {
                    Knowledge::Loading => view! { <p class="ad-status">{t.loading}</p> }.into_any(),
                    Knowledge::Failed(reason) => view! {
                        <p class="ad-status ad-error" role="alert">{t.load_failed}<br/><small>{reason}</small></p>
                    }.into_any(),
                    Knowledge::Ready(_) => ().into_any(),
                }}
                <Show when=move || conversation.with(|c| c.turns.is_empty()) && !suggestions().is_empty()>
                    <section class="ad-suggestions" aria-label=t.suggestions_heading>
                        <h2>{t.suggestions_heading}</h2>
                        {move || suggestions().into_iter().map(|(entry, question)| {
                            view! { <button type="button" class="ad-chip" data-testid="suggestion" on:click=move |_| pick(entry)>{question}</button> }
                        }).collect_view()}
                    </section>
                </Show>
                <For
                    each=move || conversation.with(|c| c.turns.iter().cloned().enumerate().collect::<Vec<_>>())
                    // A pending reply turns into the stored message in place: a new key redraws it.
                    key=|(i, turn)| (*i, matches!(turn, Turn::PendingReply { .. }))
                    children=move |(_, turn): (usize, Turn)| {
                        view! { <TurnView turn=turn engine=Signal::derive(engine) locale=locale
                            on_pick=Callback::new(pick) on_escalate=Callback::new(move |()| escalate()) /> }
                    }
                />
                {move || resolved_session().map(|session| view! { <Rating locale=locale session=session /> })}
                <div id="ad-end"></div>
            </div>
            <Show when=move || escalating.get()>
                <EscalationForm locale=locale conversation=conversation engine=Signal::derive(engine)
                    identity=identity.into() open=escalating sending=escalation_sending.into()
                    error=escalation_error.into() on_send=Callback::new(send_escalation) />
            </Show>
            <Show when=move || !instant.with(Vec::is_empty)>
                <section class="ad-instant" aria-label=t.matching>
                    {move || instant.get().into_iter().map(|(entry, question)| {
                        view! { <button type="button" class="ad-chip" data-testid="instant" on:click=move |_| pick(entry)>{question}</button> }
                    }).collect_view()}
                </section>
            </Show>
            <form class="ad-composer" on:submit=on_submit>
                <input
                    node_ref=input
                    id="ad-input"
                    data-testid="ask-input"
                    type="text"
                    autocomplete="off"
                    enterkeyhint="send"
                    maxlength="500"
                    aria-label=move || if handoff.with_team.get() { t.team_placeholder } else { t.placeholder }
                    placeholder=move || if handoff.with_team.get() { t.team_placeholder } else { t.placeholder }
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button type="submit">{t.send}</button>
            </form>
        </div>
    }
}
