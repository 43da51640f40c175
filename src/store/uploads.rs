//! Files phones upload, written in batches: every upload of a batch in one transaction (the
//! upload writer's group commit), a log appended to what the same transaction reads, so two
//! appends to one log never lose each other.

use sqlx::AnyPool;

use crate::domain::{UploadWrite, append_log};
use crate::store::StoreError;
use crate::store::transaction::begin_write;

/// Stores `uploads` in order in one transaction; whether each one's phone is known.
pub(super) async fn save(pool: &AnyPool, uploads: &[UploadWrite]) -> Result<Vec<bool>, StoreError> {
    if uploads.is_empty() {
        return Ok(Vec::new());
    }
    let mut stored = Vec::with_capacity(uploads.len());
    let mut tx = begin_write(pool).await?;
    for UploadWrite { upload, log_keep } in uploads {
        let mac = upload.mac.polycom_name();
        let appended;
        let content = match log_keep {
            Some(keep) => {
                let old: Option<Vec<u8>> = sqlx::query_scalar(
                    "SELECT content FROM phone_uploads WHERE mac = $1 AND name = $2",
                )
                .bind(&mac)
                .bind(upload.name.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                appended = append_log(&old.unwrap_or_default(), &upload.content, *keep);
                appended.as_slice()
            }
            None => upload.content.as_slice(),
        };
        let result = sqlx::query(
            "INSERT INTO phone_uploads (mac, name, content, updated_at_ms, accepted_at_ms) \
             SELECT $1, $2, $3, $4, NULL WHERE EXISTS (SELECT 1 FROM phones WHERE mac = $1) \
             ON CONFLICT (mac, name) DO UPDATE SET content = excluded.content, \
             updated_at_ms = excluded.updated_at_ms, accepted_at_ms = NULL",
        )
        .bind(&mac)
        .bind(upload.name.as_str())
        .bind(content)
        .bind(upload.updated_at_ms)
        .execute(&mut *tx)
        .await?;
        stored.push(result.rows_affected() > 0);
    }
    tx.commit().await?;
    Ok(stored)
}

use crate::domain::Mac;
use crate::domain::Upload;
use crate::domain::UploadInfo;
use crate::store::roles::*;
use crate::store::rows;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl UploadStore for SqlStore {
    async fn put_uploads(&self, uploads: &[UploadWrite]) -> Result<Vec<bool>, StoreError> {
        save(&self.pool, uploads).await
    }

    async fn upload(&self, mac: &Mac, name: &str) -> Result<Option<Upload>, StoreError> {
        let row = sqlx::query(
            "SELECT mac, name, content, updated_at_ms FROM phone_uploads \
             WHERE mac = $1 AND name = $2",
        )
        .bind(mac.polycom_name())
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(rows::upload).transpose()
    }

    async fn uploads(&self, mac: &Mac) -> Result<Vec<UploadInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, CAST(length(content) AS BIGINT) AS size, updated_at_ms, accepted_at_ms \
             FROM phone_uploads WHERE mac = $1 ORDER BY name",
        )
        .bind(mac.polycom_name())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::upload_info).collect()
    }

    async fn accept_upload(&self, mac: &Mac, name: &str) -> Result<bool, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let accepted = sqlx::query(
            "UPDATE phone_uploads SET accepted_at_ms = $3 WHERE mac = $1 AND name = $2",
        )
        .bind(mac.polycom_name())
        .bind(name)
        .bind(crate::clock::now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        tx.commit().await?;
        Ok(accepted)
    }
}
