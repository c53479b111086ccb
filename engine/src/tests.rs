//! End-to-end tests over a small bilingual knowledge base: build, serialize, load,
//! ask. They run natively and, through wasm-bindgen-test, in a browser.

use crate::snapshot::{fnv1a64, FORMAT_VERSION, MAGIC};
use crate::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

/// An entry as a site owner writes one; shared with `crate::visitor_questions`.
pub(crate) fn entry(
    id: &str,
    locale: &str,
    question: &str,
    alternates: &[&str],
    answer: &str,
) -> Entry {
    Entry {
        id: id.into(),
        locale: locale.into(),
        question: question.into(),
        alternates: alternates.iter().map(|s| s.to_string()).collect(),
        answer_html: format!("<p>{answer}</p>"),
        answer_text: answer.into(),
        category: "general".into(),
        tags: vec![],
        links: vec![],
    }
}

fn kb() -> Vec<Entry> {
    vec![
        entry(
            "refund-time",
            "en",
            "How long does a refund take?",
            &["When will I get my money back?", "refund processing time"],
            "Refunds reach your card within 5 business days.",
        ),
        entry(
            "delivery-status",
            "en",
            "Where is my delivery?",
            &["track my parcel", "my package has not arrived"],
            "Use the tracking link in your confirmation email.",
        ),
        entry(
            "reset-password",
            "en",
            "How do I reset my account password?",
            &["forgot my password", "change login password"],
            "Click 'Forgot password' on the sign-in page.",
        ),
        entry(
            "reset-pin",
            "en",
            "How do I reset my card PIN?",
            &["forgot my PIN", "change card PIN"],
            "Open the app, choose Card, then Reset PIN.",
        ),
        entry(
            "error-a12",
            "en",
            "What does error A12-345 mean?",
            &["payment failed with A12-345"],
            "A12-345 means the bank declined the payment.",
        ),
        entry(
            "退款时间",
            "zh-CN",
            "退款多久到账？",
            &["钱什么时候退回来", "退款要几天"],
            "退款将在5个工作日内退回原支付账户。",
        ),
        entry(
            "修改地址",
            "zh-CN",
            "怎么修改收货地址？",
            &["地址填错了怎么办", "更改配送地址"],
            "在订单详情页点击“修改地址”。",
        ),
    ]
}

fn engine() -> Engine {
    let snapshot = build(kb(), &BuildOptions::default()).unwrap();
    Engine::from_bytes(&snapshot.to_bytes()).unwrap()
}

fn id_of(engine: &Engine, entry: usize) -> &str {
    &engine.entries()[entry].id
}

fn top_id(engine: &Engine, query: &str) -> String {
    let candidates = engine.search(query, 3);
    assert!(!candidates.is_empty(), "no candidates for {query:?}");
    id_of(engine, candidates[0].entry).to_string()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn exact_question_is_answered() {
    let engine = engine();
    for (query, id) in [
        ("How long does a refund take?", "refund-time"),
        ("Where is my delivery?", "delivery-status"),
        ("退款多久到账？", "退款时间"),
        ("怎么修改收货地址", "修改地址"),
    ] {
        let reply = engine.ask(query);
        match &reply.decision {
            Decision::Answer { entry } => assert_eq!(id_of(&engine, *entry), id, "{query}"),
            _ => panic!("{query}: expected an answer, got {reply:?}"),
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn ambiguous_question_asks_to_choose() {
    let engine = engine();
    let reply = engine.ask("reset");
    match &reply.decision {
        Decision::Clarify { entries } => {
            let ids: Vec<&str> = entries.iter().map(|&e| id_of(&engine, e)).collect();
            assert!(
                ids.contains(&"reset-password") && ids.contains(&"reset-pin"),
                "{ids:?}"
            );
        }
        other => panic!("expected clarify, got {other:?}"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn unrelated_question_escalates() {
    let engine = engine();
    assert_eq!(
        engine.ask("quantum chromodynamics lattice").decision,
        Decision::Escalate {
            reason: EscalateReason::NoMatch
        }
    );
    assert!(matches!(
        engine.ask("what is the weather on mars my friend").decision,
        Decision::Escalate { .. }
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn requests_for_a_person_escalate() {
    let engine = engine();
    for query in ["我要转人工", "talk to a human", "Agent please"] {
        assert_eq!(
            engine.ask(query).decision,
            Decision::Escalate {
                reason: EscalateReason::AskedForHuman
            },
            "{query}"
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn empty_questions_escalate() {
    let engine = engine();
    for query in ["", "   ", "?!", "🙂"] {
        let reply = engine.ask(query);
        assert_eq!(
            reply.decision,
            Decision::Escalate {
                reason: EscalateReason::EmptyQuery
            }
        );
        assert!(reply.candidates.is_empty());
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn typos_and_inflections_still_match() {
    let engine = engine();
    assert_eq!(top_id(&engine, "delivry"), "delivery-status");
    assert_eq!(top_id(&engine, "pasword reseting"), "reset-password");
    assert_eq!(top_id(&engine, "refunds"), "refund-time");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn codes_match_whole() {
    let engine = engine();
    assert_eq!(top_id(&engine, "I got A12-345"), "error-a12");
    assert_eq!(top_id(&engine, "ａ１２－３４５"), "error-a12");
    // Half a code is a different code.
    assert!(engine.search("A12", 3).is_empty());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn mixed_language_queries_work() {
    let engine = engine();
    assert_eq!(top_id(&engine, "refund 退款要多久"), "退款时间");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn huge_queries_are_read_only_up_to_the_limit() {
    // A pasted document costs what its first MAX_QUERY_CHARS characters cost:
    // whatever follows them changes nothing, even words that would decide alone.
    let engine = engine();
    let head: String = "how long does a refund take "
        .chars()
        .cycle()
        .take(MAX_QUERY_CHARS)
        .collect();
    let tail = " reset my account password".repeat(50_000);
    let is_reset = |c: &Candidate| id_of(&engine, c.entry) == "reset-password";
    assert!(
        engine.search(&tail, 1).iter().any(is_reset),
        "the tail decides alone"
    );
    let huge = format!("{head}{tail}");
    assert!(huge.len() > 1 << 20);
    let reply = engine.ask(&huge);
    assert_eq!(reply, engine.ask(&head));
    assert_eq!(
        id_of(&engine, reply.candidates[0].entry),
        "refund-time",
        "{reply:?}"
    );
    assert_eq!(engine.search(&huge, 10), engine.search(&head, 10));
    // The cut is by characters, not bytes: Chinese text is cut at the same count.
    let zh_head: String = "退款多久到账"
        .chars()
        .cycle()
        .take(MAX_QUERY_CHARS)
        .collect();
    let zh = format!("{zh_head}{}", "怎么修改收货地址".repeat(10_000));
    assert_eq!(engine.ask(&zh), engine.ask(&zh_head));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn reply_round_trips_through_json() {
    let reply = engine().ask("How long does a refund take?");
    let json = serde_json::to_string(&reply).unwrap();
    assert_eq!(serde_json::from_str::<Reply>(&json).unwrap(), reply);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn snapshot_round_trips() {
    let options = BuildOptions {
        build_time: 1_700_000_000,
        thresholds: None,
        ..BuildOptions::default()
    };
    let snapshot = build(kb(), &options).unwrap();
    let bytes = snapshot.to_bytes();
    let loaded = Snapshot::from_bytes(&bytes).unwrap();
    assert_eq!(loaded, snapshot);
    let header = loaded.header();
    assert_eq!(header.format_version, FORMAT_VERSION);
    assert_eq!(header.build_time, 1_700_000_000);
    assert_eq!(header.entry_count, 7);
    assert_eq!(header.locales, ["en", "zh-CN"]);
    assert_eq!(header.engine_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(header.checksum, fnv1a64(&bytes[28..]));
    assert_eq!(loaded.entries(), &kb()[..]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn builds_are_deterministic() {
    let options = BuildOptions {
        build_time: 42,
        thresholds: None,
        ..BuildOptions::default()
    };
    let a = build(kb(), &options).unwrap().to_bytes();
    let b = build(kb(), &options).unwrap().to_bytes();
    assert_eq!(a, b);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn threshold_overrides_apply() {
    let t = Thresholds {
        answer: 0.99,
        clarify: 0.98,
        margin: 0.5,
        lead: 0.9,
    };
    let options = BuildOptions {
        build_time: 0,
        thresholds: Some(t),
        ..BuildOptions::default()
    };
    let snapshot = build(kb(), &options).unwrap();
    assert_eq!(snapshot.thresholds(), t);
    let engine = Engine::new(snapshot).with_thresholds(Thresholds {
        answer: 0.0,
        clarify: 0.0,
        margin: 0.0,
        lead: f32::INFINITY,
    });
    assert!(matches!(
        engine.ask("how do I reset my password").decision,
        Decision::Answer { .. }
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn foreign_and_damaged_snapshots_are_refused() {
    let bytes = build(kb(), &BuildOptions::default()).unwrap().to_bytes();
    let err = |b: &[u8]| Snapshot::from_bytes(b).unwrap_err();

    assert_eq!(err(b""), SnapshotError::NotASnapshot);
    assert_eq!(
        err(b"PK\x03\x04 a zip file, not a snapshot"),
        SnapshotError::NotASnapshot
    );
    assert_eq!(err(b"{\"entries\": []}"), SnapshotError::NotASnapshot);
    assert_eq!(err(&MAGIC[..5]), SnapshotError::Truncated);

    // Format 2 had no learned projection in its dense index.
    let mut older = bytes.clone();
    older[8..12].copy_from_slice(&(FORMAT_VERSION - 1).to_le_bytes());
    assert_eq!(
        err(&older),
        SnapshotError::UnsupportedVersion {
            found: FORMAT_VERSION - 1,
            supported: FORMAT_VERSION
        }
    );

    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    assert_eq!(
        err(&newer),
        SnapshotError::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );

    for cut in [9, 20, 27, 28, 100, bytes.len() / 2, bytes.len() - 1] {
        assert_eq!(err(&bytes[..cut]), SnapshotError::Truncated, "cut at {cut}");
    }

    let mut flipped = bytes.clone();
    let mid = bytes.len() / 2;
    flipped[mid] ^= 0x10;
    assert_eq!(err(&flipped), SnapshotError::Corrupt);

    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(err(&longer), SnapshotError::Decode(_)));

    // Messages speak to the site owner.
    assert!(SnapshotError::Corrupt.to_string().contains("corrupted"));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn no_input_makes_decoding_panic() {
    let bytes = build(kb(), &BuildOptions::default()).unwrap().to_bytes();
    // Every single-bit flip and every truncation is refused without a panic.
    let step = if cfg!(target_arch = "wasm32") { 7 } else { 1 };
    for i in (0..bytes.len()).step_by(step) {
        let mut damaged = bytes.clone();
        damaged[i] ^= 1 << (i % 8);
        assert!(Snapshot::from_bytes(&damaged).is_err(), "flip at {i}");
        assert!(Snapshot::from_bytes(&bytes[..i]).is_err(), "cut at {i}");
    }
    // A body with a valid checksum but garbage content decodes to an error.
    let garbage: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
    let mut forged = Vec::new();
    forged.extend_from_slice(&MAGIC);
    forged.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    forged.extend_from_slice(&fnv1a64(&garbage).to_le_bytes());
    forged.extend_from_slice(&(garbage.len() as u64).to_le_bytes());
    forged.extend_from_slice(&garbage);
    assert!(matches!(
        Snapshot::from_bytes(&forged),
        Err(SnapshotError::Decode(_))
    ));
    // Lengths at the top of their range (found by fuzzing: the core's end overflowed).
    let mut huge = bytes[..44].to_vec();
    huge[20..28].copy_from_slice(&u64::MAX.to_le_bytes());
    huge[28..36].copy_from_slice(&(u64::MAX - 20).to_le_bytes());
    assert!(matches!(
        Snapshot::from_bytes(&huge),
        Err(SnapshotError::Decode(_) | SnapshotError::Truncated)
    ));
    assert!(Engine::from_prefix(&huge).is_err());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn the_hand_written_decoder_reads_what_serde_reads() {
    // Every part of a body: entries with links, the lexical index, the classifier and the
    // calibration (a larger knowledge base), synonyms and a dense index with a projection.
    crate::snapshot::assert_decodes_like_serde(
        &build(synthetic_kb(), &BuildOptions::default())
            .unwrap()
            .to_bytes(),
    );
    let (entries, table) = synonym_kb_and_table();
    let options = BuildOptions {
        token_table: Some(table),
        ..BuildOptions::default()
    };
    let snapshot = build(entries, &options).unwrap();
    assert!(snapshot.has_dense());
    crate::snapshot::assert_decodes_like_serde(&snapshot.to_bytes());
    crate::snapshot::assert_decodes_like_serde(&synonym_snapshot().to_bytes());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn invalid_knowledge_bases_are_refused() {
    let options = BuildOptions::default();
    assert_eq!(build(vec![], &options).unwrap_err(), BuildError::Empty);
    let mut twice = kb();
    twice.push(kb()[1].clone());
    assert_eq!(
        build(twice, &options).unwrap_err(),
        BuildError::DuplicateId {
            id: "delivery-status".into(),
            locale: "en".into()
        }
    );
    // The same id in another locale is a translation, not a duplicate.
    let mut translated = kb();
    let mut zh = kb()[0].clone();
    zh.locale = "zh-CN".into();
    translated.push(zh);
    assert!(build(translated, &options).is_ok());

    let mut no_id = kb();
    no_id[2].id = " ".into();
    assert_eq!(
        build(no_id, &options).unwrap_err(),
        BuildError::MissingId { position: 3 }
    );
}

/// A knowledge base large enough to calibrate on: 30 entries, 4 phrasings each.
fn synthetic_kb() -> Vec<Entry> {
    const NOUNS: [&str; 10] = [
        "card",
        "refund",
        "parcel",
        "password",
        "invoice",
        "coupon",
        "address",
        "warranty",
        "subscription",
        "voucher",
    ];
    const VERBS: [&str; 3] = ["cancel", "change", "find"];
    let mut entries = Vec::new();
    for noun in NOUNS {
        for verb in VERBS {
            entries.push(entry(
                &format!("{verb}-{noun}"),
                "en",
                &format!("How do I {verb} my {noun}?"),
                &[
                    &format!("I want to {verb} a {noun}"),
                    &format!("{verb} {noun} please"),
                    &format!("help me {verb} the {noun}"),
                ],
                &format!("To {verb} your {noun}, open Settings."),
            ));
        }
    }
    entries
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn larger_knowledge_bases_calibrate_their_thresholds() {
    let options = BuildOptions::default();
    let snapshot = build(synthetic_kb(), &options).unwrap();
    let t = snapshot.thresholds();
    assert_ne!(t, Thresholds::default(), "calibration should have run");
    assert!(
        0.0 < t.clarify && t.clarify <= t.answer && t.answer < 1.0,
        "{t:?}"
    );
    assert_eq!(build(synthetic_kb(), &options).unwrap().thresholds(), t);

    let engine = Engine::new(snapshot);
    let reply = engine.ask("How do I cancel my voucher?");
    assert_eq!(reply.decision, Decision::Answer { entry: 27 }, "{reply:?}");
    assert!(matches!(
        engine.ask("voucher").decision,
        Decision::Clarify { .. } | Decision::Escalate { .. }
    ));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn typo_lookups_find_the_nearest_vocabulary_word() {
    use crate::analysis::Analyzer;
    use crate::build::lexical::AnalyzedEntry;
    use crate::index::{LexicalIndex, TypoTable};

    let analyzer = Analyzer::new();
    let analyzed: Vec<AnalyzedEntry> = kb()
        .iter()
        .map(|e| AnalyzedEntry::new(e, &analyzer, &[]))
        .collect();
    let index = LexicalIndex::build(&analyzed);
    let typos = TypoTable::new(&index);
    let stem = |w: &str| analyzer.analyze(w)[0].text.clone();
    // "delivery" is in the vocabulary; its misspelling one edit away finds it.
    assert_eq!(typos.corrections(&stem("delivry")).len(), 1);
    assert!(typos.corrections("zzzzzzzz").is_empty());
    assert!(
        typos.corrections("pin").is_empty(),
        "short words are taken as typed"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_word_of_the_language_is_not_taken_for_a_typo() {
    use crate::analysis::Analyzer;
    use crate::build::lexical::AnalyzedEntry;
    use crate::index::{LexicalIndex, TokenTable, TypoTable};

    let analyzer = Analyzer::new();
    let entries = [entry(
        "missing-package",
        "en",
        "My parcel says delivered but it is not here",
        &[],
        "",
    )];
    let analyzed: Vec<AnalyzedEntry> = entries
        .iter()
        .map(|e| AnalyzedEntry::new(e, &analyzer, &[]))
        .collect();
    let index = LexicalIndex::build(&analyzed);
    // "are you hiring" asks about jobs, not about a parcel being "here".
    let hire = analyzer.analyze("hiring")[0].text.clone();
    assert!(!TypoTable::new(&index).corrections(&hire).is_empty());
    let vocabulary = TokenTable {
        dims: 1,
        tokens: vec!["##ing".into(), "hire".into()],
        scales: vec![1.0; 2],
        rows: vec![1; 2],
    };
    let typos = TypoTable::new(&index).knowing(Some(&vocabulary));
    assert!(typos.corrections(&hire).is_empty());
    // A misspelling the vocabulary does not hold is still corrected.
    assert!(!typos.corrections("heree").is_empty());
}

/// Twelve concepts, each with 24 one-syllable synonyms (`qa?`, `qb?`, ...) that
/// share one vector in the token table; every phrasing uses a synonym no other
/// phrasing uses, so words never repeat and only the table knows which belong
/// together.
fn synonym_kb_and_table() -> (Vec<Entry>, TokenTable) {
    const CONCEPTS: usize = 12;
    const DIMS: usize = 16;
    let letter = |i: usize| (b'a' + i as u8) as char;
    let word = |c: usize, s: usize| format!("q{}{}", letter(c), letter(s));
    let entries: Vec<Entry> = (0..CONCEPTS)
        .map(|c| {
            let alternates: Vec<String> = (1..23).map(|s| format!("help {}", word(c, s))).collect();
            let alternates: Vec<&str> = alternates.iter().map(String::as_str).collect();
            entry(&format!("concept-{c}"), "en", &word(c, 0), &alternates, "")
        })
        .collect();
    let mut tokens: Vec<(String, usize)> = (0..CONCEPTS)
        .flat_map(|c| (0..26).map(move |s| (word(c, s), c)))
        .collect();
    tokens.push(("help".to_string(), DIMS - 1));
    (entries, axis_table(DIMS, tokens))
}

/// The synonym knowledge base built with its table.
fn synonym_snapshot() -> Snapshot {
    let (entries, table) = synonym_kb_and_table();
    let options = BuildOptions {
        token_table: Some(table),
        ..BuildOptions::default()
    };
    build(entries, &options).unwrap()
}

/// A table of `dims` dimensions where each token's row is the unit vector of
/// its axis.
fn axis_table(dims: usize, mut tokens: Vec<(String, usize)>) -> TokenTable {
    tokens.sort();
    let mut rows = Vec::new();
    for (_, axis) in &tokens {
        let mut row = vec![0i8; dims];
        row[*axis] = 127;
        rows.extend(row);
    }
    let n = tokens.len();
    TokenTable::new(
        dims as u32,
        tokens.into_iter().map(|(t, _)| t).collect(),
        vec![1.0 / 127.0; n],
        rows,
    )
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn dense_index_answers_synonyms_the_lexical_index_never_saw() {
    let snapshot = synonym_snapshot();
    assert!(
        snapshot.has_dense(),
        "held-out synonyms should show the gain"
    );
    assert!(snapshot.dense_share() > 0.0);
    // `qdx` occurs in no phrasing: lexically unknown, but its row is concept 3's.
    let lexical = Engine::new(snapshot.clone()).with_ranker(Ranker::Lexical);
    assert!(lexical.search("qdx", 3).is_empty());
    let fused = Engine::new(snapshot.clone());
    assert_eq!(fused.ranker(), Ranker::Fused);
    assert_eq!(fused.search("qdx", 3)[0].entry, 3);
    let dense = Engine::new(snapshot).with_ranker(Ranker::Dense);
    assert_eq!(dense.search("help qdx", 3)[0].entry, 3);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn snapshots_with_a_dense_index_round_trip_deterministically() {
    let (entries, table) = synonym_kb_and_table();
    let options = BuildOptions {
        build_time: 7,
        token_table: Some(table),
        ..BuildOptions::default()
    };
    let snapshot = build(entries.clone(), &options).unwrap();
    let bytes = snapshot.to_bytes();
    assert_eq!(bytes, build(entries, &options).unwrap().to_bytes());
    let loaded = Snapshot::from_bytes(&bytes).unwrap();
    assert_eq!(loaded, snapshot);
    assert!(loaded.has_dense());
    let a = Engine::new(loaded).ask("help qgy");
    let b = Engine::new(snapshot).ask("help qgy");
    assert_eq!(a, b);
    assert_eq!(a.candidates[0].entry, 6);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_download_answers_from_its_core_before_the_dense_index_arrives() {
    let snapshot = synonym_snapshot();
    assert!(snapshot.has_dense());
    let bytes = snapshot.to_bytes();
    let core_len = u64::from_le_bytes(bytes[28..36].try_into().unwrap()) as usize;
    let core_end = 44 + core_len;
    assert!(
        core_end + 1000 < bytes.len(),
        "the dense table follows the core: core ends at {core_end} of {}",
        bytes.len()
    );

    // Nothing to answer with until the core is in, however the download is cut.
    for cut in [0, 5, 12, 27, 36, 43, 44, core_end / 2, core_end - 1] {
        assert!(
            Engine::from_prefix(&bytes[..cut]).unwrap().is_none(),
            "cut at {cut}"
        );
    }
    // From the core on, the lexical ranker answers as the whole snapshot's would.
    let whole_lexical = Engine::new(snapshot.clone()).with_ranker(Ranker::Lexical);
    for cut in [core_end, core_end + 1, bytes.len() - 1, bytes.len()] {
        let early = Engine::from_prefix(&bytes[..cut])
            .unwrap()
            .expect("the core is in");
        assert_eq!(early.ranker(), Ranker::Lexical);
        assert!(!early.snapshot().has_dense());
        assert_eq!(early.snapshot().header(), snapshot.header());
        assert_eq!(early.thresholds(), snapshot.thresholds_for(Ranker::Lexical));
        for question in ["qaa", "help qgb", "something else entirely"] {
            assert_eq!(
                early.ask(question),
                whole_lexical.ask(question),
                "{question}"
            );
        }
    }
    // The whole download ranks with the dense index too: `qdx` is known only to the table.
    assert!(Engine::from_prefix(&bytes)
        .unwrap()
        .unwrap()
        .search("qdx", 3)
        .is_empty());
    assert_eq!(
        Engine::from_bytes(&bytes).unwrap().search("qdx", 3)[0].entry,
        3
    );

    // A damaged core is refused as soon as it is in; a damaged dense section when the
    // whole file is read.
    let mut core_damaged = bytes.clone();
    core_damaged[44 + core_len / 2] ^= 0x20;
    assert_eq!(
        Engine::from_prefix(&core_damaged[..core_end]).unwrap_err(),
        SnapshotError::Corrupt
    );
    let mut dense_damaged = bytes.clone();
    dense_damaged[core_end + 10] ^= 0x20;
    assert!(Engine::from_prefix(&dense_damaged).unwrap().is_some());
    assert_eq!(
        Engine::from_bytes(&dense_damaged).unwrap_err(),
        SnapshotError::Corrupt
    );
    // A core length past the body is refused, not read past.
    let mut too_long = bytes.clone();
    too_long[28..36].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
    assert!(matches!(
        Engine::from_prefix(&too_long),
        Err(SnapshotError::Decode(_))
    ));
}

/// A table that knows every word of [`synthetic_kb`], each on an axis of its
/// own: dense evidence exists for every phrasing, but says nothing the words
/// do not already say.
fn table_of_the_synthetic_words() -> TokenTable {
    const DIMS: usize = 16;
    let mut words: Vec<String> = synthetic_kb()
        .iter()
        .flat_map(|e| std::iter::once(&e.question).chain(&e.alternates))
        .flat_map(|p| {
            p.split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.dedup();
    let tokens = words.into_iter().enumerate().map(|(i, w)| (w, i % DIMS));
    axis_table(DIMS, tokens.collect())
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_table_without_measured_gain_is_left_out() {
    // Large enough to calibrate on, and lexically easy: the words already rank
    // every held-out phrasing first, so the dense half has nothing to add.
    let options = BuildOptions {
        token_table: Some(table_of_the_synthetic_words()),
        ..BuildOptions::default()
    };
    let snapshot = build(synthetic_kb(), &options).unwrap();
    assert_ne!(
        snapshot.thresholds(),
        Thresholds::default(),
        "calibration ran, so the gain rule was reached"
    );
    assert_eq!(snapshot.dense_share(), 0.0);
    assert!(!snapshot.has_dense());
    assert_eq!(snapshot.dense_table_bytes(), None);
    // Too small to measure anything on: left out without a measurement.
    let (_, table) = synonym_kb_and_table();
    let options = BuildOptions {
        token_table: Some(table),
        ..BuildOptions::default()
    };
    let snapshot = build(kb(), &options).unwrap();
    assert_eq!(snapshot.thresholds(), Thresholds::default());
    assert!(!snapshot.has_dense());
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_question_of_an_entry_left_out_escalates() {
    // Calibration hides each held-out phrasing's own entry to learn what an
    // uncovered question looks like; a real one, an entry removed from the
    // knowledge base, must then go to a person while its neighbours still answer.
    let (mut entries, table) = synonym_kb_and_table();
    let removed = entries.pop().unwrap();
    let options = BuildOptions {
        token_table: Some(table),
        ..BuildOptions::default()
    };
    let engine = Engine::new(build(entries, &options).unwrap());
    let reply = engine.ask(&removed.alternates[3]);
    assert!(
        matches!(reply.decision, Decision::Escalate { .. }),
        "{reply:?}"
    );
    // An unseen synonym of a concept that is still there is answered.
    let reply = engine.ask("help qcz");
    assert_eq!(reply.decision, Decision::Answer { entry: 2 }, "{reply:?}");
}

/// Twenty entries, each phrasing its key word (`kaa`, `kab`, ...) and one of
/// twelve shared four-word templates, drawn by a fixed generator: a held-out
/// phrasing's template often matches other entries' phrasings better than its
/// own entry's, which BM25 counts and a classifier learns to ignore.
fn template_kb() -> Vec<Entry> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let word = |prefix: char, i: usize| {
        let letter = |i: usize| (b'a' + (i % 26) as u8) as char;
        format!("{prefix}{}{}", letter(i / 26), letter(i))
    };
    (0..20)
        .map(|e| {
            let phrasings: Vec<String> = (0..6)
                .map(|_| {
                    let template = (next() % 12) as usize;
                    let mut words = vec![word('k', e)];
                    words.extend((0..4).map(|j| word('t', template * 4 + j)));
                    words.join(" ")
                })
                .collect();
            let alternates: Vec<&str> = phrasings[1..].iter().map(String::as_str).collect();
            entry(&format!("e{e}"), "en", &phrasings[0], &alternates, "")
        })
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn the_classifier_is_kept_where_it_pays_and_left_out_where_it_does_not() {
    let options = BuildOptions::default();
    let kept = build(template_kb(), &options).unwrap();
    assert!(kept.classifier_weights().is_some_and(|w| w > 0));
    assert!(kept.classifier_share() > 0.0);
    // Calibrated, but the words already rank every held-out phrasing first.
    let left_out = build(synthetic_kb(), &options).unwrap();
    assert_ne!(left_out.thresholds(), Thresholds::default());
    assert_eq!(left_out.classifier_weights(), None);
    assert_eq!(left_out.classifier_share(), 0.0);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn no_projection_where_the_table_already_ranks_every_phrasing_first() {
    // The synonym table puts each concept on an axis of its own: the dense half
    // pays (it is kept), but a projection of that space has nothing to add.
    let snapshot = synonym_snapshot();
    assert!(snapshot.has_dense());
    assert!(!snapshot.has_projection());
}
