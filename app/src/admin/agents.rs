//! Agents (invite with a one-time password) and skill groups.

use leptos::prelude::*;

use super::i18n::{t, Texts};
use super::{status_line, Loaded};
use crate::workbench::model::{Agent, Group};
use crate::workbench::workspace;
use protocol::{AgentUpdate, NewAgentRequest, Slug};

#[component]
pub fn Agents() -> impl IntoView {
    let ws = workspace();
    let agents = RwSignal::new(Loaded::<Agent>::Loading);
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
    let on_saved = {
        let reload = reload.clone();
        Callback::new(move |()| reload())
    };

    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("agent".to_owned());
    let group = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let invite = NewAgentRequest {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            role: role
                .get_untracked()
                .parse()
                .unwrap_or(protocol::Role::Agent),
            groups: Some(group.get_untracked())
                .filter(|g| !g.is_empty())
                .into_iter()
                .collect(),
        };
        let (ws, reload) = (ws.clone(), reload.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.invite_agent(&invite).await {
                Ok(created) => {
                    outcome.set(Some(Ok(t().invited(&invite.email, &created.password))));
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
            <thead><tr><th>{t().name}</th><th>{t().email}</th><th>{t().role}</th><th>{t().groups}</th><th>{t().capacity}</th><th>{t().available}</th><th>{t().enabled}</th><th></th></tr></thead>
            <tbody>
                {move || agents.with(|a| a.items().to_vec()).into_iter().map(|a| {
                    view! { <AgentRow agent=a on_saved=on_saved /> }
                }).collect_view()}
            </tbody>
        </table>
        <form class="wb-form" data-testid="invite-agent" on:submit=invite>
            <h2>{t().invite_heading}</h2>
            <label>{t().email}<input type="email" required data-testid="invite-email"
                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) /></label>
            <label>{t().name}<input type="text" required data-testid="invite-name"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <label>{t().role}
                <select on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="agent">{t().role_agent}</option>
                    <option value="admin">{t().role_admin}</option>
                </select>
            </label>
            <label>{t().group}
                <select on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">{t().default_group}</option>
                    {move || groups.get().into_iter().map(|g| view! { <option value=g.id.clone()>{g.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="wb-primary">{t().invite}</button>
            {move || outcome.get().map(|o| match o {
                Ok(message) => view! { <p class="wb-ok" role="status" data-testid="invite-result">{message}</p> }.into_any(),
                Err(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
            })}
        </form>
    }
}

/// One agent, editable in place: role, groups (comma-separated ids), capacity, enabled.
#[component]
fn AgentRow(agent: Agent, on_saved: Callback<()>) -> impl IntoView {
    let ws = workspace();
    let role = RwSignal::new(agent.role.as_str().to_owned());
    let groups = RwSignal::new(agent.groups.join(", "));
    let capacity = RwSignal::new(agent.capacity.to_string());
    let enabled = RwSignal::new(!agent.disabled);
    let error = RwSignal::new(None::<String>);
    let id = agent.id;
    // Resetting ends the agent's sessions: the first click only arms the button.
    let reset_armed = RwSignal::new(false);
    let reset_result = RwSignal::new(None::<String>);
    let ws_reset = ws.clone();
    let email = agent.email.clone();
    let reset = move |_| {
        if !reset_armed.get_untracked() {
            reset_armed.set(true);
            return;
        }
        reset_armed.set(false);
        let (ws, email) = (ws_reset.clone(), email.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.reset_password(id).await {
                Ok(created) => {
                    error.set(None);
                    reset_result.set(Some(t().password_reset(&email, &created.password)));
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    let save = move |_| {
        let update = match agent_update(
            t(),
            &role.get_untracked(),
            &groups.get_untracked(),
            &capacity.get_untracked(),
            enabled.get_untracked(),
        ) {
            Ok(update) => update,
            Err(reason) => {
                error.set(Some(reason));
                return;
            }
        };
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            match ws.desk.update_agent(id, &update).await {
                Ok(()) => {
                    error.set(None);
                    on_saved.run(());
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    let current_role = role.get_untracked();
    view! {
        <tr data-testid="agent-row" data-email=agent.email.clone()>
            <td>{agent.name.clone()}</td>
            <td>{agent.email.clone()}</td>
            <td><select data-testid="agent-role" on:change=move |ev| role.set(event_target_value(&ev))>
                <option value="agent" selected=current_role == "agent">{t().role_agent}</option>
                <option value="admin" selected=current_role == "admin">{t().role_admin}</option>
            </select></td>
            <td><input type="text" size="14" data-testid="agent-groups" prop:value=move || groups.get()
                on:input=move |ev| groups.set(event_target_value(&ev)) /></td>
            <td><input type="number" min="0" max="100" style="width: 5em" data-testid="agent-capacity" prop:value=move || capacity.get()
                on:input=move |ev| capacity.set(event_target_value(&ev)) /></td>
            <td>{if agent.available { t().yes } else { t().away }}</td>
            <td><input type="checkbox" data-testid="agent-enabled" prop:checked=move || enabled.get()
                on:change=move |ev| enabled.set(event_target_checked(&ev)) /></td>
            <td>
                <button type="button" class="wb-quiet" data-testid="agent-save" on:click=save>{t().save}</button>
                <button type="button" class="wb-quiet" data-testid="agent-reset-password" on:click=reset>
                    {move || if reset_armed.get() { t().confirm_reset } else { t().reset_password }}
                </button>
                {move || error.get().map(|e| view! { <span class="wb-error" role="alert">{e}</span> })}
                {move || reset_result.get().map(|m| view! { <p class="wb-ok" role="status" data-testid="agent-reset-result">{m}</p> })}
            </td>
        </tr>
    }
}

/// The change an agent row describes, or why it is not one.
fn agent_update(
    texts: &Texts,
    role: &str,
    groups: &str,
    capacity: &str,
    enabled: bool,
) -> Result<AgentUpdate, String> {
    let capacity: i64 = capacity
        .trim()
        .parse()
        .map_err(|_| texts.not_a_number(capacity))?;
    let mut groups: Vec<String> = groups
        .split([',', ' ', '，'])
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    groups.dedup();
    Ok(AgentUpdate {
        role: role.parse().ok(),
        groups: Some(groups),
        capacity: Some(capacity),
        disabled: Some(!enabled),
        ..AgentUpdate::default()
    })
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
    let on_changed = {
        let reload = reload.clone();
        Callback::new(move |()| reload())
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (ws, reload) = (ws.clone(), reload.clone());
        let (new_id, new_name) = (id.get_untracked(), name.get_untracked());
        leptos::task::spawn_local(async move {
            let created = match Slug::parse(&new_id) {
                Ok(id) => ws.desk.create_group(id, new_name.trim()).await,
                Err(invalid) => Err(crate::workbench::client::ApiError {
                    status: 422,
                    detail: invalid.to_string(),
                    field: Some("id".into()),
                }),
            };
            match created {
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
            <thead><tr><th>{t().id}</th><th>{t().name}</th><th>{t().members}</th><th></th></tr></thead>
            <tbody>
                {move || groups.with(|g| g.items().to_vec()).into_iter().map(|g| {
                    view! { <GroupRow group=g on_changed=on_changed error=error /> }
                }).collect_view()}
            </tbody>
        </table>
        <form class="wb-form" on:submit=create>
            <h2>{t().new_group}</h2>
            <label>{t().id_slug}<input type="text" required pattern="[a-z0-9-]+" data-testid="group-id"
                prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev)) /></label>
            <label>{t().name}<input type="text" required data-testid="group-name"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <button type="submit" class="wb-primary">{t().create}</button>
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
        </form>
    }
}

/// One group: rename in place, or delete (the server keeps the default group and sites'
/// defaults).
#[component]
fn GroupRow(
    group: Group,
    on_changed: Callback<()>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let ws = workspace();
    let name = RwSignal::new(group.name.clone());
    let (ws_delete, id_delete) = (ws.clone(), group.id.clone());
    let id = group.id.clone();
    let rename = move |_| {
        let (ws, id) = (ws.clone(), id.clone());
        let name = name.get_untracked().trim().to_owned();
        leptos::task::spawn_local(async move {
            match ws.desk.rename_group(&id, &name).await {
                Ok(()) => on_changed.run(()),
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    let delete = move |_| {
        let (ws, id) = (ws_delete.clone(), id_delete.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.delete_group(&id).await {
                Ok(()) => on_changed.run(()),
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    view! {
        <tr data-testid="group-row" data-group=group.id.clone()>
            <td><code>{group.id.clone()}</code></td>
            <td><input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></td>
            <td>{group.members.join(", ")}</td>
            <td>
                <button type="button" class="wb-quiet" on:click=rename>{t().rename}</button>
                <button type="button" class="wb-quiet" on:click=delete>{t().delete}</button>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::agent_update;
    use crate::admin::i18n::TEXTS;
    use crate::i18n::Locale;

    #[test]
    fn an_agent_row_becomes_an_update() {
        let update = agent_update(
            TEXTS.get(Locale::En),
            "admin",
            "general, billing，billing",
            " 3 ",
            false,
        )
        .unwrap();
        assert_eq!(update.groups.unwrap(), ["general", "billing"]);
        assert_eq!((update.capacity, update.disabled), (Some(3), Some(true)));
        assert_eq!(
            agent_update(TEXTS.get(Locale::En), "agent", "", "many", true).unwrap_err(),
            "capacity \"many\" is not a number"
        );
    }
}
