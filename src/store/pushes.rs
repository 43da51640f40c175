//! The last check-sync push per phone: written when a push is sent and when it ends (rare, an
//! admin's change or request, so one statement each), read for the phone's API record and the
//! list of recent pushes.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::domain::{Mac, PushOutcome, PushRecord};
use crate::store::StoreError;

/// Replaces the phone's push record; a phone that is gone is skipped.
pub(super) async fn save(pool: &AnyPool, mac: &Mac, record: &PushRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO phone_pushes (mac, reason, target, sent_at_ms, outcome, status, attempts, \
         finished_at_ms) SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
         WHERE EXISTS (SELECT 1 FROM phones WHERE mac = $1) \
         ON CONFLICT (mac) DO UPDATE SET reason = excluded.reason, target = excluded.target, \
         sent_at_ms = excluded.sent_at_ms, outcome = excluded.outcome, status = excluded.status, \
         attempts = excluded.attempts, finished_at_ms = excluded.finished_at_ms",
    )
    .bind(mac.polycom_name())
    .bind(record.reason.as_str())
    .bind(record.target.as_deref())
    .bind(record.sent_at_ms)
    .bind(record.outcome.as_str())
    .bind(record.status.map(i64::from))
    .bind(i64::from(record.attempts))
    .bind(record.finished_at_ms)
    .execute(pool)
    .await?;
    Ok(())
}

/// The newest `limit` push records (by send time), with their phones.
pub(super) async fn recent(
    pool: &AnyPool,
    limit: i64,
) -> Result<Vec<(Mac, PushRecord)>, StoreError> {
    let rows = sqlx::query(
        "SELECT mac, reason, target, sent_at_ms, outcome, status, attempts, finished_at_ms \
         FROM phone_pushes ORDER BY sent_at_ms DESC, mac LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("mac")?;
            let mac = Mac::parse(&text).map_err(|e| StoreError::Corrupt {
                table: "phone_pushes",
                key: text.clone(),
                reason: e.to_string(),
            })?;
            Ok((mac, record(row, &mac)?))
        })
        .collect()
}

/// The phone's push record.
pub(super) async fn load(pool: &AnyPool, mac: &Mac) -> Result<Option<PushRecord>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT reason, target, sent_at_ms, outcome, status, attempts, finished_at_ms \
         FROM phone_pushes WHERE mac = $1",
    )
    .bind(mac.polycom_name())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    record(&row, mac).map(Some)
}

fn record(row: &AnyRow, mac: &Mac) -> Result<PushRecord, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    let corrupt = |reason: &str| StoreError::Corrupt {
        table: "phone_pushes",
        key: mac.to_string(),
        reason: reason.to_string(),
    };
    let status: Option<i64> = row.try_get("status")?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok(PushRecord {
        reason: row.try_get("reason")?,
        target: row.try_get("target")?,
        sent_at_ms: row.try_get("sent_at_ms")?,
        outcome: PushOutcome::parse(&outcome).ok_or_else(|| corrupt("unknown outcome"))?,
        status: status
            .map(u16::try_from)
            .transpose()
            .map_err(|_| corrupt("status out of range"))?,
        attempts: u32::try_from(attempts).map_err(|_| corrupt("attempts out of range"))?,
        finished_at_ms: row.try_get("finished_at_ms")?,
    })
}

use crate::store::roles::*;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl PushStore for SqlStore {
    async fn save_push(&self, mac: &Mac, record: &PushRecord) -> Result<(), StoreError> {
        save(&self.pool, mac, record).await
    }

    async fn push(&self, mac: &Mac) -> Result<Option<PushRecord>, StoreError> {
        load(&self.pool, mac).await
    }

    async fn pushes(&self, limit: i64) -> Result<Vec<(Mac, PushRecord)>, StoreError> {
        recent(&self.pool, limit).await
    }
}
