//! The `answerdesk` binary never prints a database password, even when the database cannot be
//! reached and the error names the URL.

use std::process::Command;

#[test]
fn database_passwords_stay_out_of_cli_errors() {
    let binary = env!("CARGO_BIN_EXE_answerdesk");
    // Port 1 on loopback refuses connections at once.
    let url = "postgres://app:s3cret-pw@127.0.0.1:1/answerdesk";
    for args in [
        vec!["tickets", "list", "--database-url", url],
        vec!["agent", "add", "ann@example.com", "--database-url", url],
    ] {
        let output = Command::new(binary)
            .args(&args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run answerdesk");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(
            !stderr.contains("s3cret-pw") && !stdout.contains("s3cret-pw"),
            "{args:?} printed the password:\n{stderr}"
        );
        assert!(
            stderr.contains("cannot open the database postgres://app:***@127.0.0.1:1"),
            "{args:?}: {stderr}"
        );
    }
}
