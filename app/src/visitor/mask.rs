//! What the visitor typed, with what could identify them taken out, before any of it leaves the
//! browser in a conversation event.
//!
//! Emails become `[email]`, phone numbers `[phone]`, and any other run of six or more digits
//! (spaces, dashes and dots allowed inside: order, card and ID numbers) `[number]`. Full-width
//! digits and signs, which Chinese input methods type, count as their ASCII selves. A
//! hand-written scanner rather than regular expressions: the widget's wasm carries no regex
//! engine, and this errs on the side of masking (a date like 2024-05-01 is a `[number]` too).

/// `text` with emails, phone numbers and long digit runs replaced.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().map(narrow).collect();
    let original: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = email_at(&chars, i) {
            out.push_str("[email]");
            i = end;
            continue;
        }
        if let Some((end, phone)) = digits_at(&chars, i) {
            out.push_str(if phone { "[phone]" } else { "[number]" });
            i = end;
            continue;
        }
        out.push(original[i]);
        i += 1;
    }
    out
}

/// A full-width digit or sign (U+FF01..U+FF5E) as its ASCII twin; the ideographic space as a
/// space; anything else as it is.
fn narrow(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

fn is_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// When an email starts at `start` (its local part begins there and no earlier), where it ends.
fn email_at(chars: &[char], start: usize) -> Option<usize> {
    if !is_local(chars[start]) || (start > 0 && is_local(chars[start - 1])) {
        return None;
    }
    let at = start + chars[start..].iter().take_while(|&&c| is_local(c)).count();
    if chars.get(at) != Some(&'@') {
        return None;
    }
    let mut end = at
        + 1
        + chars[at + 1..]
            .iter()
            .take_while(|&&c| is_domain(c))
            .count();
    // A sentence's full stop after the address is not part of it.
    while end > at + 1 && matches!(chars[end - 1], '.' | '-') {
        end -= 1;
    }
    let domain = &chars[at + 1..end];
    let dot = domain.iter().rposition(|&c| c == '.')?;
    (dot > 0 && dot + 1 < domain.len()).then_some(end)
}

/// When a digit run starts at `start` (with at most a `+` or `(` before its first digit), where
/// it ends and whether it looks like a phone number; `None` for fewer than six digits.
fn digits_at(chars: &[char], start: usize) -> Option<(usize, bool)> {
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    if start > 0 && digit(start - 1) {
        return None; // inside a run already judged too short
    }
    let lead = matches!(chars[start], '+' | '(');
    let mut i = if lead { start + 1 } else { start };
    if !digit(i) {
        return None;
    }
    let (mut count, mut separated, mut end) = (0, false, i);
    let mut first = Vec::with_capacity(2);
    loop {
        while digit(i) {
            if first.len() < 2 {
                first.push(chars[i]);
            }
            count += 1;
            i += 1;
        }
        end = end.max(i);
        // One or two separators (") ", " - ") between groups of digits.
        let gap = chars[i.min(chars.len())..]
            .iter()
            .take(2)
            .take_while(|&&c| matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .count();
        if gap == 0 || !digit(i + gap) {
            break;
        }
        separated = true;
        i += gap;
    }
    if count < 6 {
        return None;
    }
    let mobile_cn = count == 11 && first[0] == '1' && ('3'..='9').contains(&first[1]);
    let phone = (7..=15).contains(&count) && (lead || separated || mobile_cn);
    if lead && !phone {
        return None; // the `+` or `(` stays; the digits after it are judged on their own
    }
    Some((end, phone))
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn emails_are_masked() {
        assert_eq!(
            mask("write to ann.lee+shop@example.co.uk."),
            "write to [email]."
        );
        assert_eq!(
            mask("我的邮箱是wang_wei@qq.com，谢谢"),
            "我的邮箱是[email]，谢谢"
        );
        assert_eq!(
            mask("全角 ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ 也算"),
            "全角 [email] 也算"
        );
        // Not addresses: no domain with a dot, or nothing before the @.
        assert_eq!(
            mask("ping @support or me@localhost"),
            "ping @support or me@localhost"
        );
    }

    #[test]
    fn phone_numbers_are_masked() {
        assert_eq!(mask("call +1 (555) 123-4567 now"), "call [phone] now");
        assert_eq!(mask("my number is 555-123-4567"), "my number is [phone]");
        assert_eq!(mask("手机13812345678可以联系"), "手机[phone]可以联系");
        assert_eq!(mask("电话：１３８ １２３４ ５６７８"), "电话：[phone]");
        assert_eq!(mask("座机 010-87654321"), "座机 [phone]");
    }

    #[test]
    fn long_digit_runs_are_masked() {
        assert_eq!(
            mask("order 20240517 never came"),
            "order [number] never came"
        );
        assert_eq!(mask("card 4111 1111 1111 1111"), "card [number]");
        assert_eq!(
            mask("订单号１２３４５６７８９０１２３４５６"),
            "订单号[number]"
        );
        assert_eq!(mask("ABC123456"), "ABC[number]");
    }

    #[test]
    fn short_numbers_and_plain_text_stay() {
        let kept = "I ordered 2 shirts for $25.99 in 2024, size 42 (EU)";
        assert_eq!(mask(kept), kept);
        assert_eq!(
            mask("退货需要几天？3-5 个工作日吗"),
            "退货需要几天？3-5 个工作日吗"
        );
        assert_eq!(mask(""), "");
    }
}
