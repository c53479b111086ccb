//! Agents (invite with a one-time password) and skill groups.

use leptos::prelude::*;

use super::{status_line, Loaded};
use crate::agent::client::AgentInvite;
use crate::agent::model::{AdminAgent, Group};
use crate::agent::workspace;

#[component]
pub fn Agents() -> impl IntoView {
    let ws = workspace();
    let agents = RwSignal::new(Loaded::<AdminAgent>::Loading);
    let groups = RwSignal::new(Vec::<Group>::new());
    let reload = {
        let ws = ws.clone();
        move || {
            let ws = ws.clone();
            leptos::task::spawn_local(async move {
                agents.set(match ws.desk.admin_agents().await {
                    Ok(list) => Loaded::Ready(list),
                    Err(err) => Loaded::Failed(ws.failed(err)),
                });
                if let Ok(list) = ws.desk.groups().await {
                    groups.set(list);
                }
            });
        }
    };
    reload();

    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("agent".to_owned());
    let group = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let invite = AgentInvite {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            groups: Some(group.get_untracked())
                .filter(|g| !g.is_empty())
                .into_iter()
                .collect(),
        };
        let (ws, reload) = (ws.clone(), reload.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.invite_agent(&invite).await {
                Ok(created) => {
                    outcome.set(Some(Ok(format!(
                        "{} can now sign in with the one-time password {} (shown only now).",
                        invite.email, created.password
                    ))));
                    email.set(String::new());
                    name.set(String::new());
                    reload();
                }
                Err(err) => outcome.set(Some(Err(ws.failed(err)))),
            }
        });
    };

    view! {
        {status_line(agents)}
        <table class="wb-table" data-testid="admin-agents">
            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Groups"</th><th>"Available"</th></tr></thead>
            <tbody>
                {move || agents.with(|a| a.items().to_vec()).into_iter().map(|a| view! {
                    <tr>
                        <td>{a.name.clone()}</td>
                        <td>{a.email.clone()}</td>
                        <td>{format!("{:?}", a.role).to_lowercase()}</td>
                        <td>{a.groups.join(", ")}</td>
                        <td>{if a.available { "yes" } else { "away" }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <form class="wb-form" data-testid="invite-agent" on:submit=invite>
            <h2>"Invite an agent"</h2>
            <label>"Email"<input type="email" required data-testid="invite-email"
                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) /></label>
            <label>"Name"<input type="text" required data-testid="invite-name"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <label>"Role"
                <select on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="agent">"agent"</option>
                    <option value="admin">"admin"</option>
                </select>
            </label>
            <label>"Group"
                <select on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">"default"</option>
                    {move || groups.get().into_iter().map(|g| view! { <option value=g.id.clone()>{g.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="wb-primary">"Invite"</button>
            {move || outcome.get().map(|o| match o {
                Ok(message) => view! { <p class="wb-ok" role="status" data-testid="invite-result">{message}</p> }.into_any(),
                Err(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
            })}
        </form>
    }
}

#[component]
pub fn Groups() -> impl IntoView {
    let ws = workspace();
    let groups = RwSignal::new(Loaded::<Group>::Loading);
    let reload = {
        let ws = ws.clone();
        move || {
            let ws = ws.clone();
            leptos::task::spawn_local(async move {
                groups.set(match ws.desk.groups().await {
                    Ok(list) => Loaded::Ready(list),
                    Err(err) => Loaded::Failed(ws.failed(err)),
                });
            });
        }
    };
    reload();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (ws, reload) = (ws.clone(), reload.clone());
        let (new_id, new_name) = (id.get_untracked(), name.get_untracked());
        leptos::task::spawn_local(async move {
            match ws.desk.create_group(new_id.trim(), new_name.trim()).await {
                Ok(()) => {
                    error.set(None);
                    id.set(String::new());
                    name.set(String::new());
                    reload();
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    view! {
        {status_line(groups)}
        <table class="wb-table" data-testid="admin-groups">
            <thead><tr><th>"Id"</th><th>"Name"</th></tr></thead>
            <tbody>
                {move || groups.with(|g| g.items().to_vec()).into_iter().map(|g| view! {
                    <tr><td><code>{g.id.clone()}</code></td><td>{g.name.clone()}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <form class="wb-form" on:submit=create>
            <h2>"New group"</h2>
            <label>"Id (slug)"<input type="text" required pattern="[a-z0-9-]+" data-testid="group-id"
                prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev)) /></label>
            <label>"Name"<input type="text" required data-testid="group-name"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <button type="submit" class="wb-primary">"Create"</button>
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
        </form>
    }
}
