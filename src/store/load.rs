//! Reading sites and extensions as the domain types, shared by the snapshot and the roles that
//! need them inside their own transaction.

use futures_lite::StreamExt;
use sqlx::{AnyConnection, Row};

use crate::domain::{Extension, ExtensionNumber, Mac, Phone, Site};
use crate::store::error::StoreError;
use crate::store::rows::{self, EXTENSION_COLUMNS, LAST_SEEN_COLUMNS, PHONE_COLUMNS, SITE_COLUMNS};
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

/// Phones with their lines, in one query (a phone with n lines is n rows): every row costs a
/// round trip through sqlx's SQLite worker, so fewer rows load faster.
pub(super) async fn load_phones(
    conn: &mut AnyConnection,
    only: Option<&Mac>,
    with_last_seen: bool,
) -> Result<Vec<Phone>, StoreError> {
    let mut columns = PHONE_COLUMNS.to_string();
    if with_last_seen {
        columns = format!("{columns}, {LAST_SEEN_COLUMNS}");
    }
    let columns = columns
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = if only.is_some() {
        "WHERE p.mac = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns}, l.line AS line, l.extension AS extension FROM phones p \
         LEFT JOIN phone_lines l ON l.mac = p.mac {filter} ORDER BY p.mac"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(mac) = only {
        query = query.bind(mac.polycom_name());
    }
    // Row by row, as extensions are.
    let mut rows = query.fetch(&mut *conn);
    let mut phones: Vec<Phone> = Vec::new();
    let mut current_mac = String::new();
    while let Some(row) = rows.next().await {
        let row = &row?;
        // Rows come ordered by MAC; a phone with n lines is n rows in a row.
        let mac_text: String = row.try_get("mac")?;
        if mac_text != current_mac || phones.is_empty() {
            phones.push(rows::phone(row, with_last_seen)?);
            current_mac = mac_text;
        }
        if let Some((line, number)) = rows::line_of_join(row)?
            && let Some(phone) = phones.last_mut()
        {
            phone.lines.insert(line, number);
        }
    }
    Ok(phones)
}
