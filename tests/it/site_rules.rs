//! One set of site rules, kept by every writer of extensions (issue 21 item 8): a relocation may
//! not put an extension among its new site's reserved numbers, and the API's extension edit
//! (the web form's one call) saves its fields and its switchover together or not at all, naming
//! the rule. Following switchover is never refused (issue 32 item 1): without an alternate the
//! extension follows once its site has one, and a number the alternate uses itself stays home
//! at a switchover. A breach left by a later site change (numbers reserved afterwards) does not
//! block other edits of the extension.

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

    // A CSV import moving 201 home to a site without an alternate is accepted: it follows once
    // east has one. The switchover column excludes or includes an extension; a bad cell is
    // refused by line, extension and column, and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = csv_file(
        &dir,
        "extension,display_name,site,switchover\n201,Moved Away,east,no\n",
    );
    ok(&["import", &file]);
    assert!(db.export().contains("201,Moved Away"));
    let before = db.export();
    let file = csv_file(&dir, "extension,display_name,switchover\n201,Again,maybe\n");
    let out = run(&["import", &file]);
    assert!(!out.status.success());
    let said = common::stderr(&out);
    assert!(
        said.contains("line 2 (extension 201), column switchover: \"maybe\" is not yes or no"),
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

    // Branch's server turns out to use 203 itself: 203 still follows (it stays home at a
    // switchover) and can be turned off and on.
    ok(&["site", "set", "branch", "--reserved-numbers", "203"]);
    ok(&["extension", "switchover", "203", "off"]);
    ok(&["extension", "switchover", "203", "on"]);
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
    // A new extension follows its site's switchover.
    let stored = json(&api(&server, "GET", "/extensions/201", &[]));
    assert_eq!(stored["switchover_enabled"], true);
    // A bad label refuses the edit whole: neither the new name nor the exclusion is saved.
    let audited = audit_count();
    let refused = send_json(
        &server,
        "PUT",
        "/extensions/201",
        r#"{"display_name": "New Name", "label": "bad\u0007label", "switchover_enabled": false}"#,
    );
    assert_eq!(
        refused.status,
        422,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    let stored = json(&api(&server, "GET", "/extensions/201", &[]));
    assert_ne!(stored["display_name"], "New Name");
    assert_eq!(stored["switchover_enabled"], true);
    assert_eq!(audit_count(), audited, "nothing audited");

    // Excluding it (no alternate needed) and renaming it are saved in one change.
    let saved = send_json(
        &server,
        "PUT",
        "/extensions/201",
        r#"{"display_name": "New Name", "switchover_enabled": false}"#,
    );
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let stored = json(&saved);
    assert_eq!(stored["display_name"], "New Name");
    assert_eq!(stored["switchover_enabled"], false);
    assert_eq!(audit_count(), audited + 1, "one change");
}
