//! The sign-in form. The password goes to the server once; the session is an HttpOnly cookie
//! the page cannot read, plus a CSRF token kept in memory for writes.

use super::i18n::t;
use leptos::prelude::*;

use crate::workbench::client::{self, Desk};

#[component]
pub fn Login(on_signed_in: Callback<Desk>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match client::login(e.trim(), &p).await {
                Ok(desk) => {
                    password.set(String::new());
                    on_signed_in.run(desk);
                }
                Err(err) => error.set(Some(if err.status == 401 {
                    t().wrong_credentials.to_owned()
                } else {
                    err.detail
                })),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="wb-login">
            <form on:submit=submit aria-labelledby="wb-login-title">
                <h1 id="wb-login-title">"Answerdesk"</h1>
                <p class="wb-muted">{t().sign_in_intro}</p>
                <label>
                    <span>{t().email}</span>
                    <input type="email" autocomplete="username" required data-testid="login-email"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </label>
                <label>
                    <span>{t().password}</span>
                    <input type="password" autocomplete="current-password" required data-testid="login-password"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </label>
                {move || error.get().map(|e| view! { <p class="wb-error" role="alert" data-testid="login-error">{e}</p> })}
                <button type="submit" class="wb-primary" data-testid="login-submit" disabled=move || busy.get()>
                    {move || if busy.get() { t().signing_in } else { t().sign_in }}
                </button>
            </form>
        </main>
    }
}
