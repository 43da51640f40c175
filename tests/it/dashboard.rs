//! The dashboard answers "which phones booted, which failed" (issue 32 item 8): counts that
//! link to filtered phone lists; the list filtered and sorted by last seen; a firmware image a
//! phone asked for and did not get, and a failed registration a phone's uploaded log reports,
//! each listed with the phone (a scanner's guess is not); and the recent warnings kept across
//! a restart.

use crate::common;

use common::server::{TOKEN, api, boot_from, curl, fetch_from, json, start_with};
use common::visitor::{Visitor, text};

fn macs(server: &common::server::Server, query: &str) -> Vec<String> {
    let page = json(&api(server, "GET", &format!("/phones?{query}"), &[]));
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|p| p["mac"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_dashboard_lists_the_phones_that_booted_and_those_that_failed() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    // One phone boots and asks for a firmware image the folder lacks.
    boot_from(&server, "127.0.0.2", "0004f214ab37");
    assert_eq!(fetch_from(&server, "127.0.0.2", "uc5/sip.ld"), 404);
    // Another boots and uploads a log that reports a failed registration.
    boot_from(&server, "127.0.0.3", "0004f214ab38");
    let log = server.db.dir.path().join("app.log");
    std::fs::write(
        &log,
        "0603140015|app1 |1|00|Boot complete\n\
         0603140020|sip  |4|00|Registration failed: 401 Unauthorized, line 1 (202)\n",
    )
    .unwrap();
    let put = curl(
        &format!("{}/0004f214ab38-app.log", server.base),
        &["--interface", "127.0.0.3", "-T", log.to_str().unwrap()],
    );
    assert_eq!(put.status, 204);
    // A scanner's guess from an address of no phone is not a phone's failure.
    assert_eq!(fetch_from(&server, "127.0.0.9", "evil.ld"), 404);

    let status = json(&api(&server, "GET", "/status", &[]));
    let failed: Vec<(&str, &str)> = status["phones_failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["mac"].as_str().unwrap(),
                f["problem"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            ("0004f214ab38", "registration"),
            ("0004f214ab37", "firmware")
        ],
        "{status}"
    );
    assert!(
        !status.to_string().contains("evil.ld"),
        "a scanner's guess is not listed: {status}"
    );

    // The lists the tiles link to.
    let mut failing = macs(&server, "failed=true");
    failing.sort();
    assert_eq!(failing, ["0004f214ab37", "0004f214ab38"]);
    // Last seen is written in batches (about every second): wait for it, bounded.
    let mut booted = Vec::new();
    for _ in 0..50 {
        booted = macs(&server, "seen=hour&sort=last_seen");
        if booted.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(booted, ["0004f214ab38", "0004f214ab37"], "newest first");
    let never = macs(&server, "seen=never&limit=1000");
    assert!(!never.contains(&"0004f214ab37".to_string()));
    let total = json(&api(&server, "GET", "/phones", &[]))["total"]
        .as_u64()
        .unwrap();
    assert_eq!(
        never.len() as u64,
        total - 2,
        "every other phone never fetched"
    );
    let oldest_first = macs(&server, "sort=-last_seen&limit=1000");
    assert_eq!(
        &oldest_first[oldest_first.len() - 2..],
        ["0004f214ab37", "0004f214ab38"]
    );
    assert_eq!(
        api(&server, "GET", "/phones?seen=yesterday", &[]).status,
        400
    );
    assert_eq!(api(&server, "GET", "/phones?sort=colour", &[]).status, 400);

    // The page: tiles that link to those lists, and the phones that failed.
    let visitor = Visitor::new(&server);
    visitor.log_in();
    let dashboard = text(&visitor.get("/admin"));
    for link in [
        r#"href="/admin/phones?seen=hour&amp;sort=last_seen""#,
        r#"href="/admin/phones?seen=never""#,
        r#"href="/admin/phones?failed=true&amp;sort=last_seen""#,
        r#"<a href="/admin/phones/0004f214ab37">0004f214ab37</a>"#,
        "firmware image missing",
        "registration failed (its log)",
        "401 Unauthorized",
    ] {
        assert!(dashboard.contains(link), "{link} in {dashboard}");
    }
    let list = text(&visitor.get("/admin/phones?failed=true&sort=last_seen"));
    assert!(list.contains("2 phone(s) with a recent failure"), "{list}");
    let list = text(&visitor.get("/admin/phones?seen=hour"));
    assert!(list.contains("2 phone(s) seen in the last hour"), "{list}");

    // The warnings are saved every few seconds, and a restart (a kill) keeps them.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    let server = server.restart();
    let status = json(&api(&server, "GET", "/status", &[]));
    let problems = status["recent_problems"].to_string();
    assert!(
        problems.contains("firmware file missing uc5/sip.ld"),
        "{problems}"
    );
    assert!(problems.contains("401 Unauthorized"), "{problems}");
    assert_eq!(
        status["phones_failed"].as_array().unwrap().len(),
        2,
        "{status}"
    );
}
