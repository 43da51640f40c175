//! CSV import through the real binary, on SQLite and PostgreSQL: every good and bad case of
//! `fixtures/csv/`, the database content afterwards, exit codes, dry run, replace, and export
//! round trips.

use crate::common;
use phoneprov::store::prelude::*;

use std::collections::BTreeMap;

use common::{TestDb, assert_success, databases, fixture_path, stderr, stdout};
use phoneprov::domain::{ExtensionNumber, Mac, SiteName, SiteSettings, Vendor};
use phoneprov::store::SqlStore;

fn number(n: &str) -> ExtensionNumber {
    ExtensionNumber::parse(n).unwrap()
}

fn mac(m: &str) -> Mac {
    Mac::parse(m).unwrap()
}

async fn lines_of(store: &SqlStore, m: &str) -> BTreeMap<u8, String> {
    let phone = store.phone(&mac(m)).await.unwrap().expect("phone exists");
    phone
        .lines
        .iter()
        .map(|(l, n)| (*l, n.to_string()))
        .collect()
}

fn lines(pairs: &[(u8, &str)]) -> BTreeMap<u8, String> {
    pairs.iter().map(|(l, n)| (*l, n.to_string())).collect()
}

async fn load_basic(db: &TestDb) {
    let out = db.import("csv/good/basic.csv", &[]);
    assert_success(&out, "import basic.csv");
}

#[tokio::test]
async fn basic_import_stores_every_field() {
    for db in databases().await {
        let out = db.import("csv/good/basic.csv", &[]);
        assert_success(&out, "import");
        assert_eq!(
            stdout(&out),
            "extensions: 8 created, 0 updated, 0 unchanged, 0 deleted\n\
             phones:     6 created, 0 updated, 0 unchanged, 0 deleted\n\
             1 new extension got a generated password (see `phoneprov export --with-passwords`)\n",
            "{:?}",
            db.backend
        );
        let store = db.open().await;
        let counts = store.counts().await.unwrap();
        assert_eq!((counts.extensions, counts.phones, counts.sites), (8, 6, 1));
        let default_site = store
            .site(&SiteName::default_site())
            .await
            .unwrap()
            .unwrap();

        let alice = store.extension(&number("201")).await.unwrap().unwrap();
        assert_eq!(alice.display_name, "Alice Johnson");
        assert_eq!(alice.password, "alice-pass-201");
        assert_eq!(alice.label.as_deref(), Some("Alice"));
        assert_eq!(alice.auth_user, None);
        assert_eq!(alice.effective_auth_user(), "201");
        assert_eq!(alice.home_site, default_site.id);
        assert_eq!(alice.current_site, default_site.id);

        let bob = store.extension(&number("202")).await.unwrap().unwrap();
        assert!(
            bob.password.len() >= 16,
            "generated password {:?}",
            bob.password
        );
        assert!(bob.password.chars().all(|c| c.is_ascii_alphanumeric()));

        let desk = store.extension(&number("203")).await.unwrap().unwrap();
        assert_eq!(desk.auth_user.as_deref(), Some("desk203"));

        let zoe = store.extension(&number("204")).await.unwrap().unwrap();
        assert_eq!(zoe.display_name, "Zoë Ångström");
        let sales = store.extension(&number("205")).await.unwrap().unwrap();
        assert_eq!(sales.display_name, "O'Brien & \"Sons\" <Sales>");
        assert_eq!(sales.password, "p,ss\"word");

        let spip = store.phone(&mac("0004f214ab37")).await.unwrap().unwrap();
        assert_eq!(
            (spip.vendor, spip.model.as_deref()),
            (Vendor::Polycom, Some("SPIP_331"))
        );
        assert_eq!(lines_of(&store, "0004f214ab37").await, lines(&[(1, "201")]));
        let vvx = store.phone(&mac("0004f214ab38")).await.unwrap().unwrap();
        assert_eq!(vvx.model.as_deref(), Some("VVX_400"));
        assert_eq!(
            lines_of(&store, "0004f214ab38").await,
            lines(&[(1, "202"), (2, "203")])
        );
        let aastra = store.phone(&mac("00085d1610df")).await.unwrap().unwrap();
        assert_eq!(
            (aastra.vendor, aastra.model.as_deref()),
            (Vendor::Aastra, Some("6731i"))
        );
        let soundstation = store.phone(&mac("0004f2aa0001")).await.unwrap().unwrap();
        assert_eq!(soundstation.model.as_deref(), Some("SSIP_6000"));
        // No model: vendor from the Mitel prefix 14:00:e9.
        let mitel = store.phone(&mac("1400e9000001")).await.unwrap().unwrap();
        assert_eq!((mitel.vendor, mitel.model), (Vendor::Aastra, None));
        assert_eq!(lines_of(&store, "1400e9000001").await, lines(&[(1, "207")]));
        // An extension without a phone.
        assert!(store.extension(&number("210")).await.unwrap().is_some());
        store.close().await;
    }
}

#[tokio::test]
async fn bom_crlf_reordered_headers_and_quoted_fields() {
    for db in databases().await {
        let out = db.import("csv/good/bom_crlf_reordered.csv", &[]);
        assert_success(&out, "import");
        let store = db.open().await;
        let john = store.extension(&number("301")).await.unwrap().unwrap();
        assert_eq!(john.display_name, "Smith, John");
        assert_eq!(john.password, "say \"hi\"");
        let unal = store.extension(&number("302")).await.unwrap().unwrap();
        assert_eq!(unal.display_name, "Ünal Çelik");
        let phone = store.phone(&mac("0004f2000101")).await.unwrap().unwrap();
        assert_eq!(phone.model.as_deref(), Some("SPIP_550"));
        assert_eq!(
            lines_of(&store, "0004f2000101").await,
            lines(&[(1, "301"), (2, "302")])
        );
        store.close().await;
    }
}

#[tokio::test]
async fn reimport_and_export_round_trip_change_nothing() {
    for db in databases().await {
        load_basic(&db).await;
        let revision = db.open().await.revision().await.unwrap();

        let again = db.import("csv/good/basic.csv", &[]);
        assert_success(&again, "re-import");
        assert_eq!(
            stdout(&again),
            "extensions: 0 created, 0 updated, 8 unchanged, 0 deleted\n\
             phones:     0 created, 0 updated, 6 unchanged, 0 deleted\n"
        );

        let export = db.export_with_passwords();
        let export_file = db.dir.path().join("export.csv");
        std::fs::write(&export_file, &export).unwrap();
        let reimport = db.run(&["import", export_file.to_str().unwrap()]);
        assert_success(&reimport, "import of the export");
        assert_eq!(
            stdout(&reimport),
            "extensions: 0 created, 0 updated, 8 unchanged, 0 deleted\n\
             phones:     0 created, 0 updated, 6 unchanged, 0 deleted\n"
        );
        assert_eq!(
            db.export_with_passwords(),
            export,
            "a second export is identical"
        );
        assert_eq!(
            db.open().await.revision().await.unwrap(),
            revision,
            "nothing written"
        );

        // The export with passwords names every column and keeps the generated password of 202.
        let store = db.open().await;
        let bob = store.extension(&number("202")).await.unwrap().unwrap();
        let mut rows = export.lines();
        assert_eq!(
            rows.next(),
            Some("extension,display_name,password,label,auth_user,mac,model,site,line")
        );
        assert!(export.contains(&format!(
            "202,Bob Smith,{},,,0004f214ab38,VVX_400,default,1\r\n",
            bob.password
        )));
        assert!(export.contains("205,\"O'Brien & \"\"Sons\"\" <Sales>\",\"p,ss\"\"word\",Sales,,00085d1610df,6731i,default,1\r\n"));
        assert!(export.contains("210,Reception Overflow,over-pass-210,,,,,default,\r\n"));
        store.close().await;
    }
}

#[tokio::test]
async fn export_neutralizes_formulas_and_reimports_unchanged() {
    for db in databases().await {
        assert_success(&db.import("csv/good/formula.csv", &[]), "import");
        let store = db.open().await;
        let e401 = store.extension(&number("401")).await.unwrap().unwrap();
        assert_eq!(e401.display_name, "=HYPERLINK(\"http://x\")");
        assert_eq!(e401.password, "+pass-word");
        assert_eq!(e401.label.as_deref(), Some("@home"));
        let e402 = store.extension(&number("402")).await.unwrap().unwrap();
        assert_eq!(e402.display_name, "-minus");
        assert_eq!(
            e402.password, "'quoted-pw",
            "a ' before a plain character is data"
        );
        assert_eq!(
            e402.label.as_deref(),
            Some("=not-a-formula"),
            "one ' is stripped"
        );

        let export = db.export_with_passwords();
        assert!(
            export.contains("401,\"'=HYPERLINK(\"\"http://x\"\")\",'+pass-word,'@home,"),
            "{export}"
        );
        assert!(
            export.contains("402,'-minus,''quoted-pw,'=not-a-formula,"),
            "{export}"
        );
        for line in export.lines().skip(1) {
            for cell in line.split(',') {
                let cell = cell.trim_start_matches('"');
                assert!(
                    !cell.starts_with(['=', '+', '-', '@']),
                    "{cell:?} in {line:?}"
                );
            }
        }
        let file = db.dir.path().join("export.csv");
        std::fs::write(&file, &export).unwrap();
        let out = db.run(&["import", file.to_str().unwrap()]);
        assert_success(&out, "re-import");
        assert!(stdout(&out).starts_with("extensions: 0 created, 0 updated, 2 unchanged"));
        store.close().await;
    }
}

#[tokio::test]
async fn update_keeps_passwords_moves_lines_and_keeps_absent_columns() {
    for db in databases().await {
        load_basic(&db).await;
        let before = db.open().await;
        let bob_before = before.extension(&number("202")).await.unwrap().unwrap();
        before.close().await;

        let out = db.import("csv/good/update.csv", &[]);
        assert_success(&out, "import update.csv");
        assert_eq!(
            stdout(&out),
            "extensions: 0 created, 1 updated, 2 unchanged, 0 deleted\n\
             phones:     0 created, 2 updated, 0 unchanged, 0 deleted\n"
        );
        let store = db.open().await;
        let alice = store.extension(&number("201")).await.unwrap().unwrap();
        assert_eq!(alice.display_name, "Alice Johnson-Smith");
        assert_eq!(
            alice.password, "alice-pass-201",
            "empty password keeps the old one"
        );
        assert_eq!(
            alice.label.as_deref(),
            Some("Alice"),
            "absent label column keeps it"
        );
        let bob = store.extension(&number("202")).await.unwrap().unwrap();
        assert_eq!(bob, bob_before);
        assert_eq!(
            lines_of(&store, "0004f214ab37").await,
            lines(&[(1, "201"), (2, "202")])
        );
        assert_eq!(lines_of(&store, "0004f214ab38").await, lines(&[(2, "203")]));
        // Untouched rows stay.
        assert_eq!(store.counts().await.unwrap().extensions, 8);
        store.close().await;
    }
}

/// A dry run lists each change, and for an update the fields the file has no column for that
/// keep their value from before (issue 32 item 3: a file without `label` keeps the labels).
#[tokio::test]
async fn dry_run_reports_and_writes_nothing() {
    for db in databases().await {
        load_basic(&db).await;
        let export = db.export();
        let revision = db.open().await.revision().await.unwrap();
        let out = db.import("csv/good/update.csv", &["--dry-run"]);
        assert_success(&out, "dry run");
        assert_eq!(
            stdout(&out),
            "dry run: nothing was written; the import would change:\n\
             extensions: 0 created, 1 updated, 2 unchanged, 0 deleted\n\
             phones:     0 created, 2 updated, 0 unchanged, 0 deleted\n\
             \x20 update extension 201 (display_name; keeps label, site from before)\n\
             \x20 update phone 0004f214ab37 (lines)\n\
             \x20 update phone 0004f214ab38 (lines)\n"
        );
        let replace = db.import(
            "csv/good/replace.csv",
            &["--dry-run", "--replace", "--json"],
        );
        assert_success(&replace, "dry run replace");
        let report: serde_json::Value = serde_json::from_slice(&replace.stdout).unwrap();
        assert_eq!(report["dry_run"], true);
        assert_eq!(
            report["extensions"]["deleted"],
            serde_json::json!(["202", "203", "205", "206", "207", "210"])
        );
        assert_eq!(report["phones"]["deleted"].as_array().unwrap().len(), 4);
        assert_eq!(db.export(), export);
        assert_eq!(db.open().await.revision().await.unwrap(), revision);
    }
}

#[tokio::test]
async fn replace_deletes_what_the_file_does_not_name() {
    for db in databases().await {
        load_basic(&db).await;
        let out = db.import("csv/good/replace.csv", &["--replace"]);
        assert_success(&out, "import --replace");
        assert_eq!(
            stdout(&out),
            "extensions: 0 created, 0 updated, 2 unchanged, 6 deleted\n\
             phones:     0 created, 0 updated, 2 unchanged, 4 deleted\n"
        );
        let store = db.open().await;
        let numbers: Vec<String> = store
            .extensions()
            .await
            .unwrap()
            .iter()
            .map(|e| e.number.to_string())
            .collect();
        assert_eq!(numbers, ["201", "204"]);
        let macs: Vec<String> = store
            .phones()
            .await
            .unwrap()
            .iter()
            .map(|p| p.mac.to_string())
            .collect();
        assert_eq!(macs, ["0004f214ab37", "00085d1610de"]);
        assert_eq!(lines_of(&store, "0004f214ab37").await, lines(&[(1, "201")]));
        store.close().await;
    }
}

#[tokio::test]
async fn site_column_uses_existing_sites() {
    for db in databases().await {
        let store = db.open().await;
        let branch = SiteName::parse("Branch-2").unwrap();
        let site = store
            .create_site(&branch, &SiteSettings::maxcs_defaults(), "test")
            .await
            .unwrap();
        let csv = db.dir.path().join("sites.csv");
        std::fs::write(
            &csv,
            "extension,display_name,site\n501,Branch User,BRANCH-2\n",
        )
        .unwrap();
        assert_success(&db.run(&["import", csv.to_str().unwrap()]), "import");
        let user = store.extension(&number("501")).await.unwrap().unwrap();
        assert_eq!((user.home_site, user.current_site), (site.id, site.id));
        store.close().await;
    }
}

/// Every file in `fixtures/csv/bad/` is refused with exactly the errors in its `.errors` file,
/// exit code 1, and the database (loaded with `basic.csv` first) stays as it was.
#[tokio::test]
async fn bad_files_are_refused_with_every_error_and_nothing_written() {
    let bad_dir = fixture_path("csv/bad");
    let mut files: Vec<_> = std::fs::read_dir(&bad_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "bad fixtures found: {files:?}");
    for db in databases().await {
        load_basic(&db).await;
        let export = db.export();
        let revision = db.open().await.revision().await.unwrap();
        for file in &files {
            let expected = std::fs::read_to_string(file.with_extension("errors"))
                .unwrap_or_else(|_| panic!("{} has no .errors file", file.display()));
            for mode in [&[][..], &["--replace"][..], &["--dry-run"][..]] {
                let mut args = vec!["import", file.to_str().unwrap()];
                args.extend_from_slice(mode);
                let out = db.run(&args);
                assert_eq!(out.status.code(), Some(1), "{} {mode:?}", file.display());
                assert_eq!(
                    stderr(&out),
                    expected,
                    "{} {mode:?} on {:?}",
                    file.display(),
                    db.backend
                );
                assert_eq!(stdout(&out), "", "{}", file.display());
            }
        }
        assert_eq!(db.export(), export, "nothing written on {:?}", db.backend);
        assert_eq!(db.open().await.revision().await.unwrap(), revision);
    }
}

#[tokio::test]
async fn usage_and_file_errors_exit_non_zero_without_panics() {
    let db = common::sqlite_db();
    let missing = db.run(&["import", "/nonexistent/file.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing),
        "error: cannot read /nonexistent/file.csv: No such file or directory (os error 2)\n"
    );
    let usage = db.run(&["import"]);
    assert_eq!(usage.status.code(), Some(2));
    let bad_url = std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .env_remove("PHONEPROV_DATABASE_URL")
        .arg("--data-dir")
        .arg(db.dir.path())
        .args(["--database-url", "mysql://root:hunter2@db/x", "check"])
        .output()
        .unwrap();
    assert_eq!(bad_url.status.code(), Some(1));
    let message = stderr(&bad_url);
    assert!(
        message.contains("unsupported database URL") && !message.contains("hunter2"),
        "{message}"
    );
    for out in [&missing, &usage, &bad_url] {
        assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    }
}

#[tokio::test]
async fn import_reads_standard_input() {
    let db = common::sqlite_db();
    let mut child = db
        .command()
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"extension,display_name\n601,Piped\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_success(&out, "import -");
    let store = db.open().await;
    assert!(store.extension(&number("601")).await.unwrap().is_some());
    store.close().await;
}

#[tokio::test]
async fn a_vendor_set_by_an_admin_is_kept() {
    use phoneprov::domain::Phone;
    use phoneprov::store::ChangeSet;
    for db in databases().await {
        let store = db.open().await;
        // A phone with an unknown OUI whose vendor an admin set.
        let changes = ChangeSet {
            expected_revision: store.revision().await.unwrap(),
            upsert_phones: vec![Phone {
                mac: mac("001122334455"),
                vendor: Vendor::Polycom,
                vendor_pinned: true,
                model: None,
                lines: BTreeMap::new(),
                last_seen: None,
            }],
            ..ChangeSet::default()
        };
        store.apply(&changes, "test", &|_, _| {}).await.unwrap();
        let csv = db.dir.path().join("pinned.csv");
        std::fs::write(
            &csv,
            "extension,display_name,mac,model\n701,Pinned,001122334455,6757i\n",
        )
        .unwrap();
        assert_success(&db.run(&["import", csv.to_str().unwrap()]), "import");
        let phone = store.phone(&mac("001122334455")).await.unwrap().unwrap();
        assert_eq!(
            (phone.vendor, phone.vendor_pinned, phone.model.as_deref()),
            (Vendor::Polycom, true, Some("6757i"))
        );
        assert_eq!(lines_of(&store, "001122334455").await, lines(&[(1, "701")]));
        store.close().await;
    }
}

/// A file of 200,000 bad rows lists the first 1,000 errors and counts the rest in one last line,
/// so the report (and the memory behind it) stays small whatever the file's size.
#[tokio::test]
async fn a_huge_bad_file_lists_a_thousand_errors_and_counts_the_rest() {
    let db = common::sqlite_db();
    let mut csv = String::from("extension,display_name,mac\n");
    for i in 0..200_000 {
        csv.push_str(&format!("{},Name,not-a-mac-{i}\n", 1000 + i % 9000));
    }
    let path = db.dir.path().join("huge.csv");
    std::fs::write(&path, &csv).unwrap();
    let out = db.run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out);
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        lines[0].contains("1000 errors and more in the file; nothing was written"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        1 + 1000 + 1,
        "a heading, 1,000 errors, one count"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .contains("more errors, not listed (the first 1000 are)"),
        "{}",
        lines.last().unwrap()
    );
    let store = db.open().await;
    assert!(store.snapshot().await.unwrap().extensions.is_empty());
    store.close().await;
}
