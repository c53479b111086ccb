use app::visitor::{Layout, Visitor};
use leptos::prelude::*;

fn main() {
    let embedded = app::browser::path().starts_with("/widget");
    leptos::mount::mount_to_body(move || {
        view! { <Visitor layout=if embedded { Layout::Embedded } else { Layout::FullPage } /> }
    });
}
