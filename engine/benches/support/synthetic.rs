//! A synthetic knowledge base of any size, and a query set over it, for the
//! benchmarks: the same bytes natively (`benches/engine.rs`) and in the browser
//! (`tests/browser_bench.rs`). Entries are English and Chinese support questions
//! composed from word lists (an action on a thing in a circumstance), each with
//! a few phrasings, so the vocabulary, phrasing lengths and the share of tokens
//! the dense table knows look like a real help centre's. Deterministic: no
//! clock, no files, a fixed-seed generator.

#![allow(dead_code)] // each bench target uses its own part

use engine::{Entry, TokenTable};

/// The distilled token tables `answerdesk kb build` ships (see `models/NOTICE`),
/// merged as the CLI does.
pub fn token_table() -> TokenTable {
    let english = TokenTable::from_bytes(include_bytes!("../../../models/minilm-l6-en-64.table"))
        .expect("models/minilm-l6-en-64.table");
    let chinese = TokenTable::from_bytes(include_bytes!("../../../models/e5-small-zh-64.table"))
        .expect("models/e5-small-zh-64.table");
    english.merge(chinese).expect("tables of one dimension")
}

/// (verb, synonyms used by alternates and queries).
const EN_ACTIONS: &[(&str, &[&str])] = &[
    ("cancel", &["stop", "call off"]),
    ("change", &["update", "edit"]),
    ("track", &["follow", "check the status of"]),
    ("return", &["send back", "give back"]),
    ("pay for", &["settle", "buy"]),
    ("reset", &["recover", "restore"]),
    ("delete", &["remove", "close"]),
    ("renew", &["extend", "prolong"]),
    ("transfer", &["move", "hand over"]),
    ("verify", &["confirm", "validate"]),
    ("upgrade", &["improve", "move up"]),
    ("split", &["divide", "break up"]),
    ("share", &["send", "give access to"]),
    ("download", &["save", "export"]),
    ("activate", &["turn on", "enable"]),
    ("pause", &["suspend", "freeze"]),
    ("report", &["flag", "complain about"]),
    ("replace", &["exchange", "swap"]),
    ("find", &["look up", "locate"]),
    ("link", &["connect", "attach"]),
    ("unlock", &["open", "unblock"]),
    ("print", &["get a copy of", "reprint"]),
    ("add", &["set up", "create"]),
    ("dispute", &["contest", "challenge"]),
    ("schedule", &["book", "plan"]),
    ("claim", &["request", "apply for"]),
    ("merge", &["combine", "join"]),
    ("refund", &["get money back for", "reimburse"]),
    ("rename", &["relabel", "retitle"]),
    ("top up", &["reload", "add funds to"]),
];

const EN_THINGS: &[&str] = &[
    "order",
    "refund",
    "password",
    "invoice",
    "delivery",
    "subscription",
    "gift card",
    "account",
    "shipping address",
    "payment method",
    "coupon",
    "warranty",
    "return label",
    "parcel",
    "receipt",
    "loyalty points",
    "newsletter",
    "verification code",
    "store pickup",
    "price match",
    "credit card",
    "bank transfer",
    "wishlist",
    "shopping cart",
    "membership",
    "voucher",
    "exchange",
    "pre-order",
    "backorder",
    "installment plan",
    "tax invoice",
    "business account",
    "email address",
    "phone number",
    "profile picture",
    "review",
    "product question",
    "repair request",
    "delivery slot",
    "courier",
    "customs form",
    "store credit",
    "gift wrap",
    "size guide",
    "order history",
    "billing address",
    "direct debit",
    "card pin",
    "virtual card",
    "cash withdrawal",
    "exchange rate",
    "top-up",
    "statement",
    "overdraft",
    "savings pot",
    "standing order",
    "beneficiary",
    "contactless limit",
    "spending limit",
    "apple pay",
    "google pay",
    "paypal account",
    "identity document",
    "proof of address",
    "referral code",
    "student discount",
    "trade-in",
    "rental",
    "booking",
    "ticket",
    "seat",
    "luggage",
    "insurance policy",
    "claim form",
    "appointment",
    "prescription",
    "delivery note",
    "packaging",
    "battery",
    "charger",
    "firmware",
];

const EN_CIRCUMSTANCES: &[&str] = &[
    "after checkout",
    "from the mobile app",
    "on the website",
    "while travelling abroad",
    "for a business account",
    "before it ships",
    "with a discount code",
    "in a store",
    "without logging in",
    "on behalf of someone else",
    "after the deadline",
    "when the payment failed",
    "for a gift",
    "in another currency",
    "on a shared account",
    "after moving house",
    "during a sale",
    "for an international order",
    "by phone",
    "if it arrived damaged",
    "if it never arrived",
    "for more than one item",
    "with an expired card",
    "on a tablet",
    "using a voucher",
    "for next month",
    "as a new customer",
    "after a price drop",
    "without a receipt",
    "this week",
];

const EN_OUT_OF_SCOPE: &[&str] = &[
    "what is the weather in paris tomorrow",
    "tell me a joke about penguins",
    "who won the football match last night",
    "recommend a good science fiction novel",
    "how tall is mount everest",
    "what time does the sun set today",
    "translate good morning into german",
    "write a poem about autumn leaves",
];

const ZH_ACTIONS: &[(&str, &[&str])] = &[
    ("取消", &["撤销", "不要了"]),
    ("修改", &["更改", "变更"]),
    ("查询", &["查看", "查一下"]),
    ("退回", &["退还", "寄回"]),
    ("支付", &["付款", "结算"]),
    ("重置", &["找回", "恢复"]),
    ("删除", &["注销", "移除"]),
    ("续费", &["续订", "延期"]),
    ("转让", &["转给别人", "过户"]),
    ("验证", &["认证", "确认"]),
    ("升级", &["提升", "更换高级"]),
    ("开具", &["申请开", "要"]),
    ("绑定", &["关联", "添加"]),
    ("解绑", &["解除绑定", "取消关联"]),
    ("开通", &["启用", "打开"]),
    ("暂停", &["冻结", "停用"]),
    ("投诉", &["举报", "反馈"]),
    ("更换", &["换", "调换"]),
    ("下载", &["导出", "保存"]),
    ("预约", &["预订", "安排"]),
];

const ZH_THINGS: &[&str] = &[
    "订单",
    "退款",
    "密码",
    "发票",
    "快递",
    "会员",
    "优惠券",
    "收货地址",
    "银行卡",
    "积分",
    "礼品卡",
    "账户",
    "退货",
    "运费",
    "保修",
    "收据",
    "订阅",
    "手机号",
    "验证码",
    "门店自提",
    "信用卡",
    "购物车",
    "收藏夹",
    "分期付款",
    "增值税发票",
    "企业账户",
    "邮箱",
    "头像",
    "评价",
    "维修申请",
    "配送时间",
    "快递员",
    "报关单",
    "余额",
    "礼品包装",
    "尺码表",
    "历史订单",
    "账单地址",
    "自动扣款",
    "支付密码",
    "虚拟卡",
    "取现",
    "汇率",
    "充值",
    "对账单",
    "透支额度",
    "转账",
    "收款人",
    "消费限额",
    "实名认证",
];

const ZH_CIRCUMSTANCES: &[&str] = &[
    "下单以后",
    "在手机上",
    "在网站上",
    "出国期间",
    "用企业账户",
    "发货之前",
    "使用优惠码时",
    "在门店",
    "不登录",
    "帮家人",
    "过了期限",
    "付款失败时",
    "作为礼物",
    "用外币",
    "搬家以后",
    "大促期间",
    "跨境订单",
    "打电话",
    "收到破损",
    "一直没收到",
    "多件商品",
    "卡过期了",
    "在平板上",
    "用代金券",
    "下个月",
    "新用户",
    "降价以后",
    "没有小票",
    "周末",
    "晚上",
    "第一次",
    "紧急情况下",
];

const ZH_OUT_OF_SCOPE: &[&str] = &[
    "明天北京天气怎么样",
    "给我讲个笑话",
    "昨晚的足球比赛谁赢了",
    "推荐一本好看的小说",
    "珠穆朗玛峰有多高",
    "今天太阳几点落山",
];

/// A small fixed-seed generator (SplitMix64): the same numbers on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Which (action, thing, circumstance) entry `i` of a language is about: a
/// stride through all combinations, so neighbouring entries differ in every part
/// and no two entries of one language repeat a combination.
fn combination(
    i: usize,
    actions: usize,
    things: usize,
    circumstances: usize,
) -> (usize, usize, usize) {
    let total = actions * things * circumstances;
    assert!(
        i < total,
        "the word lists give {total} entries per language"
    );
    // A stride coprime to `total` visits every combination once.
    let stride = (1..)
        .map(|k| total / 2 + k)
        .find(|s| gcd(*s, total) == 1)
        .unwrap_or(1);
    let c = i * stride % total;
    (c % actions, c / actions % things, c / actions / things)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `n` entries, about seven in ten English and the rest Chinese (`zh-CN`); a
/// question and three alternates each, an answer of two sentences.
pub fn entries(n: usize) -> Vec<Entry> {
    let mut rng = Rng::new(0x5EED);
    (0..n)
        .map(|i| {
            if i % 10 < 7 {
                english(i / 10 * 7 + i % 10, &mut rng)
            } else {
                chinese(i / 10 * 3 + i % 10 - 7, &mut rng)
            }
        })
        .collect()
}

fn english(i: usize, rng: &mut Rng) -> Entry {
    let (a, t, c) = combination(i, EN_ACTIONS.len(), EN_THINGS.len(), EN_CIRCUMSTANCES.len());
    let (verb, synonyms) = EN_ACTIONS[a];
    let (thing, when) = (EN_THINGS[t], EN_CIRCUMSTANCES[c]);
    let minutes = 2 + rng.below(20);
    let answer = format!(
        "To {verb} your {thing} {when}, open Account › {thing} and choose \"{verb}\". \
         It takes about {minutes} minutes; we email you a confirmation."
    );
    Entry {
        id: format!("en-{i}"),
        locale: "en".into(),
        question: format!("How do I {verb} my {thing} {when}?"),
        alternates: vec![
            format!("can I {} a {thing} {when}", synonyms[0]),
            format!("I want to {} the {thing} {when}", synonyms[1]),
            format!("{thing} {verb} {when}"),
        ],
        answer_html: format!("<p>{answer}</p>"),
        answer_text: answer,
        category: thing.replace(' ', "-"),
        tags: vec![verb.into()],
        links: vec![],
    }
}

fn chinese(i: usize, rng: &mut Rng) -> Entry {
    let (a, t, c) = combination(i, ZH_ACTIONS.len(), ZH_THINGS.len(), ZH_CIRCUMSTANCES.len());
    let (verb, synonyms) = ZH_ACTIONS[a];
    let (thing, when) = (ZH_THINGS[t], ZH_CIRCUMSTANCES[c]);
    let minutes = 2 + rng.below(20);
    let answer = format!(
        "{when}{verb}{thing}：打开“我的账户 › {thing}”，选择“{verb}”。大约需要{minutes}分钟，完成后我们会发短信通知您。"
    );
    Entry {
        id: format!("zh-{i}"),
        locale: "zh-CN".into(),
        question: format!("{when}怎么{verb}{thing}？"),
        alternates: vec![
            format!("{when}能{}{thing}吗", synonyms[0]),
            format!("我想{}{thing}，{when}", synonyms[1]),
            format!("{thing}{verb}"),
        ],
        answer_html: format!("<p>{answer}</p>"),
        answer_text: answer,
        category: thing.into(),
        tags: vec![verb.into()],
        links: vec![],
    }
}

/// `n` visitor questions over a knowledge base of `entries` entries: nine in ten
/// rephrase an entry (a synonym, another word order, now and then a typo), the
/// rest are out of scope. Both languages, in the knowledge base's proportion.
pub fn queries(entries: usize, n: usize) -> Vec<String> {
    let mut rng = Rng::new(0x0A5C);
    (0..n)
        .map(|_| {
            let i = rng.below(entries);
            let english = i % 10 < 7;
            if rng.below(10) == 0 {
                return if english {
                    rng.pick(EN_OUT_OF_SCOPE).to_string()
                } else {
                    rng.pick(ZH_OUT_OF_SCOPE).to_string()
                };
            }
            if english {
                let (a, t, c) = combination(
                    i / 10 * 7 + i % 10,
                    EN_ACTIONS.len(),
                    EN_THINGS.len(),
                    EN_CIRCUMSTANCES.len(),
                );
                let verb = *rng.pick(EN_ACTIONS[a].1);
                let thing = EN_THINGS[t];
                let query = match rng.below(3) {
                    0 => format!("please help me {verb} my {thing} {}", EN_CIRCUMSTANCES[c]),
                    1 => format!("{} how to {verb} {thing}", EN_CIRCUMSTANCES[c]),
                    _ => format!("need to {verb} {thing}"),
                };
                if rng.below(5) == 0 {
                    typo(&query, &mut rng)
                } else {
                    query
                }
            } else {
                let (a, t, c) = combination(
                    i / 10 * 3 + i % 10 - 7,
                    ZH_ACTIONS.len(),
                    ZH_THINGS.len(),
                    ZH_CIRCUMSTANCES.len(),
                );
                let verb = *rng.pick(ZH_ACTIONS[a].1);
                let (thing, when) = (ZH_THINGS[t], ZH_CIRCUMSTANCES[c]);
                match rng.below(3) {
                    0 => format!("请问{when}如何{verb}{thing}"),
                    1 => format!("{thing}怎么{verb}"),
                    _ => format!("我{when}想{verb}{thing}，怎么办"),
                }
            }
        })
        .collect()
}

/// Swaps two neighbouring letters of the longest word.
fn typo(text: &str, rng: &mut Rng) -> String {
    let longest = text.split(' ').max_by_key(|w| w.len()).unwrap_or("");
    if longest.len() < 4 || !longest.is_ascii() {
        return text.to_string();
    }
    let at = 1 + rng.below(longest.len() - 2);
    let mut word = longest.as_bytes().to_vec();
    word.swap(at, at + 1);
    text.replacen(longest, &String::from_utf8(word).expect("ascii"), 1)
}

/// The `p`-th percentile (0–100) of sorted samples, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
