//! Reading sites and extensions as the domain types, shared by the snapshot and the roles that
//! need them inside their own transaction.

use futures_lite::StreamExt;
use sqlx::AnyConnection;

use crate::domain::{Extension, ExtensionNumber, Site};
use crate::store::error::StoreError;
use crate::store::rows::{self, EXTENSION_COLUMNS, SITE_COLUMNS};
use crate::store::secrets::SecretKey;

pub(super) async fn load_sites(conn: &mut AnyConnection) -> Result<Vec<Site>, StoreError> {
    let sql = format!("SELECT {SITE_COLUMNS} FROM sites ORDER BY name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(rows::site).collect()
}

pub(super) async fn load_extensions(
    conn: &mut AnyConnection,
    key: &SecretKey,
) -> Result<Vec<Extension>, StoreError> {
    let sql = format!("SELECT {EXTENSION_COLUMNS} FROM extensions");
    // Row by row, so a large store never holds every raw row and every extension at once.
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut extensions = Vec::new();
    while let Some(row) = rows.next().await {
        extensions.push(rows::extension(&row?, key)?);
    }
    drop(rows);
    extensions.sort_by(|a, b| a.number.sort_key().cmp(&b.number.sort_key()));
    Ok(extensions)
}

/// One extension by number.
pub(super) async fn load_extension(
    conn: &mut AnyConnection,
    number: &ExtensionNumber,
    key: &SecretKey,
) -> Result<Option<Extension>, StoreError> {
    let sql = format!("SELECT {EXTENSION_COLUMNS} FROM extensions WHERE number = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(number.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(|row| rows::extension(row, key))
        .transpose()
}
