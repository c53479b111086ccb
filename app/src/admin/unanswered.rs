//! Unanswered questions: what visitors asked that the assistant could not answer, grouped by
//! meaning on the server with the site's own engine, biggest group first. Each group shows its
//! size, its trend and its newest questions; the team dismisses it, marks it covered, or adds an
//! answer pre-filled with its wordings.

use leptos::prelude::*;
use protocol::{Cluster, ClusterList, ClusterMark, ClusterState, Slug};

use super::i18n::t;
use crate::agent::clock;
use crate::workbench::{kb_draft, workspace, AdminPage, Page};

/// The windows offered, in days (the labels are `t().windows`).
const WINDOWS: [u32; 3] = [7, 30, 90];

#[derive(Debug, Clone, PartialEq)]
enum Listing {
    Loading,
    Ready(ClusterList),
    Failed(String),
}

#[component]
pub fn Unanswered() -> impl IntoView {
    let ws = workspace();
    let sites = RwSignal::new(Vec::<String>::new());
    let site = RwSignal::new(String::new());
    let days = RwSignal::new(30u32);
    let listing = RwSignal::new(Listing::Loading);
    let note = RwSignal::new(None::<String>);

    let reload = {
        let ws = ws.clone();
        move || {
            let (ws, site_id, window) = (ws.clone(), site.get_untracked(), days.get_untracked());
            if site_id.is_empty() {
                return;
            }
            listing.set(Listing::Loading);
            leptos::task::spawn_local(async move {
                listing.set(match ws.desk.clusters(&site_id, window).await {
                    Ok(list) => Listing::Ready(list),
                    Err(err) => Listing::Failed(ws.failed(err)),
                });
            });
        }
    };
    {
        let (ws, reload) = (ws.clone(), reload.clone());
        leptos::task::spawn_local(async move {
            match ws.desk.sites().await {
                Ok(list) => {
                    let ids: Vec<String> = list.into_iter().map(|s| s.id).collect();
                    site.set(ids.first().cloned().unwrap_or_default());
                    sites.set(ids);
                    reload();
                }
                Err(err) => listing.set(Listing::Failed(ws.failed(err))),
            }
        });
    }

    let mark = {
        let (ws, reload) = (ws.clone(), reload.clone());
        move |id: i64, state: ClusterState| {
            let Ok(site_id) = Slug::parse(&site.get_untracked()) else {
                return;
            };
            let request = ClusterMark {
                site: site_id,
                days: days.get_untracked(),
                state,
            };
            let (ws, reload) = (ws.clone(), reload.clone());
            leptos::task::spawn_local(async move {
                match ws.desk.mark_cluster(id, &request).await {
                    Ok(marked) => {
                        note.set(Some(t().marked(marked.questions)));
                        reload();
                    }
                    Err(err) => note.set(Some(ws.failed(err))),
                }
            });
        }
    };

    let (reload_site, reload_days) = (reload.clone(), reload);
    view! {
        <form class="wb-filters" on:submit=|ev| ev.prevent_default()>
            <label>{t().site}
                <select data-testid="unanswered-site" on:change=move |ev| { site.set(event_target_value(&ev)); reload_site(); }>
                    {move || sites.get().into_iter().map(|id| {
                        let selected = id == site.get_untracked();
                        view! { <option value=id.clone() selected=selected>{id.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{t().window}
                <select data-testid="unanswered-window" on:change=move |ev| {
                    days.set(event_target_value(&ev).parse().unwrap_or(30));
                    reload_days();
                }>
                    {WINDOWS.into_iter().zip(t().windows).map(|(d, label)| {
                        view! { <option value=d.to_string() selected=d == 30>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
        </form>
        {move || note.get().map(|n| view! { <p class="wb-muted" role="status">{n}</p> })}
        {move || match listing.get() {
            Listing::Loading => view! { <p class="wb-muted">{t().loading}</p> }.into_any(),
            Listing::Failed(reason) => view! { <p class="wb-error" role="alert">{reason}</p> }.into_any(),
            Listing::Ready(list) if list.clusters.is_empty() => {
                view! { <p class="wb-muted" data-testid="unanswered-empty">{t().nothing_unanswered}</p> }.into_any()
            }
            Listing::Ready(list) => {
                let mark = mark.clone();
                view! {
                    <p>{t().unanswered_summary(list.questions, list.clusters.len())}</p>
                    <ol class="wb-clusters">
                        {list.clusters.into_iter().map(|cluster| {
                            view! { <ClusterCard cluster=cluster site=site.get_untracked() mark=mark.clone() /> }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }
        }}
    }
}

#[component]
fn ClusterCard(
    cluster: Cluster,
    /// The site the list is of: the knowledge base an answer goes to.
    site: String,
    mark: impl Fn(i64, ClusterState) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let ws = workspace();
    let id = cluster.id;
    // A new entry with the group's wordings, opened on the Knowledge base page.
    let handoff = kb_draft::from_cluster(&site, &cluster);
    let add_answer = move |_| {
        kb_draft::hand_over(handoff.clone());
        ws.go(Page::Admin(AdminPage::Kb));
    };
    let (dismiss, covered) = (mark.clone(), mark);
    view! {
        <li class="wb-cluster" data-testid="cluster" data-cluster-id=id.to_string()>
            <header>
                <h2 data-testid="cluster-title">{cluster.title.clone()}</h2>
                <span class="wb-badge" data-testid="cluster-size">{t().asked_times(cluster.size)}</span>
            </header>
            <p class="wb-muted">
                {t().trend(cluster.last_week, cluster.week_before)}" · "
                {t().seen(&clock::date(cluster.first_seen), &clock::date(cluster.last_seen))}
            </p>
            <ul class="wb-examples">
                {cluster.examples.iter().map(|q| view! {
                    <li data-testid="cluster-example">
                        <q class="wb-plain">{q.text.clone()}</q>
                        <span class="wb-muted">" — "{t().outcome(&q.outcome)}", "{clock::date(q.at)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <div class="wb-actions">
                <button type="button" data-testid="cluster-add-answer" on:click=add_answer>{t().add_answer}</button>
                <button type="button" class="wb-quiet" data-testid="cluster-dismiss"
                    on:click=move |_| dismiss(id, ClusterState::Dismissed)>{t().dismiss}</button>
                <button type="button" class="wb-quiet" data-testid="cluster-covered"
                    on:click=move |_| covered(id, ClusterState::Covered)>{t().mark_covered}</button>
            </div>
        </li>
    }
}
