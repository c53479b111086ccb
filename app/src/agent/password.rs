//! "Change password" in the workbench header: the current password, the new one twice.
//!
//! The server checks the current password (throttled like a sign-in) and ends the agent's other
//! sessions, so a password changed because it leaked also signs the intruder out.

use leptos::prelude::*;

use super::i18n::{t, Texts};
use crate::workbench::workspace;

/// Shortest new password the server accepts.
const MIN_CHARS: usize = 12;

/// Why the form's new password cannot be sent, before asking the server.
fn check(texts: &Texts, new: &str, repeated: &str) -> Result<(), &'static str> {
    if new.chars().count() < MIN_CHARS {
        return Err(texts.password_too_short);
    }
    if new != repeated {
        return Err(texts.passwords_differ);
    }
    Ok(())
}

/// The form, shown under the header while `open` is set.
#[component]
pub fn ChangePassword(open: RwSignal<bool>) -> impl IntoView {
    let ws = workspace();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeated = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (old, wanted) = (current.get_untracked(), new.get_untracked());
        if let Err(reason) = check(t(), &wanted, &repeated.get_untracked()) {
            outcome.set(Some(Err(reason.to_owned())));
            return;
        }
        busy.set(true);
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            let result = ws.desk.change_password(&old, &wanted).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    repeated.set(String::new());
                    outcome.set(Some(Ok(t().password_changed.to_owned())));
                }
                Err(err) => outcome.set(Some(Err(ws.failed(err)))),
            }
        });
    };
    let field = move |label: &'static str,
                      value: RwSignal<String>,
                      testid: &'static str,
                      autocomplete: &'static str| {
        view! {
            <label>{label}
                <input type="password" required data-testid=testid autocomplete=autocomplete
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    move || {
        let submit = submit.clone();
        open.get().then(|| {
            view! {
                <form class="wb-form" data-testid="change-password" on:submit=submit>
                    <h2>{t().change_password}</h2>
                    {field(t().current_password, current, "current-password", "current-password")}
                    {field(t().new_password, new, "new-password", "new-password")}
                    {field(t().repeat_password, repeated, "repeat-password", "new-password")}
                    <button type="submit" class="wb-primary" disabled=move || busy.get()>{t().save_password}</button>
                    <button type="button" class="wb-quiet" on:click=move |_| { outcome.set(None); open.set(false); }>{t().cancel}</button>
                    {move || outcome.get().map(|o| match o {
                        Ok(message) => view! { <p class="wb-ok" role="status" data-testid="password-result">{message}</p> }.into_any(),
                        Err(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
                    })}
                </form>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::agent::i18n::TEXTS;
    use crate::i18n::Locale;

    #[test]
    fn the_form_refuses_short_or_mismatched_passwords_before_asking() {
        let en = TEXTS.get(Locale::En);
        assert_eq!(check(en, "short", "short"), Err(en.password_too_short));
        assert_eq!(
            check(en, "long enough pass", "long enough pasS"),
            Err(en.passwords_differ)
        );
        assert_eq!(check(en, "long enough pass", "long enough pass"), Ok(()));
        // Twelve Chinese characters are twelve characters.
        let zh = TEXTS.get(Locale::ZhCn);
        assert_eq!(
            check(
                zh,
                "十二个字的密码真的很长啊啊",
                "十二个字的密码真的很长啊啊"
            ),
            Ok(())
        );
    }
}
