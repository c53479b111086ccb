//! The load of `cargo xtask bench reports` against a running server: seeds a database in bulk
//! (conversation events and tickets, through the store), then times every report endpoint over
//! HTTP and event ingest through `POST /api/v1/events`. Prints one `BENCH key=value …` line per
//! figure for xtask to read.
//!
//! `reports_load DATABASE_URL BASE_URL EVENTS TICKETS`

use std::time::{Duration, Instant};

use protocol::{Day, Priority, ReportTable, DAY_MS};
use server::domain::Role;
use server::store::{now_ms, SeedEvent, SeedTicket, Store};

/// Conversations are spread over this many days before today, so reports over 30, 90 and 365
/// days all read real data.
const SPREAD_DAYS: i64 = 365;
/// Timed runs per endpoint (after one warm-up); the median is reported.
const RUNS: usize = 5;
/// Event ingest: concurrent clients, batches of 100, this many batches each.
const INGEST_CLIENTS: usize = 8;
const INGEST_BATCHES: usize = 50;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, database_url, base, events, tickets] = args.as_slice() else {
        anyhow::bail!("usage: reports_load DATABASE_URL BASE_URL EVENTS TICKETS");
    };
    let (events, tickets): (usize, usize) = (events.parse()?, tickets.parse()?);
    let store = Store::connect(database_url).await?;
    let today = Day::of_ms(now_ms());
    let start = (today.0 - SPREAD_DAYS) * DAY_MS;

    let began = Instant::now();
    seed_events(&store, events, start).await?;
    println!(
        "BENCH seed_events={events} ms={}",
        began.elapsed().as_millis()
    );
    let began = Instant::now();
    seed_tickets(&store, tickets, start).await?;
    println!(
        "BENCH seed_tickets={tickets} ms={}",
        began.elapsed().as_millis()
    );

    let password = store
        .create_agent("bench@answerdesk.local", "Bench", Role::Admin, &[])
        .await?;
    let client = reqwest::Client::new();
    let signed_in = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "email": "bench@answerdesk.local", "password": password }))
        .send()
        .await?
        .error_for_status()?;
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .collect::<Vec<_>>()
        .join("; ");

    // The first report folds the seeded events into the roll-ups (the server's job would
    // otherwise within 10 s): timed on its own, as a one-off.
    let began = Instant::now();
    let first = client
        .get(format!(
            "{base}/api/v1/admin/reports?from={}&to={today}",
            Day(today.0 - 365)
        ))
        .header("cookie", &cookie)
        .send()
        .await?
        .error_for_status()?
        .json::<protocol::Report>()
        .await?;
    println!(
        "BENCH rollup_ms={} conversations={}",
        began.elapsed().as_millis(),
        first.conversations.total.total
    );

    for days in [30, 90, 366] {
        let query = format!("from={}&to={today}", Day(today.0 - (days - 1)));
        let ms = median_ms(
            &client,
            &cookie,
            &format!("{base}/api/v1/admin/reports?{query}"),
        )
        .await?;
        println!("BENCH endpoint=report days={days} ms={ms:.1}");
    }
    let query = format!("from={}&to={today}", Day(today.0 - 89));
    let ms = median_ms(
        &client,
        &cookie,
        &format!("{base}/api/v1/admin/reports?{query}&site=demo&group=general"),
    )
    .await?;
    println!("BENCH endpoint=report-site-group days=90 ms={ms:.1}");
    for table in ReportTable::ALL {
        let url = format!("{base}{}?{query}", protocol::paths::admin_report_csv(table));
        let ms = median_ms(&client, &cookie, &url).await?;
        println!("BENCH endpoint={}.csv days=90 ms={ms:.1}", table.as_str());
    }

    ingest(&client, base, &store).await;
    Ok(())
}

/// Times `url` [`RUNS`] times after a warm-up; the median in milliseconds.
async fn median_ms(client: &reqwest::Client, cookie: &str, url: &str) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for run in 0..=RUNS {
        let began = Instant::now();
        let response = client.get(url).header("cookie", cookie).send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        response.bytes().await?;
        if run > 0 {
            times.push(began.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// About four events per conversation, in the mix a widget produces: most answered (some with
/// a verdict), some clarified, some without an answer, one in eight escalated, a few rated.
async fn seed_events(store: &Store, events: usize, start: i64) -> anyhow::Result<()> {
    let entries: Vec<String> = (0..200).map(|i| format!("entry-{i:03}")).collect();
    let reasons = ["requested", "no_answer", "no_choice_fitted", "not_helpful"];
    let span = SPREAD_DAYS * DAY_MS;
    let mut batch = Vec::with_capacity(50_000);
    let mut written = 0;
    let mut n: u64 = 0;
    while written < events {
        n += 1;
        let conversation = format!("c-{n:012}");
        let at = start + ((n.wrapping_mul(2_654_435_761)) % span as u64) as i64;
        let entry = entries[(n % 200) as usize].clone();
        let event = |kind: &'static str, offset: i64| SeedEvent {
            site_id: "demo".into(),
            conversation: conversation.clone(),
            kind,
            occurred_at: at + offset,
            ..SeedEvent::default()
        };
        match n % 8 {
            0 => {
                batch.push(event("no_answer", 0));
                batch.push(SeedEvent {
                    reason: Some(reasons[(n / 8 % 4) as usize]),
                    text: Some("where is my parcel".into()),
                    ..event("escalated", 1000)
                });
            }
            1 => {
                batch.push(event("clarified", 0));
                batch.push(SeedEvent {
                    entry_id: Some(entry.clone()),
                    ..event("chose", 1000)
                });
            }
            2 => batch.push(event("no_answer", 0)),
            3 => batch.push(event("clarified", 0)),
            _ => {
                batch.push(SeedEvent {
                    entry_id: Some(entry.clone()),
                    ..event("answered", 0)
                });
                batch.push(SeedEvent {
                    entry_id: Some(entry.clone()),
                    helpful: Some(!n.is_multiple_of(3)),
                    ..event("helpful", 1000)
                });
                batch.push(SeedEvent {
                    entry_id: Some(entries[((n + 7) % 200) as usize].clone()),
                    ..event("answered", 2000)
                });
                if n.is_multiple_of(5) {
                    batch.push(SeedEvent {
                        score: Some((n % 5 + 1) as i64),
                        text: n.is_multiple_of(10).then(|| "quick answer, thanks".into()),
                        ..event("rated", 3000)
                    });
                }
            }
        }
        if batch.len() >= 50_000 || written + batch.len() >= events {
            batch.truncate(events - written);
            written += batch.len();
            store.seed_conversation_events(&batch).await?;
            batch.clear();
        }
    }
    Ok(())
}

async fn seed_tickets(store: &Store, tickets: usize, start: i64) -> anyhow::Result<()> {
    let priorities = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    let types = ["question", "incident", "problem", "task"];
    let tags = ["refund", "shipping", "billing", "account", "bug"];
    let span = SPREAD_DAYS * DAY_MS;
    let hour = 3_600_000;
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..tickets as i64 {
        let created = start + (i.wrapping_mul(2_654_435_761) % span).abs();
        let priority = priorities[(i % 4) as usize];
        let target = [24 * hour, 8 * hour, 4 * hour, hour][(i % 4) as usize];
        let answered = (i % 10 != 0).then(|| created + (i % 7 + 1) * target / 4);
        batch.push(SeedTicket {
            public_id: format!("T-B{i:08}"),
            site_id: "demo".into(),
            group_id: Some("general".into()),
            assignee_id: None,
            priority,
            ticket_type: types[(i % 4) as usize],
            tags: vec![tags[(i % 5) as usize].into()],
            created_at: created,
            sla_due_at: Some(created + target),
            first_response_at: answered,
            resolved_at: (i % 3 != 0).then(|| created + (i % 48 + 1) * hour),
            rating: (i % 4 == 0).then(|| {
                (
                    (i % 5 + 1),
                    (i % 8 == 0).then(|| "ok".into()),
                    created + 50 * hour,
                )
            }),
        });
        if batch.len() == 10_000 {
            store.seed_tickets(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.seed_tickets(&batch).await?;
    }
    Ok(())
}

/// `POST /api/v1/events` from several clients at once, batches of 100; counts what was sent,
/// acknowledged and stored. Prints `ingest=unavailable` when the server has no such endpoint.
async fn ingest(client: &reqwest::Client, base: &str, store: &Store) {
    let probe = client
        .post(format!("{base}{}", "/api/v1/events"))
        .json(&batch("probe-00000000", 0))
        .send()
        .await;
    match probe {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => {
            println!("BENCH ingest=unavailable status={}", r.status().as_u16());
            return;
        }
        Err(err) => {
            println!("BENCH ingest=unavailable error={err}");
            return;
        }
    }
    let before = store.count_conversation_events().await.unwrap_or(0);
    let began = Instant::now();
    let mut clients = Vec::new();
    for c in 0..INGEST_CLIENTS {
        let (client, url) = (client.clone(), format!("{base}/api/v1/events"));
        clients.push(tokio::spawn(async move {
            let mut accepted = 0usize;
            for b in 0..INGEST_BATCHES {
                let body = batch(&format!("bench-{c:03}-{b:06}"), c * INGEST_BATCHES + b);
                let ok = client
                    .post(&url)
                    .timeout(Duration::from_secs(10))
                    .json(&body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ok {
                    accepted += body.events.len();
                }
            }
            accepted
        }));
    }
    let mut accepted = 0;
    for client in clients {
        accepted += client.await.unwrap_or(0);
    }
    let seconds = began.elapsed().as_secs_f64();
    let stored = store.count_conversation_events().await.unwrap_or(0) - before;
    let sent = INGEST_CLIENTS * INGEST_BATCHES * protocol::MAX_EVENTS_PER_BATCH;
    println!(
        "BENCH ingest=done sent={sent} accepted={accepted} stored={stored} seconds={seconds:.2} per_second={:.0}",
        stored as f64 / seconds
    );
}

/// A full batch of one conversation's worth of answered events per ten.
fn batch(id: &str, seed: usize) -> protocol::EventBatch {
    let now = now_ms();
    protocol::EventBatch {
        batch_id: id.to_owned(),
        site: protocol::Slug::parse("demo").expect("a slug"),
        events: (0..protocol::MAX_EVENTS_PER_BATCH)
            .map(|i| protocol::ConversationEvent {
                conversation: format!("ingest-{seed:06}-{:02}", i / 10),
                at: now,
                locale: Some("en".into()),
                kind: protocol::EventKind::Answered {
                    entry: format!("entry-{:03}", i % 200),
                    confidence: 0.8,
                    text: None,
                },
            })
            .collect(),
    }
}
