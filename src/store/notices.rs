//! Change notices between nodes sharing a PostgreSQL database: every revision bump sends a
//! `NOTIFY` (delivered when its transaction commits), and each node's listener wakes its reload at
//! once instead of at its next poll. On SQLite, or while the listening connection is down, the
//! wait is the poll interval; the poll stays the fallback either way, so a lost notice delays a
//! reload by at most one interval.

use std::time::Duration;

use sqlx::AnyConnection;
use sqlx::postgres::PgListener;
use tokio::sync::Mutex;

use crate::store::{StoreError, url_without_password};

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
pub(super) struct Listener {
    /// The PostgreSQL database's URL (never printed: it may hold a password).
    url: String,
    connection: Mutex<Option<PgListener>>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("url", &url_without_password(&self.url))
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// A listener for the database at `url`; it connects on its first wait.
    pub(super) fn new(url: &str) -> Listener {
        Listener {
            url: url.to_string(),
            connection: Mutex::default(),
        }
    }

    /// Waits for a notice, or at most `most`.
    pub(super) async fn wait(&self, most: Duration) {
        let mut connection = self.connection.lock().await;
        if connection.is_none() {
            match listen(&self.url).await {
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
