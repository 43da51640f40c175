//! The store survives a full disk (issue 18, item 7). A full disk is played with the file-size
//! limit (`RLIMIT_FSIZE` at 0 after the write-ahead log was truncated): every write that would
//! grow a file fails, as on `ENOSPC`, and SIGXFSZ is ignored so the write returns an error. The
//! running server's `/healthz` reports the store that cannot write, and writes fail cleanly;
//! once space is back, writes work again without a restart (before, a failed commit left a
//! pooled connection inside its transaction, and every later write failed with "attempted to
//! call begin_with at non-zero transaction depth"). A read-only database is refused at start
//! with a message naming the file. One test in its own binary, not in `tests/it`: the limit it
//! sets on itself is the whole process's, and would fail every test running beside it (and every
//! server they start meanwhile, which inherits it).

#[allow(dead_code)]
#[path = "it/common/mod.rs"]
mod common;

use phoneprov::store::prelude::*;

use std::process::Command;
use std::time::Duration;

use sqlx::Connection;

use common::server::{TOKEN, api, curl, send_json, start_on};

/// Truncates the SQLite write-ahead log, so that the next write must grow a file.
async fn truncate_wal(path: &std::path::Path) {
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Sets the file-size limit of process `pid` (`None`: unlimited), as a full or freed disk.
fn file_size_limit(pid: u32, limit: Option<u64>) {
    let value = limit.map_or("unlimited".to_string(), |bytes| bytes.to_string());
    let status = Command::new("prlimit")
        .args([
            "--pid",
            &pid.to_string(),
            &format!("--fsize={value}:unlimited"),
        ])
        .status()
        .expect("prlimit (util-linux)");
    assert!(status.success(), "prlimit");
}

fn health(server: &common::server::Server) -> (u16, String) {
    // Answers are kept for a second.
    std::thread::sleep(Duration::from_millis(1100));
    let reply = curl(&format!("{}/healthz", server.base), &[]);
    (
        reply.status,
        String::from_utf8_lossy(&reply.body).into_owned(),
    )
}

fn rename(server: &common::server::Server, name: &str) -> u16 {
    let body = format!(r#"{{"display_name": "{name}"}}"#);
    send_json(server, "PUT", "/extensions/201", &body).status
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_reported_and_the_store_recovers_and_a_read_only_one_is_refused() {
    // The running server.
    let db = common::sqlite_db();
    let file = db.dir.path().join("full.db");
    let db = common::TestDb {
        url: format!("sqlite://{}?mode=rwc", file.display()),
        ..db
    };
    let store = db.open().await;
    common::golden_deployment(&store).await;
    store.close().await;
    let server = start_on(db, &["--admin-token", TOKEN]);
    assert_eq!(health(&server).0, 200);
    assert_eq!(rename(&server, "Before Full"), 200);

    truncate_wal(&file).await;
    file_size_limit(server.pid(), Some(0));
    let (status, text) = health(&server);
    assert_eq!(status, 503, "{text}");
    assert!(
        text.contains("cannot write") && text.contains("full.db"),
        "{text}"
    );
    for attempt in 0..3 {
        assert_eq!(rename(&server, "While Full"), 500, "attempt {attempt}");
    }
    // Space is freed: no restart needed.
    file_size_limit(server.pid(), None);
    assert_eq!(health(&server).0, 200);
    assert_eq!(rename(&server, "After Full"), 200);
    let extension = api(&server, "GET", "/extensions/201", &[]);
    assert!(String::from_utf8_lossy(&extension.body).contains("After Full"));
    let db = server.stop();

    // The same in-process, on the store itself.
    let store = db.open().await;
    truncate_wal(&file).await;
    file_size_limit(std::process::id(), Some(0));
    // SAFETY: setting a signal's disposition to "ignore" installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    for _ in 0..3 {
        let failed = store.check_writable().await.unwrap_err().to_string();
        assert!(failed.contains("cannot write to the database"), "{failed}");
    }
    file_size_limit(std::process::id(), None);
    store.check_writable().await.unwrap();
    common::import(
        &store,
        "extension,display_name,password\n777,Recovered,recovered-777\n",
    )
    .await;
    assert!(
        store
            .extensions()
            .await
            .unwrap()
            .iter()
            .any(|e| e.display_name == "Recovered")
    );
    store.close().await;

    // A database phoneprov cannot write is refused at start, naming the file. (The tests run as
    // root, whom file modes do not stop: the file is opened read-only through the URL.)
    let out = Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .env_remove("PHONEPROV_DATA_DIR")
        .env_remove("PHONEPROV_DATABASE_URL")
        .arg("--data-dir")
        .arg(db.dir.path())
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=ro", file.display()))
        .args(["serve", "--http-listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = common::stderr(&out);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot write to the database") && stderr.contains("full.db"),
        "{stderr}"
    );
}
