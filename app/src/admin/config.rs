//! The desk's settings: automatic assignment, the capacity new agents get, the SLA targets
//! that set each case's due time (the inbox sorts by it), and how long anonymous conversation
//! events are kept.

use leptos::prelude::*;

use super::i18n::t;
use crate::workbench::model::DeskConfig;
use crate::workbench::workspace;

#[component]
pub fn Config() -> impl IntoView {
    let ws = workspace();
    let config = RwSignal::new(None::<DeskConfig>);
    let message = RwSignal::new(None::<Result<String, String>>);
    {
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            match ws.desk.config().await {
                Ok(c) => config.set(Some(c)),
                Err(err) => message.set(Some(Err(ws.failed(err)))),
            }
        });
    }
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(draft) = config.get_untracked() else {
            return;
        };
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            match ws.desk.save_config(&draft).await {
                Ok(saved) => {
                    config.set(Some(saved));
                    message.set(Some(Ok(t().saved.into())));
                }
                Err(err) => message.set(Some(Err(ws.failed(err)))),
            }
        });
    };
    // A number field bound to one part of the settings.
    let number = move |label: &'static str,
                       testid: &'static str,
                       get: fn(&DeskConfig) -> i64,
                       set: fn(&mut DeskConfig, i64)| {
        view! {
            <label>{label}
                <input type="number" min="0" data-testid=testid
                    prop:value=move || config.with(|c| c.as_ref().map(get).unwrap_or_default().to_string())
                    on:input=move |ev| {
                        if let Ok(value) = event_target_value(&ev).trim().parse() {
                            config.update(|c| if let Some(c) = c { set(c, value) });
                        }
                    } />
            </label>
        }
    };
    view! {
        <form class="wb-form" data-testid="admin-config" on:submit=save>
            <label class="wb-row">
                <input type="checkbox" data-testid="config-auto-assign"
                    prop:checked=move || config.with(|c| c.as_ref().is_some_and(|c| c.auto_assign))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        config.update(|c| if let Some(c) = c { c.auto_assign = on });
                    } />
                {t().auto_assign}
            </label>
            {number(t().default_capacity, "config-capacity", |c| c.default_capacity, |c, v| c.default_capacity = v)}
            <fieldset>
                <legend>{t().sla_legend}</legend>
                {number(t().low, "config-sla-low", |c| c.sla_minutes.low, |c, v| c.sla_minutes.low = v)}
                {number(t().normal, "config-sla-normal", |c| c.sla_minutes.normal, |c, v| c.sla_minutes.normal = v)}
                {number(t().high, "config-sla-high", |c| c.sla_minutes.high, |c, v| c.sla_minutes.high = v)}
                {number(t().urgent, "config-sla-urgent", |c| c.sla_minutes.urgent, |c, v| c.sla_minutes.urgent = v)}
            </fieldset>
            {number(t().event_retention, "config-event-retention", |c| c.event_retention_days, |c, v| c.event_retention_days = v)}
            <button type="submit" class="wb-primary" disabled=move || config.with(Option::is_none)>{t().save}</button>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="wb-ok" role="status">{text}</p> }.into_any(),
                Err(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
            })}
        </form>
    }
}
