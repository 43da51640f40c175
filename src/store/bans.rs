//! Provisioning bans as stored, so that a ban set by one node holds on every node sharing the
//! database, and an admin's lift on one node lifts it everywhere. The phones excepted from a ban
//! are kept with it as MACs separated by spaces.

use sqlx::{AnyPool, Row};

use crate::clock::now_ms;
use crate::domain::{Ban, Mac};
use crate::store::StoreError;
use crate::store::transaction::begin_write;

/// Every ban still in force.
pub(super) async fn in_force(pool: &AnyPool) -> Result<Vec<Ban>, StoreError> {
    let rows = sqlx::query(
        "SELECT address, since_ms, until_ms, misses, last_name, phones FROM provisioning_bans \
         WHERE until_ms > $1 ORDER BY since_ms DESC",
    )
    .bind(now_ms())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Ban {
                address: row.try_get("address")?,
                since_ms: row.try_get("since_ms")?,
                until_ms: row.try_get("until_ms")?,
                misses: usize::try_from(row.try_get::<i64, _>("misses")?).unwrap_or(0),
                last_name: row.try_get("last_name")?,
                phones: row
                    .try_get::<String, _>("phones")?
                    .split_whitespace()
                    .filter_map(|mac| Mac::parse(mac).ok())
                    .collect(),
            })
        })
        .collect()
}

/// Records `ban`, replacing the address's older one; bans that ended are swept out meanwhile.
pub(super) async fn save(pool: &AnyPool, ban: &Ban) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    sqlx::query("DELETE FROM provisioning_bans WHERE until_ms <= $1")
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO provisioning_bans (address, since_ms, until_ms, misses, last_name, phones) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (address) DO UPDATE SET \
         since_ms = excluded.since_ms, until_ms = excluded.until_ms, misses = excluded.misses, \
         last_name = excluded.last_name, phones = excluded.phones",
    )
    .bind(&ban.address)
    .bind(ban.since_ms)
    .bind(ban.until_ms)
    .bind(i64::try_from(ban.misses).unwrap_or(i64::MAX))
    .bind(&ban.last_name)
    .bind(
        ban.phones
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" "),
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an address's ban; whether one in force was stored.
pub(super) async fn lift(pool: &AnyPool, address: &str) -> Result<bool, StoreError> {
    let until: Option<i64> =
        sqlx::query_scalar("DELETE FROM provisioning_bans WHERE address = $1 RETURNING until_ms")
            .bind(address)
            .fetch_optional(pool)
            .await?;
    Ok(until.is_some_and(|until| until > now_ms()))
}

use crate::store::roles::*;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl BanStore for SqlStore {
    async fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        in_force(&self.pool).await
    }

    async fn save_ban(&self, ban: &Ban) -> Result<(), StoreError> {
        save(&self.pool, ban).await
    }

    async fn lift_ban(&self, address: &str) -> Result<bool, StoreError> {
        lift(&self.pool, address).await
    }
}
