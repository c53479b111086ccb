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
    page_titles: [&'static str; 6],
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
    pub add_answer: &'static str,
    pub dismiss: &'static str,
    pub mark_covered: &'static str,
    /// With `{questions}`.
    marked: &'static str,
    pub event_retention: &'static str,
}

impl Texts {
    /// An admin page's name, in the nav and its heading.
    pub fn page_title(&self, page: AdminPage) -> &'static str {
        let [agents, groups, canned, sites, config, unanswered] = self.page_titles;
        match page {
            AdminPage::Agents => agents,
            AdminPage::Groups => groups,
            AdminPage::Canned => canned,
            AdminPage::Sites => sites,
            AdminPage::Config => config,
            AdminPage::Unanswered => unanswered,
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
}

pub(crate) static TEXTS: Translations<Texts> = Translations {
    en: Texts {
        page_titles: ["Agents", "Groups", "Canned responses", "Sites", "Settings", "Unanswered"],
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
    add_answer: "Add answer",
    dismiss: "Dismiss",
    mark_covered: "Mark covered",
    marked: "{questions} questions marked; they leave the list.",
    event_retention: "Keep anonymous conversation events for (days, 1–3650; older ones are deleted hourly)",
    },
    zh_cn: Texts {
        page_titles: ["坐席", "技能组", "快捷回复", "站点", "设置", "未解决的问题"],
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
    add_answer: "添加答案",
    dismiss: "忽略",
    mark_covered: "标记为已覆盖",
    marked: "已标记 {questions} 个问题，它们不再出现在列表中。",
    event_retention: "匿名会话事件保留天数（1–3650；过期事件每小时删除）",
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
}
