//! One set of site rules, kept by every writer of extensions (issue 21 item 8): a CSV import
//! may not move a switchover-enabled extension to a site without an alternate, a relocation may
//! not put an extension among its new site's reserved numbers, and the API's extension edit
//! (the web form's one call) saves its fields and its switchover together or not at all, naming
//! the rule. A breach left by a later site change (numbers reserved afterwards) does not block
//! other edits of the extension.

use crate::common;

use common::server::{TOKEN, api, json, send_json, start_with};

fn csv_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("rows.csv");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[tokio::test]
async fn every_cli_writer_keeps_the_site_rules() {
    let db = common::golden_sqlite_db().await;
    let run = |args: &[&str]| db.command().args(args).output().unwrap();
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
    };
    ok(&["site", "add", "east", "--server", "10.30.0.5"]);
    ok(&["site", "set", "default", "--alternate", "branch"]);
    ok(&["extension", "switchover", "201", "on"]);
    let before = db.export();

    // A CSV import moving 201 home to a site without an alternate is refused by line and
    // column, and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = csv_file(&dir, "extension,display_name,site\n201,Moved Away,east\n");
    let out = run(&["import", &file]);
    assert!(!out.status.success());
    let said = common::stderr(&out);
    assert!(
        said.contains("line 2")
            && said.contains("site")
            && said.contains("site east has no alternate site"),
        "{said}"
    );
    assert_eq!(db.export(), before, "nothing written");

    // A relocation into the new site's reserved numbers is refused.
    ok(&["site", "set", "east", "--reserved-numbers", "200-209"]);
    let out = run(&["extension", "relocate", "202", "east"]);
    assert!(!out.status.success());
    let said = common::stderr(&out);
    assert!(
        said.contains("cannot be relocated to site east") && said.contains("reserved_numbers"),
        "{said}"
    );
    // Outside the reserved numbers it is fine.
    ok(&["extension", "relocate", "202", "branch"]);

    // Branch's server turns out to use 201 itself after 201 was enabled: 201 can still be
    // renamed (the breach is not new), but not enabled afresh once turned off.
    ok(&["site", "set", "branch", "--reserved-numbers", "201"]);
    let file = csv_file(&dir, "extension,display_name\n201,Renamed\n");
    ok(&["import", &file]);
    assert!(db.export().contains("201,Renamed"));
    ok(&["extension", "switchover", "201", "off"]);
    let out = run(&["extension", "switchover", "201", "on"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("the number is one site branch uses itself"),
        "{}",
        common::stderr(&out)
    );
}

#[tokio::test]
async fn an_extension_edit_with_its_switchover_is_all_or_nothing() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let audit_count = || {
        json(&api(&server, "GET", "/audit?limit=1000", &[]))
            .as_array()
            .unwrap()
            .len()
    };
    let audited = audit_count();
    // The default site has no alternate: the new name is not saved either.
    let refused = send_json(
        &server,
        "PUT",
        "/extensions/201",
        r#"{"display_name": "New Name", "switchover_enabled": true}"#,
    );
    assert_eq!(refused.status, 422);
    let body = json(&refused);
    assert_eq!(body["details"][0]["field"], "switchover_enabled", "{body}");
    let message = body["details"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("site default has no alternate site"),
        "{message}"
    );
    let stored = json(&api(&server, "GET", "/extensions/201", &[]));
    assert_ne!(stored["display_name"], "New Name");
    assert_eq!(stored["switchover_enabled"], false);
    assert_eq!(audit_count(), audited, "nothing audited");

    // With an alternate both are saved, in one change.
    let reply = send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"alternate_site": "branch"}"#,
    );
    assert_eq!(reply.status, 200);
    let saved = send_json(
        &server,
        "PUT",
        "/extensions/201",
        r#"{"display_name": "New Name", "switchover_enabled": true}"#,
    );
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let stored = json(&saved);
    assert_eq!(stored["display_name"], "New Name");
    assert_eq!(stored["switchover_enabled"], true);
}
