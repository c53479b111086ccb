//! The workbench's own strings, in the languages of [`crate::i18n::Locale`].
//!
//! Chosen once per page: the agent's toggle (kept in local storage) wins, then the browser's
//! language. Switching reloads the page, so no view needs to re-render its labels live.

use std::sync::OnceLock;

use crate::i18n::Locale;

const KEY: &str = "answerdesk.workbench.locale";

/// The language this page speaks.
pub fn locale() -> Locale {
    static LOCALE: OnceLock<Locale> = OnceLock::new();
    *LOCALE.get_or_init(|| {
        Locale::detect(
            crate::browser::load(KEY).as_deref(),
            &crate::browser::language(),
        )
    })
}

/// The strings of this page's language.
pub fn t() -> &'static Texts {
    texts(locale())
}

pub fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::En => &EN,
        Locale::ZhCn => &ZH_CN,
    }
}

/// Keeps `locale` for the next pages and shows this one again in it.
pub fn switch_to(locale: Locale) {
    crate::browser::store(KEY, locale.tag());
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// What an agent reads around the cases (the cases themselves are in the visitor's words).
pub struct Texts {
    pub loading: &'static str,
    pub inbox: &'static str,
    pub admin: &'static str,
    pub connecting: &'static str,
    pub live: &'static str,
    pub polling: &'static str,
    pub notify_me: &'static str,
    pub available: &'static str,
    pub away: &'static str,
    pub away_hint: &'static str,
    pub sign_out: &'static str,
    /// The toggle's label: the *other* language, in itself.
    pub other_language: &'static str,
    pub pick_a_case: &'static str,
    pub admins_only: &'static str,
    // Sign-in.
    pub sign_in_intro: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub wrong_credentials: &'static str,
    // Inbox.
    pub view_open: &'static str,
    pub view_unassigned: &'static str,
    pub view_mine: &'static str,
    pub view_all: &'static str,
    pub filters: &'static str,
    pub status: &'static str,
    pub priority: &'static str,
    pub group: &'static str,
    pub tag: &'static str,
    pub any: &'static str,
    pub sort: &'static str,
    pub waiting_longest: &'static str,
    pub sla_soonest: &'static str,
    pub search_cases: &'static str,
    pub no_cases: &'static str,
    pub visitor: &'static str,
    pub waiting: &'static str,
    // Case.
    pub loading_case: &'static str,
    pub case_type: &'static str,
    pub assignee: &'static str,
    pub unassigned: &'static str,
    pub claim: &'static str,
    pub transfer: &'static str,
    pub tags: &'static str,
    pub rated: &'static str,
    pub transfer_heading: &'static str,
    pub transfer_agent: &'static str,
    pub transfer_queue: &'static str,
    pub transfer_note: &'static str,
    pub cancel: &'static str,
    pub transferred_by: &'static str,
    pub a_colleague: &'static str,
    pub with_assistant: &'static str,
    pub with_team: &'static str,
    pub internal_note_by: &'static str,
    pub bot: &'static str,
    pub agent: &'static str,
    pub system: &'static str,
    pub contact: &'static str,
    pub anonymous: &'static str,
    pub no_name: &'static str,
    pub verified: &'static str,
    pub unverified: &'static str,
    pub previous_tickets: &'static str,
    pub none: &'static str,
    pub merge_here: &'static str,
    pub bot_knew: &'static str,
    pub decision: &'static str,
    pub page: &'static str,
    pub language: &'static str,
    pub candidates: &'static str,
    // Composer and assist.
    pub reply: &'static str,
    pub internal_note: &'static str,
    pub composer_hint: &'static str,
    pub reply_placeholder: &'static str,
    pub note_placeholder: &'static str,
    pub send_reply: &'static str,
    pub add_note: &'static str,
    pub smart_assist: &'static str,
    pub kb_loading: &'static str,
    pub kb_unavailable: &'static str,
    pub for_latest: &'static str,
    pub no_entry: &'static str,
    pub search_kb: &'static str,
    pub insert: &'static str,
    pub confidence: &'static str,
}

static EN: Texts = Texts {
    loading: "Loading…",
    inbox: "Inbox",
    admin: "Admin",
    connecting: "● connecting",
    live: "● live",
    polling: "● polling",
    notify_me: "Notify me",
    available: "● available",
    away: "○ away",
    away_hint: "Away: automatic assignment passes you by",
    sign_out: "Sign out",
    other_language: "中文",
    pick_a_case: "Pick a case from the inbox.",
    admins_only: "Admin pages are for admins.",
    sign_in_intro: "Sign in to answer escalated cases.",
    email: "Email",
    password: "Password",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    wrong_credentials: "Wrong email or password.",
    view_open: "Open",
    view_unassigned: "Unassigned",
    view_mine: "Mine",
    view_all: "All",
    filters: "Filters",
    status: "Status",
    priority: "Priority",
    group: "Group",
    tag: "Tag",
    any: "any",
    sort: "Sort",
    waiting_longest: "Waiting longest",
    sla_soonest: "SLA due soonest",
    search_cases: "Search cases…",
    no_cases: "No cases here.",
    visitor: "Visitor",
    waiting: "Waiting",
    loading_case: "Loading the case…",
    case_type: "Type",
    assignee: "Assignee",
    unassigned: "unassigned",
    claim: "Claim",
    transfer: "Transfer…",
    tags: "Tags",
    rated: "Visitor rated ",
    transfer_heading: "Transfer",
    transfer_agent: "Agent",
    transfer_queue: "— (the group's queue)",
    transfer_note: "Note for the receiving agent (required)",
    cancel: "Cancel",
    transferred_by: " transferred this case",
    a_colleague: "A colleague",
    with_assistant: "With the assistant, before escalation",
    with_team: "Conversation with the team",
    internal_note_by: "Internal note · ",
    bot: "Bot",
    agent: "Agent",
    system: "System",
    contact: "Contact",
    anonymous: "Anonymous visitor",
    no_name: "(no name)",
    verified: "verified",
    unverified: "unverified",
    previous_tickets: "Previous tickets",
    none: "None",
    merge_here: "Merge here",
    bot_knew: "What the bot knew",
    decision: "Decision",
    page: "Page",
    language: "Language",
    candidates: "Candidates",
    reply: "Reply",
    internal_note: "Internal note",
    composer_hint: "Markdown · / for canned responses · Ctrl+Enter to send",
    reply_placeholder: "Reply to the visitor…",
    note_placeholder: "Note for colleagues (the visitor never sees it)…",
    send_reply: "Send reply",
    add_note: "Add note",
    smart_assist: "Smart assist",
    kb_loading: "Loading the knowledge base…",
    kb_unavailable: "Knowledge base unavailable: ",
    for_latest: "For the visitor's latest message: ",
    no_entry: "No matching knowledge-base entry.",
    search_kb: "Search the knowledge base",
    insert: "Insert",
    confidence: "Engine confidence",
};

static ZH_CN: Texts = Texts {
    loading: "加载中…",
    inbox: "收件箱",
    admin: "管理",
    connecting: "● 连接中",
    live: "● 实时",
    polling: "● 轮询",
    notify_me: "开启通知",
    available: "● 在线",
    away: "○ 离开",
    away_hint: "离开：自动分配会跳过您",
    sign_out: "退出登录",
    other_language: "English",
    pick_a_case: "请从收件箱选择一个工单。",
    admins_only: "管理页面仅限管理员。",
    sign_in_intro: "登录以处理转人工的工单。",
    email: "邮箱",
    password: "密码",
    sign_in: "登录",
    signing_in: "正在登录…",
    wrong_credentials: "邮箱或密码错误。",
    view_open: "未解决",
    view_unassigned: "未分配",
    view_mine: "我的",
    view_all: "全部",
    filters: "筛选",
    status: "状态",
    priority: "优先级",
    group: "技能组",
    tag: "标签",
    any: "全部",
    sort: "排序",
    waiting_longest: "等待最久",
    sla_soonest: "SLA 最早到期",
    search_cases: "搜索工单…",
    no_cases: "这里没有工单。",
    visitor: "访客",
    waiting: "已等待",
    loading_case: "正在加载工单…",
    case_type: "类型",
    assignee: "处理人",
    unassigned: "未分配",
    claim: "认领",
    transfer: "转交…",
    tags: "标签",
    rated: "访客评分 ",
    transfer_heading: "转交",
    transfer_agent: "客服",
    transfer_queue: "—（技能组队列）",
    transfer_note: "给接手客服的备注（必填）",
    cancel: "取消",
    transferred_by: " 转交了此工单",
    a_colleague: "一位同事",
    with_assistant: "转人工前与智能助手的对话",
    with_team: "与客服团队的对话",
    internal_note_by: "内部备注 · ",
    bot: "机器人",
    agent: "客服",
    system: "系统",
    contact: "联系人",
    anonymous: "匿名访客",
    no_name: "（未留姓名）",
    verified: "已验证",
    unverified: "未验证",
    previous_tickets: "历史工单",
    none: "无",
    merge_here: "合并到此",
    bot_knew: "机器人掌握的信息",
    decision: "决策",
    page: "页面",
    language: "语言",
    candidates: "候选答案",
    reply: "回复",
    internal_note: "内部备注",
    composer_hint: "支持 Markdown · 输入 / 插入快捷回复 · Ctrl+Enter 发送",
    reply_placeholder: "回复访客…",
    note_placeholder: "给同事的备注（访客看不到）…",
    send_reply: "发送回复",
    add_note: "添加备注",
    smart_assist: "智能辅助",
    kb_loading: "正在加载知识库…",
    kb_unavailable: "知识库不可用：",
    for_latest: "针对访客的最新消息：",
    no_entry: "没有匹配的知识库条目。",
    search_kb: "搜索知识库",
    insert: "插入",
    confidence: "引擎置信度",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_browsers_get_chinese_and_the_toggle_names_the_other_language() {
        assert_eq!(Locale::detect(None, "zh-TW"), Locale::ZhCn);
        assert_eq!(texts(Locale::ZhCn).other_language, "English");
        assert_eq!(texts(Locale::En).other_language, "中文");
        assert_eq!(texts(Locale::ZhCn).sign_in, "登录");
    }
}
