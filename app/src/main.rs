use app::visitor::{skeleton, Layout, Visitor};
use leptos::prelude::*;

fn main() {
    let embedded = app::browser::path().starts_with("/widget");
    // Taken before mounting and in the same task: no frame shows neither composer.
    let adopted = skeleton::take();
    let focused = adopted.as_ref().is_some_and(|a| a.focused);
    leptos::mount::mount_to_body(move || {
        let layout = if embedded {
            Layout::Embedded
        } else {
            Layout::FullPage
        };
        view! { <Visitor layout=layout adopted=adopted.unwrap_or_default() /> }
    });
    if focused {
        app::browser::focus_id("ad-input");
    }
}
