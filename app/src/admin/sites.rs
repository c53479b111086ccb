//! Sites: which origins may embed the assistant, the identity secret for verified visitors, and
//! the snippet to paste into the site.

use leptos::prelude::*;

use super::i18n::t;
use super::{status_line, Loaded};
use protocol::{SiteRequest, Slug};

use crate::workbench::client::ApiError;
use crate::workbench::model::Site;
use crate::workbench::workspace;

/// The tag a site pastes before `</body>`.
pub fn embed_snippet(server_origin: &str, site: &str, locale: Option<&str>) -> String {
    let locale = locale
        .filter(|l| !l.is_empty())
        .map(|l| format!(r#" data-locale="{}""#, escape_attr(l)))
        .unwrap_or_default();
    format!(
        r#"<script src="{}/embed.js" data-site="{}"{locale} defer></script>"#,
        server_origin.trim_end_matches('/'),
        escape_attr(site)
    )
}

fn escape_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// Origins one per line (or separated by spaces or commas), blanks dropped.
fn parse_origins(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn Sites() -> impl IntoView {
    let ws = workspace();
    let sites = RwSignal::new(Loaded::<Site>::Loading);
    let reload = {
        let ws = ws.clone();
        move || {
            let ws = ws.clone();
            leptos::task::spawn_local(async move {
                sites.set(match ws.desk.sites().await {
                    Ok(list) => Loaded::Ready(list),
                    Err(err) => Loaded::Failed(ws.failed(err)),
                });
            });
        }
    };
    reload();
    let on_saved = Callback::new(move |()| reload());
    view! {
        {status_line(sites)}
        <div data-testid="admin-sites">
            {move || sites.with(|s| s.items().to_vec()).into_iter().map(|site| view! { <SiteEditor site=site on_saved=on_saved /> }).collect_view()}
        </div>
        <NewSite on_saved=on_saved />
    }
}

/// A new site: its id (what the snippet's `data-site` names), name and allowed origins.
#[component]
fn NewSite(on_saved: Callback<()>) -> impl IntoView {
    let ws = workspace();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let site_id = Slug::parse(&id.get_untracked());
        let (site_name, allowed_origins) = (
            name.get_untracked().trim().to_owned(),
            parse_origins(&origins.get_untracked()),
        );
        let ws = ws.clone();
        leptos::task::spawn_local(async move {
            let created = match site_id {
                Ok(site_id) => {
                    let draft = SiteRequest {
                        id: Some(site_id),
                        name: site_name,
                        allowed_origins,
                        default_group: None,
                        visitor_groups: None,
                    };
                    ws.desk.create_site(&draft).await
                }
                Err(invalid) => Err(ApiError {
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
                    origins.set(String::new());
                    on_saved.run(());
                }
                Err(err) => error.set(Some(ws.failed(err))),
            }
        });
    };
    view! {
        <form class="wb-form" data-testid="new-site" on:submit=create>
            <h2>{t().new_site}</h2>
            <label>{t().id_slug}<input type="text" required pattern="[a-z0-9-]+" data-testid="site-id"
                prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev)) /></label>
            <label>{t().name}<input type="text" required data-testid="site-name"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <label>{t().new_site_origins}
                <textarea rows="2" data-testid="new-site-origins" prop:value=move || origins.get()
                    on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" class="wb-primary">{t().create}</button>
            {move || error.get().map(|e| view! { <p class="wb-error" role="alert">{e}</p> })}
        </form>
    }
}

#[component]
fn SiteEditor(site: Site, on_saved: Callback<()>) -> impl IntoView {
    let ws = workspace();
    let origins = RwSignal::new(site.allowed_origins.join("\n"));
    let name = RwSignal::new(site.name.clone());
    let locale = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let server_origin = crate::browser::origin();
    let site_id = site.id.clone();
    let snippet_id = site.id.clone();
    let snippet = move || embed_snippet(&server_origin, &snippet_id, Some(&locale.get()));

    let save = {
        let (ws, site) = (ws.clone(), site.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let draft = SiteRequest {
                id: Slug::parse(&site.id).ok(),
                name: name.get_untracked().trim().to_owned(),
                allowed_origins: parse_origins(&origins.get_untracked()),
                default_group: site.default_group.clone(),
                visitor_groups: None,
            };
            let (ws, id) = (ws.clone(), site.id.clone());
            leptos::task::spawn_local(async move {
                match ws.desk.save_site(&id, &draft).await {
                    Ok(()) => {
                        message.set(Some(Ok(t().saved.into())));
                        on_saved.run(());
                    }
                    Err(err) => message.set(Some(Err(ws.failed(err)))),
                }
            });
        }
    };
    let rotate = move |_| {
        let (ws, id) = (ws.clone(), site_id.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.rotate_identity_secret(&id).await {
                Ok(secret) => message.set(Some(Ok(t().new_secret(&secret)))),
                Err(err) => message.set(Some(Err(ws.failed(err)))),
            }
        });
    };

    view! {
        <form class="wb-form wb-site" data-testid="site" data-site=site.id.clone() on:submit=save>
            <h2><code>{site.id.clone()}</code></h2>
            <label>{t().name}<input type="text" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
            <label>{t().site_origins}
                <textarea rows="3" data-testid="site-origins" prop:value=move || origins.get()
                    on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
            </label>
            <p>
                {t().identity_secret}
                {if site.has_identity_secret { t().secret_set } else { t().secret_not_set }}" "
                <button type="button" class="wb-quiet" on:click=rotate>
                    {if site.has_identity_secret { t().rotate } else { t().create }}
                </button>
            </p>
            <label>{t().widget_language}
                <select on:change=move |ev| locale.set(event_target_value(&ev))>
                    <option value="">{t().visitors_browser}</option>
                    <option value="en">"English"</option>
                    <option value="zh-CN">"中文"</option>
                </select>
            </label>
            <label>{t().embed_snippet}
                <textarea readonly rows="2" class="wb-code" data-testid="embed-snippet" prop:value=snippet></textarea>
            </label>
            <button type="submit" class="wb-primary">{t().save}</button>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="wb-ok" role="status">{text}</p> }.into_any(),
                Err(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
            })}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_names_the_server_and_site() {
        assert_eq!(
            embed_snippet("https://help.example.com/", "shop", None),
            r#"<script src="https://help.example.com/embed.js" data-site="shop" defer></script>"#
        );
        assert_eq!(
            embed_snippet("https://h.example", "a\"b", Some("zh-CN")),
            r#"<script src="https://h.example/embed.js" data-site="a&quot;b" data-locale="zh-CN" defer></script>"#
        );
    }

    #[test]
    fn origins_split_on_lines_spaces_and_commas() {
        assert_eq!(
            parse_origins("https://a.example\n https://b.example, http://localhost:*\n\n"),
            [
                "https://a.example",
                "https://b.example",
                "http://localhost:*"
            ]
        );
    }
}
