//! Query analysis and search over a real snapshot (the demo knowledge base): whatever a visitor
//! types, the engine answers or escalates, it never panics. `ask` and `search` are the only ways a
//! visitor's text reaches the analysis, so they are what is fuzzed.

use std::sync::OnceLock;

use engine::{Engine, Ranker, Snapshot};

fn engines() -> &'static [Engine] {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let snapshot = Snapshot::from_bytes(&crate::snapshot_bytes())
            .expect("ANSWERDESK_FUZZ_SNAPSHOT is a snapshot this engine reads");
        Ranker::ALL
            .iter()
            .map(|&ranker| Engine::new(snapshot.clone()).with_ranker(ranker))
            .collect()
    })
}

pub fn check(data: &[u8]) {
    // The widget hands the engine JavaScript strings: lossy UTF-8 covers every text it can see.
    let query = String::from_utf8_lossy(data);
    for engine in engines() {
        let reply = engine.ask(&query);
        for candidate in &reply.candidates {
            assert!(
                candidate.score.is_finite(),
                "a non-finite score for {query:?}: {candidate:?}"
            );
        }
        let _ = engine.search(&query, 10);
    }
}
