//! [`SightingStore`] on SQL: each phone's last sighting, the address its credential files last
//! went to, and its fetch counts per file, written in batches of many phones per statement.

use std::net::IpAddr;

use async_trait::async_trait;

use crate::domain::{FileFetch, Mac, SightingBatch};
use crate::store::batch::{Param, Tracker, insert_rows};
use crate::store::error::StoreError;
use crate::store::roles::*;
use crate::store::rows;
use crate::store::sql::SqlStore;
use crate::store::transaction::begin_write;

/// Last seen of many phones in one statement: `UPDATE ... FROM (VALUES ...)`, whose columns are
/// `column1`... on both backends. An older sighting never overwrites a newer one.
const RECORD_LAST_SEEN: (&str, &str) = (
    "UPDATE phones SET last_seen_at_ms = v.column2, last_ip = v.column3, \
     last_user_agent = v.column4, last_firmware = v.column5, last_file = v.column6, \
     last_transport = v.column7 FROM (",
    ") AS v WHERE phones.mac = v.column1 \
     AND (phones.last_seen_at_ms IS NULL OR phones.last_seen_at_ms <= v.column2)",
);

/// The home address of many phones in one statement (as [`RECORD_LAST_SEEN`]).
const RECORD_HOME: (&str, &str) = (
    "UPDATE phones SET home_at_ms = v.column2, home_ip = v.column3 FROM (",
    ") AS v WHERE phones.mac = v.column1 \
     AND (phones.home_at_ms IS NULL OR phones.home_at_ms <= v.column2)",
);

/// Fetch counts of many phones and files in one statement; unknown phones are skipped.
const COUNT_FETCHES: (&str, &str) = (
    "INSERT INTO phone_fetches (mac, file, fetch_count, last_at_ms, transport) \
     SELECT v.column1, v.column2, v.column3, v.column4, v.column5 FROM (",
    ") AS v WHERE EXISTS (SELECT 1 FROM phones WHERE phones.mac = v.column1) \
     ON CONFLICT (mac, file) DO UPDATE SET \
     fetch_count = phone_fetches.fetch_count + excluded.fetch_count, \
     transport = CASE WHEN excluded.last_at_ms >= phone_fetches.last_at_ms \
       THEN excluded.transport ELSE phone_fetches.transport END, \
     last_at_ms = CASE WHEN excluded.last_at_ms >= phone_fetches.last_at_ms \
       THEN excluded.last_at_ms ELSE phone_fetches.last_at_ms END",
);

#[async_trait]
impl SightingStore for SqlStore {
    async fn record_sightings(&self, batch: &SightingBatch) -> Result<(), StoreError> {
        let latest: Vec<Vec<Param>> = batch
            .latest()
            .map(|s| {
                vec![
                    Param::Text(s.mac.polycom_name()),
                    Param::Int(s.at_ms),
                    Param::Text(s.ip.clone()),
                    Param::MaybeText(s.user_agent.clone()),
                    Param::MaybeText(s.firmware.clone()),
                    Param::Text(s.file.clone()),
                    Param::Text(s.transport.as_str().to_string()),
                ]
            })
            .collect();
        let fetches: Vec<Vec<Param>> = batch
            .fetches()
            .map(|(mac, fetch)| {
                vec![
                    Param::Text(mac.polycom_name()),
                    Param::Text(fetch.file.clone()),
                    Param::Int(fetch.count),
                    Param::Int(fetch.last_at_ms),
                    Param::Text(fetch.transport.as_str().to_string()),
                ]
            })
            .collect();
        let homes: Vec<Vec<Param>> = batch
            .homes()
            .map(|(mac, at_ms, ip)| {
                vec![
                    Param::Text(mac.polycom_name()),
                    Param::Int(at_ms),
                    Param::Text(ip.to_string()),
                ]
            })
            .collect();
        let mut tracker = Tracker::new(latest.len() + fetches.len() + homes.len(), &|_, _| {});
        let mut tx = begin_write(&self.pool).await?;
        let (head, tail) = RECORD_LAST_SEEN;
        insert_rows(self.backend, &mut tx, head, tail, &latest, &mut tracker).await?;
        let (head, tail) = COUNT_FETCHES;
        insert_rows(self.backend, &mut tx, head, tail, &fetches, &mut tracker).await?;
        let (head, tail) = RECORD_HOME;
        insert_rows(self.backend, &mut tx, head, tail, &homes, &mut tracker).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn phone_homes(&self) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT mac, home_ip FROM phones WHERE home_ip IS NOT NULL")
                .fetch_all(&self.pool)
                .await?;
        // An address that does not parse (written by hand) is no home.
        Ok(rows
            .into_iter()
            .filter_map(|(mac, ip)| Some((Mac::parse(&mac).ok()?, ip.parse().ok()?)))
            .collect())
    }

    async fn fetches(&self, mac: &Mac) -> Result<Vec<FileFetch>, StoreError> {
        let rows = sqlx::query(
            "SELECT file, fetch_count, last_at_ms, transport FROM phone_fetches \
             WHERE mac = $1 ORDER BY file",
        )
        .bind(mac.polycom_name())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::fetch).collect()
    }
}
