//! SIP passwords at rest: after an import, the database (SQLite file and WAL, or the PostgreSQL
//! rows) holds no password in clear, yet phones get them rendered; passwords written in clear
//! by an older phoneprov are sealed when the store opens; another key cannot read them; the
//! export leaves them out unless asked.

use crate::common;
use phoneprov::store::prelude::*;

use common::{databases, golden_deployment};
use phoneprov::store::secrets::SecretKey;
use sqlx::{Connection, Row};

const PASSWORD: &str = "alice-secret-201";

/// Every stored password, as the database holds it.
async fn raw_passwords(url: &str) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let rows = sqlx::query("SELECT password FROM extensions ORDER BY number")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let passwords = rows
        .iter()
        .map(|r| r.try_get("password").unwrap())
        .collect();
    // Closed before returning, so the SQLite files are settled (WAL checkpointed and removed)
    // before a test reads them byte by byte.
    conn.close().await.unwrap();
    passwords
}

#[tokio::test]
async fn no_sip_password_is_stored_in_clear() {
    for db in databases().await {
        let store = db.open().await;
        golden_deployment(&store).await;
        let alice = store
            .extension(&phoneprov::domain::ExtensionNumber::parse("201").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(alice.password, PASSWORD, "read back in clear");
        store.close().await;

        let stored = raw_passwords(&db.url).await;
        assert!(!stored.is_empty());
        assert!(
            stored
                .iter()
                .all(|p| p.starts_with("sealed1:") && !p.contains("secret")),
            "{:?}: {stored:?}",
            db.backend
        );
        if db.backend == phoneprov::store::Backend::Sqlite {
            // Every byte of the database files: no password in clear anywhere.
            for entry in std::fs::read_dir(db.dir.path()).unwrap() {
                let path = entry.unwrap().path();
                if path.to_string_lossy().contains("phoneprov.db") {
                    let bytes = match std::fs::read(&path) {
                        Ok(bytes) => bytes,
                        // The WAL and shared-memory files go when the last connection closes.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => panic!("{}: {e}", path.display()),
                    };
                    let found = bytes
                        .windows(PASSWORD.len())
                        .any(|w| w == PASSWORD.as_bytes());
                    assert!(!found, "{} holds a password in clear", path.display());
                }
            }
        }

        // A password written in clear (an older phoneprov) is sealed at the next open.
        {
            let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
            sqlx::query("UPDATE extensions SET password = 'old-clear-pass' WHERE number = '202'")
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        }
        let store = db.open().await;
        let zoe = store
            .extension(&phoneprov::domain::ExtensionNumber::parse("202").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(zoe.password, "old-clear-pass");
        store.close().await;
        assert!(
            raw_passwords(&db.url)
                .await
                .iter()
                .all(|p| p.starts_with("sealed1:"))
        );

        // Another key cannot open them.
        let other = phoneprov::store::SqlStore::open(&db.url, SecretKey::from_bytes([9; 32]))
            .await
            .unwrap();
        assert!(other.extensions().await.is_err());
        other.close().await;
        // The CLI with another data folder (so another key file) names the key file it used.
        let elsewhere = crate::common::data_dir();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
            .env_remove("PHONEPROV_SECRET_KEY")
            .args(["--data-dir", elsewhere.path().to_str().unwrap()])
            .args(["--database-url", &db.url, "export"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        let key_file = elsewhere.path().join("secret-key");
        assert!(
            said.contains(&format!("the secret key from {}", key_file.display()))
                && said.contains("needs the same key"),
            "{said}"
        );
    }
}

#[tokio::test]
async fn the_export_has_passwords_only_when_asked() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    store.close().await;
    let plain = db.export();
    assert!(!plain.contains(PASSWORD), "{plain}");
    assert!(!plain.lines().next().unwrap().contains("password"));
    let out = db.run(&["export", "--with-passwords"]);
    let full = String::from_utf8(out.stdout).unwrap();
    assert!(full.contains(PASSWORD), "{full}");
    // Re-importing the export without passwords keeps them.
    let file = db.dir.path().join("plain.csv");
    std::fs::write(&file, &plain).unwrap();
    let again = db.run(&["import", file.to_str().unwrap()]);
    assert!(again.status.success(), "{}", common::stderr(&again));
    let full_after = String::from_utf8(db.run(&["export", "--with-passwords"]).stdout).unwrap();
    assert_eq!(full_after, full);
}
