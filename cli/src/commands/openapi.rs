//! `answerdesk openapi`: the REST API's description without a running server, for validators
//! and client generators (`cargo xtask openapi`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use utoipa::OpenApi;

pub fn print() -> Result<ExitCode> {
    let json = server::http::openapi::ApiDoc::openapi().to_pretty_json()?;
    writeln!(std::io::stdout().lock(), "{json}")?;
    Ok(ExitCode::SUCCESS)
}
