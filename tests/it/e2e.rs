//! The admin web page end to end in headless Chromium (playwright-core driving Debian's
//! `/usr/bin/chromium`). `tests/e2e/manage.mjs` runs a deployment from the page alone: adds a
//! site and changes its settings, adds and deletes an extension and a phone, sees the extension
//! form refuse a change as a whole naming the rule, and adopts a phone from the unassigned inbox
//! that then boots with its files. `tests/e2e/admin.mjs` logs in, uploads a CSV with a bad row and sees the
//! error with its line, applies the fixed file, finds the phone, sets a setting for it and sees
//! it with where it comes from (and a bad value refused), previews its files, switches
//! the site over after the confirmation and sees the rendered server change, and checks that no
//! request went to another host. `tests/e2e/deploy.mjs` runs issue 32's whole new deployment:
//! two sites (one the other's alternate) with a site VLAN and a model's codecs, a CRLF CSV whose
//! bad row is named by its real line and extension, adoption onto a new number, a key, the
//! directory flag, the whole branch switched over and back, and the dashboard's lists of the
//! phones that booted and failed. Screenshots land in `target/e2e-screenshots` (the docs show
//! copies). Needs `npm ci --prefix tests/e2e` and Chromium, as `.ci/run` installs them.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::server::{TOKEN, start_with};

/// Runs `script` of `tests/e2e` against a fresh server; it must pass and leave `shots`.
async fn browse(script: &str, shots: &[&str]) {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/e2e` (.ci/run does)"
    );
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "Chromium is missing: apt-get install chromium (.ci/run does)"
    );
    let server = start_with(&["--admin-token", TOKEN]).await;
    let work = tempfile::tempdir().unwrap();
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("e2e-screenshots");
    for name in shots {
        let _ = std::fs::remove_file(folder.join(format!("{name}.png")));
    }
    let out = Command::new("node")
        .arg(e2e.join(script))
        .env("BASE_URL", &server.base)
        .env("ADMIN_TOKEN", TOKEN)
        .env("WORK_DIR", work.path())
        .env("SHOTS_DIR", &folder)
        .output()
        .expect("node");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(said.contains("ok: "), "{said}");
    for name in shots {
        let shot = folder.join(format!("{name}.png"));
        let bytes = std::fs::read(&shot).unwrap_or_default();
        assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", shot.display());
    }
}

#[tokio::test]
async fn the_admin_page_in_a_real_browser() {
    browse(
        "admin.mjs",
        &[
            "login",
            "dashboard",
            "import-error",
            "import-preview",
            "phone",
            "phone-settings",
            "preview",
            "switchover-confirm",
            "site-switched-over",
            "preview-switched-over",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_deployment_run_from_the_web_page_alone() {
    browse(
        "manage.mjs",
        &[
            "site-add",
            "site-settings-refused",
            "site-settings",
            "extension-refused",
            "phone-add",
            "unassigned",
            "phone-adopted",
        ],
    )
    .await;
}

/// Issue 32's acceptance: a whole new deployment from the web page alone.
#[tokio::test]
async fn a_new_deployment_from_the_web_page_with_switchover_and_the_dashboard_lists() {
    browse(
        "deploy.mjs",
        &["settings-page", "dashboard-failed", "phones-booted"],
    )
    .await;
}
