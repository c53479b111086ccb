//! CSV responses (RFC 4180) that spreadsheets open as they are, Chinese text included.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Excel reads a CSV without a byte-order mark in the system's legacy code page, which turns
/// Chinese into mojibake; with it, as UTF-8. Other tools skip it.
const BOM: &str = "\u{feff}";

/// `rows` (the header first) as a `text/csv` download named `filename`.
pub fn download(filename: &str, rows: &[Vec<String>]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        encode(rows),
    )
        .into_response()
}

/// The CSV text: fields quoted when they hold a comma, a quote, a line break or leading
/// spaces, quotes doubled, lines ended by CRLF. A field a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) gets a leading `'`, since visitors write the comments.
pub fn encode(rows: &[Vec<String>]) -> String {
    let mut out = String::from(BOM);
    for row in rows {
        for (i, field) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let defused;
            let field = if field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err()
            {
                defused = format!("'{field}");
                &defused
            } else {
                field
            };
            if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') {
                out.push('"');
                out.push_str(&field.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(field);
            }
        }
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_it_and_defuses_formulas() {
        let rows = vec![
            vec!["a".into(), "b,c".into(), "say \"hi\"".into()],
            vec![
                "line\nbreak".into(),
                "=SUM(A1)".into(),
                "-3".into(),
                "退货很慢".into(),
            ],
        ];
        assert_eq!(
            encode(&rows),
            "\u{feff}a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",'=SUM(A1),-3,退货很慢\r\n"
        );
    }
}
