//! Canned responses: what agents insert with `/shortcut`, with `{{contact.name}}`,
//! `{{agent.name}}` and `{{ticket.id}}` filled in.

use leptos::prelude::*;

use super::i18n::t;
use super::{status_line, Loaded};
use crate::workbench::model::CannedResponse;
use crate::workbench::workspace;
use protocol::CannedRequest;

#[component]
pub fn Canned() -> impl IntoView {
    let ws = workspace();
    let canned = RwSignal::new(Loaded::<CannedResponse>::Loading);
    let reload = {
        let ws = ws.clone();
        move || {
            let ws = ws.clone();
            leptos::task::spawn_local(async move {
                canned.set(match ws.desk.canned().await {
                    Ok(list) => Loaded::Ready(list),
                    Err(err) => Loaded::Failed(ws.failed(err)),
                });
            });
        }
    };
    reload();

    let shortcut = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let (ws_create, reload_create) = (ws.clone(), reload.clone());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = CannedRequest {
            shortcut: shortcut
                .get_untracked()
                .trim()
                .trim_start_matches('/')
                .to_owned(),
            title: title.get_untracked().trim().to_owned(),
            body: body.get_untracked(),
            group: None,
        };
        let (ws, reload) = (ws_create.clone(), reload_create.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.create_canned(&draft).await {
                Ok(()) => {
                    error.set(None);
                    shortcut.set(String::new());
                    title.set(String::new());
                    body.set(String::new());
                    reload();
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    let delete = move |id: i64| {
        let (ws, reload) = (ws.clone(), reload.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.delete_canned(id).await {
                Ok(()) => reload(),
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };

    view! {
        {status_line(canned)}
        <table class="wb-table" data-testid="admin-canned">
            <thead><tr><th>{t().shortcut}</th><th>{t().title}</th><th>{t().text}</th><th></th></tr></thead>
            <tbody>
                {move || canned.with(|c| c.items().to_vec()).into_iter().map(|c| {
                    let delete = delete.clone();
                    view! {
                        <tr>
                            <td><code>"/"{c.shortcut.clone()}</code></td>
                            <td>{c.title.clone()}</td>
                            <td class="wb-plain">{c.body.clone()}</td>
                            <td><button type="button" class="wb-quiet" on:click=move |_| delete(c.id)>{t().delete}</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <form class="wb-form" on:submit=create>
            <h2>{t().new_canned}</h2>
            <label>{t().shortcut}<input type="text" required pattern="/?[A-Za-z0-9_-]+" data-testid="canned-shortcut"
                prop:value=move || shortcut.get() on:input=move |ev| shortcut.set(event_target_value(&ev)) /></label>
            <label>{t().title}<input type="text" required data-testid="canned-title"
                prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) /></label>
            <label>{t().canned_body}
                <textarea required rows="4" data-testid="canned-body"
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" class="wb-primary">{t().save}</button>
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
        </form>
    }
}
