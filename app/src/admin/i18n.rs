//! The admin pages' own strings, in the languages of [`crate::i18n::Locale`]; the page's language
//! is the workbench's ([`crate::workbench::i18n::locale`]).

use crate::i18n::{fill, Translations};
use crate::workbench::i18n::pick;
use crate::workbench::AdminPage;

/// The strings of this page's language.
pub fn t() -> &'static Texts {
    pick(&TEXTS)
}

/// What an admin reads around the desk's data (names, ids and origins stay as entered).
pub struct Texts {
    /// The admin pages' names, in the order of [`AdminPage::ALL`].
    page_titles: [&'static str; 8],
    pub nav: &'static str,
    pub loading: &'static str,
    pub saved: &'static str,
    pub save: &'static str,
    pub create: &'static str,
    pub delete: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub id_slug: &'static str,
    // Agents.
    pub role: &'static str,
    pub groups: &'static str,
    pub capacity: &'static str,
    pub available: &'static str,
    pub enabled: &'static str,
    pub invite_heading: &'static str,
    pub group: &'static str,
    pub role_agent: &'static str,
    pub role_admin: &'static str,
    pub default_group: &'static str,
    pub invite: &'static str,
    /// With `{email}` and `{password}`.
    invited: &'static str,
    pub yes: &'static str,
    pub away: &'static str,
    /// With `{capacity}`, quoted.
    not_a_number: &'static str,
    pub reset_password: &'static str,
    pub confirm_reset: &'static str,
    /// With `{email}` and `{password}`.
    password_reset: &'static str,
    // Groups.
    pub id: &'static str,
    pub members: &'static str,
    pub new_group: &'static str,
    pub rename: &'static str,
    // Canned responses.
    pub shortcut: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub new_canned: &'static str,
    pub canned_body: &'static str,
    // Sites.
    pub new_site: &'static str,
    pub new_site_origins: &'static str,
    pub site_origins: &'static str,
    pub identity_secret: &'static str,
    pub secret_set: &'static str,
    pub secret_not_set: &'static str,
    pub rotate: &'static str,
    /// With `{secret}`.
    new_secret: &'static str,
    pub widget_language: &'static str,
    pub visitors_browser: &'static str,
    pub embed_snippet: &'static str,
    // Settings.
    pub auto_assign: &'static str,
    pub default_capacity: &'static str,
    pub sla_legend: &'static str,
    pub low: &'static str,
    pub normal: &'static str,
    pub high: &'static str,
    pub urgent: &'static str,
    // Unanswered questions.
    pub site: &'static str,
    pub window: &'static str,
    /// The window choices, 7, 30 and 90 days.
    pub windows: [&'static str; 3],
    /// With `{questions}` and `{groups}`.
    unanswered_summary: &'static str,
    pub nothing_unanswered: &'static str,
    /// With `{size}`.
    asked_times: &'static str,
    /// With `{last}` and `{before}`.
    trend: &'static str,
    /// With `{first}` and `{last}` (dates).
    seen: &'static str,
    /// What the assistant did with a question: no answer, choices, a thin answer, a person.
    outcomes: [&'static str; 4],
    pub dismiss: &'static str,
    pub mark_covered: &'static str,
    /// With `{questions}`.
    marked: &'static str,
    pub event_retention: &'static str,
    // Reports.
    pub report_from: &'static str,
    pub report_to: &'static str,
    pub report_site: &'static str,
    pub report_all: &'static str,
    pub report_apply: &'static str,
    pub download_csv: &'static str,
    pub conversations_per_day: &'static str,
    pub self_served: &'static str,
    pub clarified: &'static str,
    pub escalated: &'static str,
    pub no_answer: &'static str,
    pub escalation_reasons: &'static str,
    pub conversations: &'static str,
    pub csat_distribution: &'static str,
    pub from_tickets: &'static str,
    pub from_widget: &'static str,
    pub sla_heading: &'static str,
    pub attained: &'static str,
    pub breached: &'static str,
    pub pending: &'static str,
    pub by_category: &'static str,
    pub by_type: &'static str,
    pub by_group: &'static str,
    pub by_agent: &'static str,
    pub self_service_rate: &'static str,
    pub day: &'static str,
    pub total: &'static str,
    pub reason_heading: &'static str,
    pub rate: &'static str,
    pub response_times: &'static str,
    pub tickets: &'static str,
    pub median: &'static str,
    pub csat: &'static str,
    pub ratings: &'static str,
    pub average: &'static str,
    pub satisfied: &'static str,
    pub score: &'static str,
    pub comments: &'static str,
    pub source: &'static str,
    pub comment: &'static str,
    pub attainment: &'static str,
    pub priority: &'static str,
    pub none: &'static str,
    pub top_entries: &'static str,
    pub entry: &'static str,
    pub answered: &'static str,
    pub helpful: &'static str,
    pub not_helpful: &'static str,
    pub helpful_rate: &'static str,
    reason_requested: &'static str,
    reason_no_answer: &'static str,
    reason_no_choice_fitted: &'static str,
    reason_not_helpful: &'static str,
    first_response: &'static str,
    resolution: &'static str,
    // Knowledge base.
    pub add_answer: &'static str,
    pub kb_search: &'static str,
    pub kb_search_hint: &'static str,
    pub kb_new: &'static str,
    /// With `{count}`.
    kb_count: &'static str,
    pub kb_empty: &'static str,
    pub kb_locale_short: &'static str,
    pub kb_locale: &'static str,
    pub kb_question: &'static str,
    pub kb_alternates: &'static str,
    pub kb_answer: &'static str,
    pub kb_preview: &'static str,
    pub kb_category: &'static str,
    pub kb_tags: &'static str,
    pub kb_links: &'static str,
    pub kb_file: &'static str,
    pub kb_editable: &'static str,
    pub kb_article_part: &'static str,
    /// With `{file}`.
    kb_article_reason: &'static str,
    /// With `{id}`.
    kb_editing: &'static str,
    pub kb_checks: &'static str,
    pub kb_no_findings: &'static str,
    pub kb_error: &'static str,
    pub kb_warning: &'static str,
    /// With `{id}`.
    kb_open: &'static str,
    pub kb_retire: &'static str,
    pub kb_confirm_retire: &'static str,
    pub kb_close: &'static str,
    /// With `{id}`.
    kb_created: &'static str,
    /// With `{id}`.
    kb_saved: &'static str,
    /// With `{id}`.
    kb_retired: &'static str,
    pub kb_publish_heading: &'static str,
    pub kb_publish: &'static str,
    kb_idle: &'static str,
    /// With `{stage}` and `{percent}`.
    kb_running: &'static str,
    /// The steps of a publish: reading, building, compressing, storing.
    kb_stages: [&'static str; 4],
    /// With `{version}` and `{entries}`.
    kb_done: &'static str,
    /// With `{error}`.
    kb_failed: &'static str,
    pub kb_versions: &'static str,
    pub kb_no_versions: &'static str,
    pub kb_version: &'static str,
    pub kb_published: &'static str,
    pub kb_by: &'static str,
    pub kb_size: &'static str,
    pub kb_entries: &'static str,
    pub kb_served: &'static str,
    pub kb_rollback: &'static str,
    /// With `{version}`.
    kb_confirm_rollback: &'static str,
    /// With `{version}`.
    kb_rolled_back: &'static str,
}

impl Texts {
    /// An admin page's name, in the nav and its heading.
    pub fn page_title(&self, page: AdminPage) -> &'static str {
        let [agents, groups, canned, sites, config, reports, unanswered, kb] = self.page_titles;
        match page {
            AdminPage::Agents => agents,
            AdminPage::Groups => groups,
            AdminPage::Canned => canned,
            AdminPage::Sites => sites,
            AdminPage::Config => config,
            AdminPage::Reports => reports,
            AdminPage::Unanswered => unanswered,
            AdminPage::Kb => kb,
        }
    }

    pub fn unanswered_summary(&self, questions: u64, groups: usize) -> String {
        fill(
            self.unanswered_summary,
            &[
                ("questions", &questions.to_string()),
                ("groups", &groups.to_string()),
            ],
        )
    }

    pub fn asked_times(&self, size: u32) -> String {
        fill(self.asked_times, &[("size", &size.to_string())])
    }

    pub fn trend(&self, last: u32, before: u32) -> String {
        fill(
            self.trend,
            &[("last", &last.to_string()), ("before", &before.to_string())],
        )
    }

    pub fn seen(&self, first: &str, last: &str) -> String {
        fill(self.seen, &[("first", first), ("last", last)])
    }

    /// What the assistant did with a question, from its event kind.
    pub fn outcome(&self, kind: &str) -> &'static str {
        let [no_answer, clarified, answered, escalated] = self.outcomes;
        match kind {
            "clarified" => clarified,
            "answered" => answered,
            "escalated" => escalated,
            _ => no_answer,
        }
    }

    pub fn kb_count(&self, count: usize) -> String {
        fill(self.kb_count, &[("count", &count.to_string())])
    }

    pub fn kb_article_reason(&self, file: &str) -> String {
        fill(self.kb_article_reason, &[("file", file)])
    }

    pub fn kb_editing(&self, id: &str) -> String {
        fill(self.kb_editing, &[("id", id)])
    }

    pub fn kb_open(&self, id: &str) -> String {
        fill(self.kb_open, &[("id", id)])
    }

    pub fn kb_created(&self, id: &str) -> String {
        fill(self.kb_created, &[("id", id)])
    }

    pub fn kb_saved(&self, id: &str) -> String {
        fill(self.kb_saved, &[("id", id)])
    }

    pub fn kb_retired(&self, id: &str) -> String {
        fill(self.kb_retired, &[("id", id)])
    }

    pub fn kb_confirm_rollback(&self, version: i64) -> String {
        fill(
            self.kb_confirm_rollback,
            &[("version", &version.to_string())],
        )
    }

    pub fn kb_rolled_back(&self, version: i64) -> String {
        fill(self.kb_rolled_back, &[("version", &version.to_string())])
    }

    /// Where a publish is, in words; `percent` while it runs.
    pub fn kb_publish_status(&self, status: &protocol::KbPublishStatus, percent: u8) -> String {
        use protocol::{KbPublishStage as Stage, KbPublishState as State};
        match status.state {
            State::Idle => self.kb_idle.to_owned(),
            State::Running => {
                let [reading, building, compressing, storing] = self.kb_stages;
                let stage = match status.stage {
                    Some(Stage::Reading) | None => reading,
                    Some(Stage::Building) => building,
                    Some(Stage::Compressing) => compressing,
                    Some(Stage::Storing) => storing,
                };
                fill(
                    self.kb_running,
                    &[("stage", stage), ("percent", &percent.to_string())],
                )
            }
            State::Done => fill(
                self.kb_done,
                &[
                    ("version", &status.version.unwrap_or_default().to_string()),
                    (
                        "entries",
                        &status.entry_count.unwrap_or_default().to_string(),
                    ),
                ],
            ),
            State::Failed => fill(
                self.kb_failed,
                &[("error", status.error.as_deref().unwrap_or_default())],
            ),
        }
    }

    pub fn marked(&self, questions: u32) -> String {
        fill(self.marked, &[("questions", &questions.to_string())])
    }

    pub fn invited(&self, email: &str, password: &str) -> String {
        fill(self.invited, &[("email", email), ("password", password)])
    }

    pub fn password_reset(&self, email: &str, password: &str) -> String {
        fill(
            self.password_reset,
            &[("email", email), ("password", password)],
        )
    }

    /// `capacity` as typed, quoted as Rust quotes a string.
    pub fn not_a_number(&self, capacity: &str) -> String {
        fill(self.not_a_number, &[("capacity", &format!("{capacity:?}"))])
    }

    pub fn new_secret(&self, secret: &str) -> String {
        fill(self.new_secret, &[("secret", secret)])
    }

    /// Why conversations went to a person, in words.
    pub fn reason(&self, reason: protocol::EscalationReason) -> &'static str {
        match reason {
            protocol::EscalationReason::Requested => self.reason_requested,
            protocol::EscalationReason::NoAnswer => self.reason_no_answer,
            protocol::EscalationReason::NoChoiceFitted => self.reason_no_choice_fitted,
            protocol::EscalationReason::NotHelpful => self.reason_not_helpful,
        }
    }

    pub fn measure(&self, measure: protocol::TimeMeasure) -> &'static str {
        match measure {
            protocol::TimeMeasure::FirstResponse => self.first_response,
            protocol::TimeMeasure::Resolution => self.resolution,
        }
    }
}

pub(crate) static TEXTS: Translations<Texts> = Translations {
    en: Texts {
        page_titles: ["Agents", "Groups", "Canned responses", "Sites", "Settings", "Reports", "Unanswered", "Knowledge base"],
    nav: "Admin",
    loading: "Loading…",
    saved: "Saved.",
    save: "Save",
    create: "Create",
    delete: "Delete",
    name: "Name",
    email: "Email",
    id_slug: "Id (slug)",
    role: "Role",
    groups: "Groups",
    capacity: "Capacity",
    available: "Available",
    enabled: "Enabled",
    invite_heading: "Invite an agent",
    group: "Group",
    role_agent: "agent",
    role_admin: "admin",
    default_group: "default",
    invite: "Invite",
    invited: "{email} can now sign in with the one-time password {password} (shown only now).",
    yes: "yes",
    away: "away",
    not_a_number: "capacity {capacity} is not a number",
    reset_password: "Reset password",
    confirm_reset: "Click again: signs the agent out everywhere",
    password_reset: "New one-time password for {email}: {password} (shown once; they should change it)",
    id: "Id",
    members: "Members",
    new_group: "New group",
    rename: "Rename",
    shortcut: "Shortcut",
    title: "Title",
    text: "Text",
    new_canned: "New canned response",
    canned_body: "Text (Markdown; {{contact.name}}, {{agent.name}}, {{ticket.id}})",
    new_site: "New site",
    new_site_origins: "Allowed origins (one per line)",
    site_origins:
        "Allowed origins (one per line; * for any port or subdomain, e.g. https://*.example.com)",
    identity_secret: "Identity secret: ",
    secret_set: "set",
    secret_not_set: "not set",
    rotate: "Rotate",
    new_secret: "New identity secret (shown only now; put it in your backend's configuration): {secret}",
    widget_language: "Widget language for the snippet (optional)",
    visitors_browser: "visitor's browser",
    embed_snippet: "Embed snippet (paste before </body>)",
    auto_assign: "Assign new cases automatically (round-robin among available agents with room)",
    default_capacity: "Default capacity (open cases per agent)",
    sla_legend: "SLA: minutes to answer, by priority",
    low: "Low",
    normal: "Normal",
    high: "High",
    urgent: "Urgent",
    site: "Site",
    window: "Asked in",
    windows: ["the last 7 days", "the last 30 days", "the last 90 days"],
    unanswered_summary: "{questions} questions the assistant could not answer, in {groups} groups. Biggest first.",
    nothing_unanswered: "Nothing went unanswered in this window.",
    asked_times: "asked {size}×",
    trend: "{last} in the last 7 days, {before} the 7 days before",
    seen: "first {first}, latest {last}",
    outcomes: ["no answer", "offered choices", "answered on thin evidence", "handed to a person"],
    dismiss: "Dismiss",
    mark_covered: "Mark covered",
    marked: "{questions} questions marked; they leave the list.",
    event_retention: "Keep anonymous conversation events for (days, 1–3650; older ones are deleted hourly)",
    report_from: "From",
    report_to: "To",
    report_site: "Site",
    report_all: "all",
    report_apply: "Show",
    download_csv: "Download CSV",
    conversations_per_day: "Conversations per day",
    self_served: "self-served",
    clarified: "clarified",
    escalated: "escalated",
    no_answer: "no answer",
    escalation_reasons: "Escalations by reason",
    conversations: "Conversations",
    csat_distribution: "Ratings by score",
    from_tickets: "tickets",
    from_widget: "widget",
    sla_heading: "First-response SLA",
    attained: "attained",
    breached: "breached",
    pending: "pending",
    by_category: "Tickets by category",
    by_type: "Tickets by type",
    by_group: "Tickets by group",
    by_agent: "Tickets by agent",
    self_service_rate: "Self-service rate",
    day: "Day",
    total: "total",
    reason_heading: "Reason",
    rate: "Rate",
    response_times: "Response and resolution times",
    tickets: "Tickets",
    median: "median",
    csat: "Satisfaction (CSAT)",
    ratings: "Ratings",
    average: "Average",
    satisfied: "Satisfied (4–5)",
    score: "Score",
    comments: "Comments, newest first",
    source: "From",
    comment: "Comment",
    attainment: "Attainment",
    priority: "Priority",
    none: "(none)",
    top_entries: "Most answered entries",
    entry: "Entry",
    answered: "answered",
    helpful: "helpful",
    not_helpful: "not helpful",
    helpful_rate: "Helpful rate",
    reason_requested: "asked for a person",
    reason_no_answer: "no answer found",
    reason_no_choice_fitted: "no suggestion fitted",
    reason_not_helpful: "answer did not help",
    first_response: "first response",
    resolution: "resolution",
    add_answer: "Add answer",
    kb_search: "Search",
    kb_search_hint: "Words in the id, question, wordings or category",
    kb_new: "New entry",
    kb_count: "{count} entries",
    kb_empty: "No entries match.",
    kb_locale_short: "Locale",
    kb_locale: "Locale (en, zh-CN; empty for none)",
    kb_question: "Question",
    kb_alternates: "Other wordings visitors use (one per line)",
    kb_answer: "Answer (Markdown)",
    kb_preview: "Preview: what visitors see",
    kb_category: "Category",
    kb_tags: "Tags (comma separated)",
    kb_links: "Links (one per line: title | URL)",
    kb_file: "File",
    kb_editable: "Editable",
    kb_article_part: "no: part of an article",
    kb_article_reason: "This entry is a passage of the Markdown article {file}: the editor cannot rewrite articles. Edit that file and import the folder again (answerdesk kb import).",
    kb_editing: "Editing {id}",
    kb_checks: "Checks (kb lint)",
    kb_no_findings: "No duplicates or conflicts.",
    kb_error: "Error:",
    kb_warning: "Warning:",
    kb_open: "open {id}",
    kb_retire: "Retire",
    kb_confirm_retire: "Click again to retire it",
    kb_close: "Close",
    kb_created: "Created {id}. Publish to let visitors see it.",
    kb_saved: "Saved {id}. Publish to let visitors see it.",
    kb_retired: "Retired {id}. Publish to take it off the assistant.",
    kb_publish_heading: "Publish",
    kb_publish: "Publish now",
    kb_idle: "Not published since the server started.",
    kb_running: "Publishing: {stage} ({percent} %)",
    kb_stages: ["reading the files", "building the index", "compressing", "storing"],
    kb_done: "Published: version {version} ({entries} entries) is served.",
    kb_failed: "Publish failed: {error}",
    kb_versions: "Versions (the last 10 are kept)",
    kb_no_versions: "Nothing published yet.",
    kb_version: "Version",
    kb_published: "Published",
    kb_by: "By",
    kb_size: "Size",
    kb_entries: "Entries",
    kb_served: "served now",
    kb_rollback: "Roll back",
    kb_confirm_rollback: "Click again to serve version {version}",
    kb_rolled_back: "Version {version} is served again.",
    },
    zh_cn: Texts {
        page_titles: ["坐席", "技能组", "快捷回复", "站点", "设置", "报表", "未解决的问题", "知识库"],
    nav: "管理",
    loading: "加载中…",
    saved: "已保存。",
    save: "保存",
    create: "创建",
    delete: "删除",
    name: "名称",
    email: "邮箱",
    id_slug: "ID（英文标识）",
    role: "角色",
    groups: "技能组",
    capacity: "容量",
    available: "在线",
    enabled: "启用",
    invite_heading: "邀请坐席",
    group: "技能组",
    role_agent: "坐席",
    role_admin: "管理员",
    default_group: "默认",
    invite: "邀请",
    invited: "{email} 现在可以使用一次性密码 {password} 登录（仅显示这一次）。",
    yes: "是",
    away: "离开",
    not_a_number: "容量 {capacity} 不是有效的数字",
    reset_password: "重置密码",
    confirm_reset: "再点一次：该坐席将在所有设备上退出登录",
    password_reset: "{email} 的新一次性密码：{password}（仅显示一次，请提醒对方修改）",
    id: "ID",
    members: "成员",
    new_group: "新建技能组",
    rename: "重命名",
    shortcut: "快捷指令",
    title: "标题",
    text: "内容",
    new_canned: "新建快捷回复",
    canned_body: "内容（支持 Markdown；可用 {{contact.name}}、{{agent.name}}、{{ticket.id}}）",
    new_site: "新建站点",
    new_site_origins: "允许的来源（每行一个）",
    site_origins: "允许的来源（每行一个；* 可匹配任意端口或子域名，例如 https://*.example.com）",
    identity_secret: "身份密钥：",
    secret_set: "已设置",
    secret_not_set: "未设置",
    rotate: "轮换",
    new_secret: "新的身份密钥（仅显示这一次，请填入您后端的配置中）：{secret}",
    widget_language: "嵌入代码中的挂件语言（可选）",
    visitors_browser: "跟随访客浏览器",
    embed_snippet: "嵌入代码（粘贴到 </body> 之前）",
    auto_assign: "自动分配新工单（在有空余容量的在线坐席间轮流分配）",
    default_capacity: "默认容量（每位坐席的未解决工单数）",
    sla_legend: "SLA：按优先级的响应时限（分钟）",
    low: "低",
    normal: "普通",
    high: "高",
    urgent: "紧急",
    site: "站点",
    window: "提问时间",
    windows: ["最近 7 天", "最近 30 天", "最近 90 天"],
    unanswered_summary: "助手没能回答的问题共 {questions} 个，分为 {groups} 组，按数量从多到少排列。",
    nothing_unanswered: "这段时间里没有未解决的问题。",
    asked_times: "被问 {size} 次",
    trend: "最近 7 天 {last} 次，之前 7 天 {before} 次",
    seen: "首次 {first}，最近 {last}",
    outcomes: ["没有答案", "给出了选项", "把握不足的回答", "转给了人工"],
    dismiss: "忽略",
    mark_covered: "标记为已覆盖",
    marked: "已标记 {questions} 个问题，它们不再出现在列表中。",
    event_retention: "匿名会话事件保留天数（1–3650；过期事件每小时删除）",
    report_from: "开始日期",
    report_to: "结束日期",
    report_site: "站点",
    report_all: "全部",
    report_apply: "查看",
    download_csv: "下载 CSV",
    conversations_per_day: "每日对话",
    self_served: "自助解决",
    clarified: "澄清后离开",
    escalated: "转人工",
    no_answer: "未能回答",
    escalation_reasons: "转人工原因",
    conversations: "对话数",
    csat_distribution: "评分分布",
    from_tickets: "工单",
    from_widget: "小组件",
    sla_heading: "首次响应 SLA",
    attained: "达标",
    breached: "超时",
    pending: "进行中",
    by_category: "按分类的工单",
    by_type: "按类型的工单",
    by_group: "按分组的工单",
    by_agent: "按客服的工单",
    self_service_rate: "自助解决率",
    day: "日期",
    total: "合计",
    reason_heading: "原因",
    rate: "比例",
    response_times: "响应与解决时长",
    tickets: "工单数",
    median: "中位数",
    csat: "满意度（CSAT）",
    ratings: "评分数",
    average: "平均分",
    satisfied: "满意（4–5 分）",
    score: "评分",
    comments: "评价留言（最新在前）",
    source: "来源",
    comment: "留言",
    attainment: "达标率",
    priority: "优先级",
    none: "（无）",
    top_entries: "最常用的答案",
    entry: "条目",
    answered: "回答次数",
    helpful: "有帮助",
    not_helpful: "没帮助",
    helpful_rate: "有帮助比例",
    reason_requested: "访客要求人工",
    reason_no_answer: "未找到答案",
    reason_no_choice_fitted: "建议都不合适",
    reason_not_helpful: "答案没帮助",
    first_response: "首次响应",
    resolution: "解决",
    add_answer: "添加答案",
    kb_search: "搜索",
    kb_search_hint: "ID、问题、问法或分类中的词",
    kb_new: "新建条目",
    kb_count: "共 {count} 个条目",
    kb_empty: "没有匹配的条目。",
    kb_locale_short: "语言",
    kb_locale: "语言（en、zh-CN；可留空）",
    kb_question: "问题",
    kb_alternates: "访客的其他问法（每行一个）",
    kb_answer: "答案（Markdown）",
    kb_preview: "预览：访客看到的样子",
    kb_category: "分类",
    kb_tags: "标签（用逗号分隔）",
    kb_links: "链接（每行一个：标题 | URL）",
    kb_file: "文件",
    kb_editable: "可编辑",
    kb_article_part: "否：文章的一部分",
    kb_article_reason: "此条目是 Markdown 文章 {file} 中的一段，编辑器无法改写文章。请修改该文件后重新导入文件夹（answerdesk kb import）。",
    kb_editing: "编辑 {id}",
    kb_checks: "检查（kb lint）",
    kb_no_findings: "没有重复或冲突。",
    kb_error: "错误：",
    kb_warning: "警告：",
    kb_open: "打开 {id}",
    kb_retire: "停用",
    kb_confirm_retire: "再点一次以停用",
    kb_close: "关闭",
    kb_created: "已创建 {id}。发布后访客即可看到。",
    kb_saved: "已保存 {id}。发布后访客即可看到。",
    kb_retired: "已停用 {id}。发布后助手将不再使用它。",
    kb_publish_heading: "发布",
    kb_publish: "立即发布",
    kb_idle: "服务器启动以来尚未发布。",
    kb_running: "正在发布：{stage}（{percent}%）",
    kb_stages: ["读取文件", "构建索引", "压缩", "保存"],
    kb_done: "发布完成：正在使用版本 {version}（{entries} 个条目）。",
    kb_failed: "发布失败：{error}",
    kb_versions: "版本（保留最近 10 个）",
    kb_no_versions: "尚未发布任何版本。",
    kb_version: "版本",
    kb_published: "发布时间",
    kb_by: "发布人",
    kb_size: "大小",
    kb_entries: "条目数",
    kb_served: "正在使用",
    kb_rollback: "回滚",
    kb_confirm_rollback: "再点一次以使用版本 {version}",
    kb_rolled_back: "已恢复使用版本 {version}。",
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn both_languages_fill_in_the_messages() {
        assert_eq!(
            TEXTS.get(Locale::En).not_a_number("many"),
            "capacity \"many\" is not a number"
        );
        assert!(TEXTS
            .get(Locale::ZhCn)
            .invited("a@b.example", "pw")
            .contains("pw"));
        assert_eq!(
            TEXTS.get(Locale::ZhCn).page_title(AdminPage::Canned),
            "快捷回复"
        );
        assert_eq!(
            TEXTS.get(Locale::En).page_title(AdminPage::Config),
            "Settings"
        );
    }

    #[test]
    fn the_knowledge_base_page_speaks_both_languages() {
        use protocol::{KbPublishStage, KbPublishState, KbPublishStatus};
        assert_eq!(TEXTS.get(Locale::ZhCn).page_title(AdminPage::Kb), "知识库");
        let running = KbPublishStatus {
            state: KbPublishState::Running,
            stage: Some(KbPublishStage::Building),
            entry_count: Some(184),
            ..KbPublishStatus::idle()
        };
        assert_eq!(
            TEXTS.get(Locale::En).kb_publish_status(&running, 20),
            "Publishing: building the index (20 %)"
        );
        assert_eq!(
            TEXTS.get(Locale::ZhCn).kb_publish_status(&running, 20),
            "正在发布：构建索引（20%）"
        );
        let done = KbPublishStatus {
            state: KbPublishState::Done,
            version: Some(3),
            ..running
        };
        assert!(TEXTS
            .get(Locale::En)
            .kb_publish_status(&done, 100)
            .contains("version 3 (184 entries)"));
        assert_eq!(
            TEXTS.get(Locale::ZhCn).kb_confirm_rollback(2),
            "再点一次以使用版本 2"
        );
    }
}
