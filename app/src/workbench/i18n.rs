//! The workbench's language: chosen once per page, for the agent pages and the admin pages alike.
//!
//! The agent's toggle (kept in local storage) wins, then the browser's language. Switching
//! reloads the page, so no view needs to re-render its labels live. Each area keeps its own
//! strings (`agent::i18n`, `admin::i18n`) and reads them through [`pick`].

use std::sync::OnceLock;

use crate::browser;
use crate::i18n::{Locale, Translations};

const KEY: &str = "answerdesk.workbench.locale";

/// The language this page speaks.
pub fn locale() -> Locale {
    static LOCALE: OnceLock<Locale> = OnceLock::new();
    *LOCALE.get_or_init(|| Locale::detect(browser::load(KEY).as_deref(), &browser::language()))
}

/// `table`'s strings in this page's language.
pub fn pick<T>(table: &'static Translations<T>) -> &'static T {
    table.get(locale())
}

/// Keeps `locale` for the next pages and shows this one again in it.
pub fn switch_to(locale: Locale) {
    browser::store(KEY, locale.tag());
    browser::desk::reload();
}
