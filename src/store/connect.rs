//! The first connection to the database, made once and alone before the pool is built, so what
//! keeps phoneprov from its database is named at once: a PostgreSQL that refuses or does not
//! answer (with its host and port), a wrong password or database, an SQLite file or folder that
//! is read-only or missing. A pool would retry such a failure until its timeout and then say only
//! "pool timed out".

use std::time::Duration;

use sqlx::{Connection, Executor};

use crate::domain::{split_host_port, url_host};
use crate::store::backend::url_without_password;
use crate::store::{Backend, StoreError};

/// How long the first connection may take.
pub(super) const FIRST_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for a PostgreSQL connection once serving: an admin write while the
/// database is down fails within this with a clear message instead of hanging.
pub(super) const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A hand-written SQLite URL without `mode=` gets `mode=rwc`, as the default one has: the
/// database file is created when missing instead of refused.
pub(super) fn with_sqlite_create_mode(url: &str) -> String {
    if !url.starts_with("sqlite:") || url.contains("mode=") || url.contains(":memory:") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rwc")
}

/// Connects once to `url`; an SQLite file is also switched to WAL (which needs it writable).
pub(super) async fn probe(url: &str, backend: Backend) -> Result<(), StoreError> {
    let target = target_of(url, backend);
    let attempt = async {
        let mut connection = sqlx::AnyConnection::connect(url).await?;
        if backend == Backend::Sqlite {
            connection.execute("PRAGMA journal_mode = WAL").await?;
        }
        connection.close().await
    };
    match tokio::time::timeout(FIRST_CONNECT_TIMEOUT, attempt).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::Unreachable {
            reason: explain(&e, backend, &target),
            target,
        }),
        Err(_) => Err(StoreError::Unreachable {
            reason: format!(
                "no answer within {} s (is the host reachable and the port open?)",
                FIRST_CONNECT_TIMEOUT.as_secs()
            ),
            target,
        }),
    }
}

/// The database as the admin knows it: the SQLite file's path, or PostgreSQL's URL without the
/// password.
pub(super) fn target_of(url: &str, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string(),
        Backend::Postgres => url_without_password(url),
    }
}

/// What went wrong, in the admin's words, with what to do.
fn explain(error: &sqlx::Error, backend: Backend, target: &str) -> String {
    let said = error.to_string();
    let lower = said.to_ascii_lowercase();
    match backend {
        Backend::Postgres => {
            let host = host_port(target);
            if lower.contains("connection refused") {
                format!("connection refused at {host}: is PostgreSQL running and listening there?")
            } else if lower.contains("password authentication failed") {
                format!("{said} (check the user and password in the URL)")
            } else if lower.contains("does not exist") {
                format!("{said} (create it first, e.g. createdb, or fix the URL)")
            } else if lower.contains("failed to lookup address")
                || lower.contains("name or service")
            {
                format!("cannot resolve the host of {host}: {said}")
            } else {
                said
            }
        }
        Backend::Sqlite => {
            let exists = std::path::Path::new(target).exists();
            if lower.contains("readonly") || lower.contains("read-only") || exists {
                format!(
                    "the file {target} or its folder is read-only (or not the user's): phoneprov \
                     writes the file and its journal beside it, so let the user running phoneprov \
                     write to both ({said})"
                )
            } else if lower.contains("unable to open database file") {
                format!(
                    "cannot open or create {target}: check that its folder exists and that the \
                     user running phoneprov may write there"
                )
            } else {
                said
            }
        }
    }
}

/// `host:port` of a PostgreSQL URL (5432 when none is given).
fn host_port(target: &str) -> String {
    let rest = target.split_once("://").map_or(target, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match split_host_port(host) {
        Some((host, port)) => format!("{}:{}", url_host(host), port.unwrap_or("5432")),
        None => "localhost:5432".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_sqlite_urls_create_their_file() {
        assert_eq!(
            with_sqlite_create_mode("sqlite://x.db"),
            "sqlite://x.db?mode=rwc"
        );
        assert_eq!(
            with_sqlite_create_mode("sqlite://x.db?cache=shared"),
            "sqlite://x.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            with_sqlite_create_mode("sqlite://x.db?mode=ro"),
            "sqlite://x.db?mode=ro"
        );
        assert_eq!(
            with_sqlite_create_mode("postgres://h/db"),
            "postgres://h/db"
        );
    }

    #[test]
    fn a_postgres_target_names_its_host_and_port() {
        assert_eq!(
            host_port("postgres://u:***@db.example:6543/pp"),
            "db.example:6543"
        );
        assert_eq!(host_port("postgres://u@db.example/pp"), "db.example:5432");
    }
}
