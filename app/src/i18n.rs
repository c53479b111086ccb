//! UI strings in every supported language, and the one way the app chooses them.
//!
//! Each area keeps its own table — the visitor's [`Strings`] here, the workbench's and the admin
//! pages' beside their code — as a [`Translations`] value: one struct of strings per language.
//! Adding a language is adding a [`Locale`] and a field of [`Translations`].

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    ZhCn,
}

impl Locale {
    /// `?locale=` wins, then the browser's language; anything Chinese gets zh-CN.
    pub fn detect(explicit: Option<&str>, browser: &str) -> Locale {
        let tag = explicit.unwrap_or(browser).to_ascii_lowercase();
        if tag.starts_with("zh") {
            Locale::ZhCn
        } else {
            Locale::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    pub fn strings(self) -> &'static Strings {
        STRINGS.get(self)
    }
}

/// One area's strings in every language.
pub struct Translations<T: 'static> {
    pub en: T,
    pub zh_cn: T,
}

impl<T> Translations<T> {
    /// The strings of `locale`.
    pub fn get(&self, locale: Locale) -> &T {
        match locale {
            Locale::En => &self.en,
            Locale::ZhCn => &self.zh_cn,
        }
    }
}

/// `template` with each `{name}` replaced by its value: messages that carry data keep the
/// word order of their language.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let (_, value) = values.iter().find(|(name, _)| *name == &after[..close])?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                text.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}

/// Everything the visitor reads that does not come from the knowledge base.
pub struct Strings {
    pub title: &'static str,
    pub greeting: &'static str,
    pub suggestions_heading: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub talk_to_person: &'static str,
    pub did_you_mean: &'static str,
    pub no_answer: &'static str,
    pub asked_for_person: &'static str,
    pub source: &'static str,
    pub escalate_heading: &'static str,
    pub escalate_intro: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub message: &'static str,
    pub optional: &'static str,
    pub submit: &'static str,
    pub cancel: &'static str,
    pub sending: &'static str,
    pub escalated: &'static str,
    pub escalate_failed: &'static str,
    pub you: &'static str,
    pub assistant: &'static str,
    pub team: &'static str,
    pub helpful_prompt: &'static str,
    pub helpful_yes: &'static str,
    pub helpful_no: &'static str,
    pub helpful_thanks: &'static str,
    pub helpful_sorry: &'static str,
    pub back_to_bot: &'static str,
    pub continue_with_team: &'static str,
    pub team_placeholder: &'static str,
    pub with_team: &'static str,
    pub with_bot: &'static str,
    pub queued_offline: &'static str,
    pub reply_failed: &'static str,
    /// Beside a reply typed offline, until the server has it.
    pub reply_queued: &'static str,
    pub resolved: &'static str,
    pub rating_prompt: &'static str,
    pub rating_thanks: &'static str,
    pub rating_of: &'static str,
    pub rating_comment: &'static str,
    pub close: &'static str,
    pub matching: &'static str,
}

/// The visitor's strings, each language complete: a missing one is a compile error.
static STRINGS: Translations<Strings> = Translations {
    en: Strings {
        title: "Help",
        greeting: "Hi! Ask me anything about orders, shipping, returns, payments or your account.",
        suggestions_heading: "Popular questions",
        loading: "Loading answers…",
        load_failed: "Answers could not be loaded. You can still talk to a person.",
        placeholder: "Type your question…",
        send: "Send",
        talk_to_person: "Talk to a person",
        did_you_mean: "Did you mean…",
        no_answer: "I couldn't find an answer to that. A person from our team can help.",
        asked_for_person: "Of course. Tell us how to reach you and a person will take over.",
        source: "From",
        escalate_heading: "Talk to a person",
        escalate_intro: "Our team sees this conversation, so you won't need to repeat yourself.",
        name: "Name",
        email: "Email",
        message: "Message",
        optional: "optional",
        submit: "Send to our team",
        cancel: "Cancel",
        sending: "Sending…",
        escalated: "Thanks! Your request is with our team. A person will reply here.",
        escalate_failed: "Your request could not be sent. Please try again.",
        you: "You",
        assistant: "Assistant",
        team: "Our team",
        helpful_prompt: "Was this helpful?",
        helpful_yes: "Yes, this helped",
        helpful_no: "No, this did not help",
        helpful_thanks: "Thanks for letting us know.",
        helpful_sorry: "Sorry about that.",
        back_to_bot: "Back to the assistant",
        continue_with_team: "Continue with our team",
        team_placeholder: "Write to our team…",
        with_team: "You're talking with our team now. Replies appear here.",
        with_bot: "You're talking to the assistant again. Our team still sees your request.",
        queued_offline:
            "You're offline. Your request is saved and will be sent when you're back online.",
        reply_failed: "Your message could not be sent:",
        reply_queued: "Not sent yet: it goes out when you're back online.",
        resolved: "Our team marked this conversation as resolved.",
        rating_prompt: "How was your conversation with our team?",
        rating_thanks: "Thanks for rating this conversation.",
        rating_of: "out of 5",
        rating_comment: "Anything to add? (optional, before you pick the stars)",
        close: "Close",
        matching: "Matching questions",
    },
    zh_cn: Strings {
        title: "帮助",
        greeting: "您好！关于订单、配送、退货、支付或账户的问题，都可以问我。",
        suggestions_heading: "常见问题",
        loading: "正在加载答案…",
        load_failed: "答案加载失败。您仍然可以联系人工客服。",
        placeholder: "请输入您的问题…",
        send: "发送",
        talk_to_person: "转人工客服",
        did_you_mean: "您是想问…",
        no_answer: "抱歉，我没有找到答案。人工客服可以帮您。",
        asked_for_person: "好的。请留下联系方式，人工客服会接手。",
        source: "来自",
        escalate_heading: "联系人工客服",
        escalate_intro: "客服会看到这段对话，您无需重复描述。",
        name: "姓名",
        email: "邮箱",
        message: "留言",
        optional: "选填",
        submit: "提交给客服",
        cancel: "取消",
        sending: "正在发送…",
        escalated: "已提交！客服会在这里回复您。",
        escalate_failed: "提交失败，请重试。",
        you: "您",
        assistant: "智能助手",
        team: "客服团队",
        helpful_prompt: "这个回答有帮助吗？",
        helpful_yes: "有帮助",
        helpful_no: "没有帮助",
        helpful_thanks: "感谢您的反馈。",
        helpful_sorry: "抱歉没能帮到您。",
        back_to_bot: "返回智能助手",
        continue_with_team: "继续联系客服",
        team_placeholder: "给客服留言…",
        with_team: "您正在与客服对话，回复会显示在这里。",
        with_bot: "您已回到智能助手。客服仍会处理您的请求。",
        queued_offline: "您当前处于离线状态。请求已保存，恢复联网后会自动发送。",
        reply_failed: "消息发送失败：",
        reply_queued: "尚未发送：恢复联网后会自动发送。",
        resolved: "客服已将此对话标记为已解决。",
        rating_prompt: "您对本次客服对话满意吗？",
        rating_thanks: "感谢您的评价。",
        rating_of: "分（满分5分）",
        rating_comment: "还有什么想说的吗？（选填，请在打分前填写）",
        close: "关闭",
        matching: "相关问题",
    },
};
