//! Times as an agent reads them: how long someone has waited, when something is due.

/// Now, in unix milliseconds (the server's unit).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A duration in the largest unit that fits: `45 s`, `12 min`, `3 h`, `2 d`.
pub fn span(ms: i64) -> String {
    let seconds = ms.max(0) / 1000;
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

/// How an SLA due time reads from `now`: `due in 3 h` or `overdue 12 min`.
pub fn due(now: i64, due_at: i64) -> String {
    if due_at >= now {
        format!("due in {}", span(due_at - now))
    } else {
        format!("overdue {}", span(now - due_at))
    }
}

/// A local clock time for a message, e.g. `14:03`.
pub fn time_of_day(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// A local calendar date, e.g. `2026-12-07`.
pub fn date(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_pick_the_largest_unit() {
        assert_eq!(span(-5), "0 s");
        assert_eq!(span(45_000), "45 s");
        assert_eq!(span(12 * 60_000 + 59_000), "12 min");
        assert_eq!(span(3 * 3_600_000), "3 h");
        assert_eq!(span(50 * 3_600_000), "2 d");
    }

    #[test]
    fn due_reads_both_ways() {
        assert_eq!(due(0, 3 * 3_600_000), "due in 3 h");
        assert_eq!(due(12 * 60_000, 0), "overdue 12 min");
    }
}
