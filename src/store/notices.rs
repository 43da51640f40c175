//! Change notices between nodes sharing a PostgreSQL database: every revision bump sends a
//! `NOTIFY` (delivered when its transaction commits), and each node's listener wakes its reload at
//! once instead of at its next poll. On SQLite, or while the listening connection is down, the
//! wait is the poll interval; the poll stays the fallback either way, so a lost notice delays a
//! reload by at most one interval.

use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::postgres::PgListener;
use tokio::sync::Mutex;

use crate::store::StoreError;

/// The channel revision bumps are announced on.
const CHANNEL: &str = "phoneprov_revision";

/// Announces a revision bump to every listening node (PostgreSQL only; sent at commit).
pub(super) async fn announce(conn: &mut AnyConnection, revision: i64) -> Result<(), StoreError> {
    if conn.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(revision.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One node's listening connection, opened on first wait and re-opened after a failure.
#[derive(Debug, Default)]
pub(super) struct Listener {
    connection: Mutex<Option<PgListener>>,
}

impl Listener {
    /// Waits for a notice, or at most `most`. `url` is the PostgreSQL database's.
    pub(super) async fn wait(&self, url: &str, most: Duration) {
        let mut connection = self.connection.lock().await;
        if connection.is_none() {
            match listen(url).await {
                Ok(listener) => *connection = Some(listener),
                Err(e) => tracing::warn!("cannot listen for other nodes' changes: {e}"),
            }
        }
        let Some(listener) = connection.as_mut() else {
            tokio::time::sleep(most).await;
            return;
        };
        match tokio::time::timeout(most, listener.recv()).await {
            Ok(Ok(_)) | Err(_) => {}
            Ok(Err(e)) => {
                tracing::warn!("lost the connection that listens for other nodes' changes: {e}");
                *connection = None;
                drop(connection);
                tokio::time::sleep(most).await;
            }
        }
    }
}

async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
