//! The agent workbench and admin pages (`agent.html`, served under `/agent/`).

fn main() {
    std::panic::set_hook(Box::new(|info| report_crash(&info.to_string())));
    leptos::mount::mount_to_body(app::agent::Workbench);
}

/// A bug must not leave an agent staring at a frozen page: say so on the page and in the console.
fn report_crash(message: &str) {
    web_sys::console::error_1(&format!("answerdesk workbench: {message}").into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let (Ok(alert), Some(body)) = (document.create_element("p"), document.body()) {
        alert.set_class_name("wb-crash");
        let _ = alert.set_attribute("role", "alert");
        let _ = alert.set_attribute("data-testid", "crash");
        alert.set_text_content(Some(&format!(
            "The workbench stopped because of a bug; reload the page to continue. ({message})"
        )));
        let _ = body.prepend_with_node_1(&alert);
    }
}
