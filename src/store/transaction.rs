//! The transaction helpers every role's SQL shares: a write transaction that takes SQLite's write
//! lock at once, and the data revision every admin write bumps (announced to other nodes).

use sqlx::{AnyConnection, AnyPool, Row};

use crate::store::error::StoreError;
use crate::store::notices;

/// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`, waiting out the busy timeout if another writer holds it): a deferred transaction
/// that reads first cannot take the lock later once another writer has committed meanwhile,
/// and fails with "database is locked".
pub(super) async fn begin_write(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    if pool.connect_options().database_url.scheme() == "sqlite" {
        Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
    } else {
        Ok(pool.begin().await?)
    }
}

pub(super) async fn read_revision(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT revision FROM data_revision WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("revision")?)
}

/// Bumps the data revision; with `expected`, only if it still has that value.
pub(super) async fn bump_revision(
    conn: &mut AnyConnection,
    expected: Option<i64>,
) -> Result<i64, StoreError> {
    let row =
        match expected {
            Some(expected) => sqlx::query(
                "UPDATE data_revision SET revision = revision + 1 WHERE id = 1 AND revision = $1 \
             RETURNING revision",
            )
            .bind(expected)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::Conflict)?,
            None => sqlx::query(
                "UPDATE data_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision",
            )
            .fetch_one(&mut *conn)
            .await?,
        };
    let revision = row.try_get("revision")?;
    notices::announce(conn, revision).await?;
    Ok(revision)
}
