//! A small shop's knowledge base, as a site owner writes one (a question and a
//! handful of phrasings per entry, in English and Chinese), asked what visitors
//! actually type. These are the decisions the visitor meets: the right entry
//! answered directly, off-topic questions handed to a person, and a site
//! owner's synonym changing the answer.

use crate::tests::entry;
use crate::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

fn shop() -> Vec<Entry> {
    vec![
        entry("start-return", "en", "How do I return an item?", &["how to send something back", "Where do I get a return label?", "I want to return my order, what are the steps", "start a return"], "Go to Account › Orders, choose the order and click Return items; print the prepaid label."),
        entry("return-policy", "en", "What is your return policy?", &["How many days do I have to return something?", "whats the return window", "Can I return an item I don't like?"], "You can return most items within 30 days of delivery if they are unused."),
        entry("refund-time", "en", "How long does it take to get my refund?", &["when will I get my money back", "refund still not on my card", "how many days for a refund", "How long do PayPal refunds take?"], "Refunds are issued within 2 business days of your return arriving; your bank needs 3–5 more days."),
        entry("when-charged", "en", "When am I charged for my order?", &["when does the payment go through", "why is there a pending charge on my card"], "We authorize your card at checkout and capture the payment when the order ships."),
        entry("payment-methods", "en", "Which payment methods do you accept?", &["can I pay with a credit card", "what cards can I use", "is apple pay accepted", "Do you take Amex?"], "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Google Pay."),
        entry("free-shipping", "en", "Do you offer free shipping?", &["how much do I need to spend for free delivery", "is shipping free", "free shipping threshold"], "Standard shipping is free on orders over $50."),
        entry("delivery-time", "en", "How long does delivery take?", &["when will my order arrive", "how many days is shipping", "delivery estimate"], "Standard delivery takes 3–5 business days; express 1–2."),
        entry("track-order", "en", "How do I track my order?", &["where is my package", "tracking number", "can I see where my parcel is"], "Use the tracking link in your shipping confirmation email."),
        entry("cancel-order", "en", "Can I cancel my order?", &["I want to cancel what I just ordered", "how to cancel an order", "stop my order"], "Orders can be cancelled within one hour from Account › Orders."),
        entry("support-hours", "en", "When is customer support available?", &["what are your support hours", "are you open on weekends", "what time does customer service close"], "Our team answers chats every day from 8 am to 8 pm."),
        entry("start-return", "zh-CN", "怎么申请退货？", &["退货流程是啥", "在哪里申请退货", "退货要自己寄回吗"], "进入「我的订单」，选择订单，点击「申请退货」，打印免费退货面单。"),
        entry("return-policy", "zh-CN", "退货政策是什么？", &["几天内可以退货", "支持七天无理由退货吗", "不喜欢能退吗"], "签收后 30 天内，商品未使用即可退货。"),
        entry("refund-time", "zh-CN", "退款多久能到账？", &["退款几天到", "退款怎么还没到", "申请退款后多久到卡上"], "仓库收到退货后 2 个工作日内退款，银行入账还需 3–5 天。"),
        entry("when-charged", "zh-CN", "下单后什么时候扣款？", &["什么时候扣钱", "为什么卡上有一笔预授权"], "下单时冻结金额，发货时正式扣款。"),
        entry("payment-methods", "zh-CN", "支持哪些付款方式？", &["能用信用卡吗", "可以用支付宝付款吗", "支持微信支付吗"], "支持支付宝、微信支付、银联卡和主要信用卡。"),
        entry("free-shipping", "zh-CN", "包邮吗？", &["满多少包邮", "运费怎么算", "买多少免运费"], "订单满 299 元包邮，不满收取 10 元运费。"),
        entry("delivery-time", "zh-CN", "多久能送到？", &["几天能到货", "发货后多久能收到", "配送要几天"], "一般 2–4 天送达，偏远地区 5–7 天。"),
        entry("track-order", "zh-CN", "怎么查物流？", &["我的快递到哪了", "快递单号在哪看", "包裹到哪里了"], "在「我的订单」里点击「查看物流」。"),
        entry("cancel-order", "zh-CN", "怎么取消订单？", &["下错单了能取消吗", "不想要了怎么撤单", "订单还能取消吗"], "下单后一小时内可在「我的订单」里取消。"),
        entry("support-hours", "zh-CN", "客服几点上班？", &["客服什么时候在线", "周末有客服吗", "晚上还有客服吗"], "客服每天 8:00–20:00 在线。"),
        entry("invoice", "zh-CN", "怎么开发票？", &["能开发票吗", "发票在哪里申请", "电子发票怎么下载"], "在「我的订单」里点击「申请发票」，电子发票会发到你的邮箱。"),
    ]
}

/// The id and locale of the entry answered, or the decision when it is not an answer.
fn answered(engine: &Engine, question: &str) -> Result<(String, String), Decision> {
    match engine.ask(question).decision {
        Decision::Answer { entry } => {
            let e = &engine.entries()[entry];
            Ok((e.id.clone(), e.locale.clone()))
        }
        other => Err(other),
    }
}

/// The token tables `answerdesk kb build` carries by default.
fn bundled_tables() -> TokenTable {
    let english = TokenTable::from_bytes(include_bytes!("../../models/minilm-l6-en-64.table"));
    let chinese = TokenTable::from_bytes(include_bytes!("../../models/e5-small-zh-64.table"));
    english.unwrap().merge(chinese.unwrap()).unwrap()
}

fn engine(synonyms: SynonymGroups) -> Engine {
    let options = BuildOptions {
        synonyms,
        token_table: Some(bundled_tables()),
        ..BuildOptions::default()
    };
    Engine::new(build(shop(), &options).expect("the shop builds"))
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn common_questions_are_answered_directly() {
    let engine = engine(Vec::new());
    for (question, id, locale) in [
        ("我想退货怎么办？", "start-return", "zh-CN"),
        ("邮费怎么算", "free-shipping", "zh-CN"),
        ("满多少包邮呀", "free-shipping", "zh-CN"),
        (
            "is delivery free if I spend 60 bucks",
            "free-shipping",
            "en",
        ),
        (
            "I want a refund, when do I get my money back?",
            "refund-time",
            "en",
        ),
    ] {
        assert_eq!(
            answered(&engine, question),
            Ok((id.to_string(), locale.to_string())),
            "{question}"
        );
    }
}

/// "How long do PayPal refunds take?" once answered "do you take paypal" with the
/// refund times: the two share "paypal" and "take", though the second "take" is
/// only the verb of a duration question. The visitor now gets the payment methods,
/// or a choice that holds them, never the refund times alone.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn the_verb_of_a_duration_question_does_not_decide_the_answer() {
    let engine = engine(Vec::new());
    let payment_methods = |entry: &usize| engine.entries()[*entry].id == "payment-methods";
    match engine.ask("do you take paypal").decision {
        Decision::Answer { entry } => assert!(payment_methods(&entry), "answered {entry}"),
        Decision::Clarify { entries } => assert!(entries.iter().any(payment_methods)),
        other => panic!("{other:?}"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn off_topic_questions_go_to_a_person() {
    let engine = engine(Vec::new());
    for question in [
        "what's the weather tomorrow",
        "write me a poem about cats",
        "are you hiring?",
        "今天天气怎么样",
        "帮我写一首关于春天的诗",
        // Once answered with the delivery time ("Toronto" meets nothing, "store" little).
        "do you have a store in Toronto",
    ] {
        assert!(
            matches!(engine.ask(question).decision, Decision::Escalate { .. }),
            "{question}: {:?}",
            engine.ask(question)
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn a_site_owners_synonym_changes_the_answer() {
    // This shop's visitors say "consignment"; no entry does.
    let question = "where is my consignment";
    let track = Ok(("track-order".to_string(), "en".to_string()));
    assert_ne!(answered(&engine(Vec::new()), question), track);
    let owner = vec![vec!["package".to_string(), "consignment".to_string()]];
    assert_eq!(answered(&engine(owner), question), track);
}

/// Questions the shop cannot answer, as visitors wrote them, grouped into one need each: what
/// the team sees as "unanswered questions" and covers with one new entry.
#[test]
fn unanswered_questions_group_by_what_they_ask() {
    let engine = engine(Vec::new());
    let questions = [
        "do you sell gift cards?",                // 0: gift cards
        "can I buy a gift card for my sister",    // 1
        "what's the weather tomorrow",            // 2: alone
        "is there a store in Toronto",            // 3: a shop nearby
        "gift card available?",                   // 4
        "你们有礼品卡吗",                         // 5: gift cards, in Chinese
        "do you have a physical shop in toronto", // 6
        "礼品卡在哪里买",                         // 7
        "Toronto store opening hours",            // 8
    ];
    let clusters = engine.cluster(&questions, ClusterOptions::default());
    let group_of = |i: usize| {
        clusters
            .iter()
            .position(|c| c.members.contains(&i))
            .unwrap()
    };
    let members = |i: usize| &clusters[group_of(i)].members;
    assert_eq!(members(0), &vec![0, 1, 4], "{clusters:?}");
    assert_eq!(members(3), &vec![3, 6, 8], "{clusters:?}");
    assert_eq!(members(5), &vec![5, 7], "{clusters:?}");
    assert_eq!(members(2), &vec![2], "{clusters:?}");
    // Biggest first, and each named by a member of its own.
    assert!(clusters
        .windows(2)
        .all(|w| w[0].members.len() >= w[1].members.len()));
    assert!(clusters
        .iter()
        .all(|c| c.members.contains(&c.representative)));
}

/// A handful of wordings of one need that share a telling word ("job", 招) are one group, and
/// an unrelated question stays apart: what the team sees when three visitors asked.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_few_wordings_of_one_need_are_one_group() {
    let engine = engine(Vec::new());
    for questions in [
        [
            "do you have any job openings",
            "are there any job openings for students?",
            "how can I apply for a job with you",
            "what's the weather tomorrow",
        ],
        [
            "你们招聘吗",
            "你们公司招人吗",
            "有招聘信息吗",
            "今天天气怎么样",
        ],
    ] {
        let clusters = engine.cluster(&questions, ClusterOptions::default());
        let groups: Vec<&Vec<usize>> = clusters.iter().map(|c| &c.members).collect();
        assert_eq!(groups, [&vec![0, 1, 2], &vec![3]], "{questions:?}");
    }
}
