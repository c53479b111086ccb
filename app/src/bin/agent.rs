//! The agent workbench and admin pages (`agent.html`, served under `/agent/`).

fn main() {
    std::panic::set_hook(Box::new(|info| report_crash(&info.to_string())));
    leptos::mount::mount_to_body(app::agent::Workbench);
}

/// A bug must not leave an agent staring at a frozen page: say so on the page and in the console.
fn report_crash(message: &str) {
    app::browser::desk::report_crash(
        &format!("answerdesk workbench: {message}"),
        &format!(
            "The workbench stopped because of a bug; reload the page to continue. ({message})"
        ),
    );
}
