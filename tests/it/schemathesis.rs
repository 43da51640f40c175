//! Schemathesis (from PyPI; scripts/test installs it) against the running server's own OpenAPI
//! document at `/api/v1/openapi.json`: every operation, with generated valid and invalid input,
//! in its coverage, fuzzing and stateful phases, must never answer with a 5xx (`--checks
//! not_a_server_error`). The seed is fixed so a failure can be replayed; a panic in a handler
//! would show as a 500 (or a dropped connection), which fails too.

use crate::common;

use std::process::Command;

use common::server::{TOKEN, start_with};

#[tokio::test]
async fn the_admin_api_answers_no_5xx_to_generated_requests() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let auth = format!("Authorization: Bearer {TOKEN}");
    let out = Command::new("schemathesis")
        .args(["run", &format!("{}/api/v1/openapi.json", server.base)])
        .args(["--url", &server.base, "-H", &auth])
        .args(["--checks", "not_a_server_error"])
        .args([
            "--max-examples",
            "40",
            "--seed",
            "20261121",
            "--workers",
            "2",
        ])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("NO_COLOR", "1")
        .output()
        .expect("schemathesis is installed (scripts/test installs it with pip)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let number_after = |label: &str| {
        report
            .split(label)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
    };
    let selected = number_after("Selected:").and_then(|s| s.split('/').nth(1).map(str::to_string));
    assert!(
        selected.is_some() && selected == number_after("Tested:"),
        "every operation was tested: {report}"
    );
    assert!(
        server.log_lines("panicked").is_empty(),
        "no handler panicked: {:?}",
        server.log_lines("panicked")
    );
}
