//! Killing an import (SIGKILL) in the middle of writing 100,000 rows leaves the database with all
//! rows or none, and it opens cleanly and takes the import again. On SQLite and PostgreSQL.

use crate::common;
use phoneprov::store::prelude::*;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{TestDb, assert_success, databases, read_log_until};
use phoneprov::store::Backend;
use sqlx::{Connection, Row};

const ROWS: usize = 100_000;

fn write_big_csv(db: &TestDb) -> std::path::PathBuf {
    let path = db.dir.path().join("big.csv");
    let mut csv = String::with_capacity(ROWS * 64);
    csv.push_str("extension,display_name,password,mac,model,line\n");
    for i in 1..=ROWS {
        csv.push_str(&format!(
            "{},User {i},pw-{i:08},0004f2{i:06x},SPIP_331,1\n",
            1_000_000 + i
        ));
    }
    std::fs::write(&path, csv).unwrap();
    path
}

/// Starts the import, waits until it reports rows written (so its transaction is open and
/// part-way), then kills it. Returns the last progress line seen.
fn import_and_kill(db: &TestDb, csv: &std::path::Path) -> String {
    let mut child = db
        .command()
        .args(["import", csv.to_str().unwrap(), "--progress"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let last = read_log_until(&mut BufReader::new(stderr).lines(), "written ")
        .pop()
        .unwrap_or_default();
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success(), "the import was killed");
    assert!(
        !last.is_empty(),
        "the import reported progress before it was killed"
    );
    last
}

async fn sqlite_integrity_ok(db: &TestDb) {
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let row = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let verdict: String = row.try_get(0).unwrap();
    assert_eq!(verdict, "ok");
}

#[tokio::test]
async fn sigkill_mid_import_leaves_all_rows_or_none() {
    for db in databases().await {
        let csv = write_big_csv(&db);
        // Create the schema first so the kill lands in the import, not in migrations.
        db.open().await.close().await;
        let progress = import_and_kill(&db, &csv);
        eprintln!("{:?}: killed after {progress:?}", db.backend);

        if db.backend == Backend::Sqlite {
            sqlite_integrity_ok(&db).await;
        }
        let store = db.open().await;
        let counts = store.counts().await.unwrap();
        let lines: i64 = {
            let phones = store.phones().await.unwrap();
            phones.iter().map(|p| p.lines.len() as i64).sum()
        };
        assert!(
            (counts.extensions, counts.phones, lines) == (0, 0, 0)
                || (counts.extensions, counts.phones, lines)
                    == (ROWS as i64, ROWS as i64, ROWS as i64),
            "{:?}: partial import after SIGKILL: {counts:?}, {lines} lines",
            db.backend
        );
        store.close().await;

        // The database opens cleanly for the CLI and takes the whole import afterwards.
        assert_success(&db.run(&["check"]), "check after the kill");
        let out = db.run(&["import", csv.to_str().unwrap()]);
        assert_success(&out, "import after the kill");
        let store = db.open().await;
        let counts = store.counts().await.unwrap();
        assert_eq!(
            (counts.extensions, counts.phones),
            (ROWS as i64, ROWS as i64)
        );
        store.close().await;
    }
}
