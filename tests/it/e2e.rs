//! The admin web page end to end in headless Chromium: `tests/e2e/admin.mjs` (playwright-core
//! driving Debian's `/usr/bin/chromium`) logs in, uploads a CSV with a bad row and sees the
//! error with its line, applies the fixed file, finds the phone, sets a setting for it and sees
//! it with where it comes from (and a bad value refused), previews its files, switches
//! the site over after the confirmation and sees the rendered server change, and checks that no
//! request went to another host. Screenshots land in `target/e2e-screenshots` (the docs show
//! copies). Needs `npm ci --prefix tests/e2e` and Chromium, as `.ci/run` installs them.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::server::{TOKEN, start_with};

#[tokio::test]
async fn the_admin_page_in_a_real_browser() {
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
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("e2e-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let out = Command::new("node")
        .arg(e2e.join("admin.mjs"))
        .env("BASE_URL", &server.base)
        .env("ADMIN_TOKEN", TOKEN)
        .env("WORK_DIR", work.path())
        .env("SHOTS_DIR", &shots)
        .output()
        .expect("node");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(said.contains("ok: "), "{said}");
    for name in [
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
    ] {
        let shot = shots.join(format!("{name}.png"));
        let bytes = std::fs::read(&shot).unwrap_or_default();
        assert!(bytes.starts_with(b"\x89PNG"), "{} is a PNG", shot.display());
    }
}
