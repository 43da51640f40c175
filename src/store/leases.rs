//! The DHCP lease table: every lease of a batch written in one transaction (the DHCP server's
//! group commit), and read back whole at start, row by row so one bad row costs only itself.
//!
//! The table is the arbiter when several nodes hand out leases from one database: a lease is
//! written only if its address is free in the table (not held, unexpired, by another client),
//! decided by the database row by row under each row's lock (in one multi-row statement), so two
//! nodes can never both store one address for two clients. What a node was refused comes back to
//! it with the holder's lease, and each node reads the leases the others changed since it last
//! looked.

use std::collections::{BTreeMap, HashSet};
use std::net::Ipv4Addr;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::clock::now_ms;
use crate::domain::{ClientKey, Lease, LeaseState};
use crate::store::batch::{Param, insert_rows_returning};
use crate::store::transaction::begin_write;
use crate::store::{Backend, StoreError};

const LEASE_COLUMNS: &str =
    "address, client, hardware, subnet, state, expires_at_ms, hostname, updated_at_ms";

/// Writes leases unless their address is held by another client: a row is replaced only when it
/// is the same client's, released, or expired (at `{now}`, a number this code writes). Returns
/// the addresses written.
const SAVE_LEASES: (&str, &str) = (
    "INSERT INTO dhcp_leases (address, client, hardware, subnet, state, expires_at_ms, hostname, \
     updated_at_ms)",
    "ON CONFLICT (address) DO UPDATE SET client = excluded.client, \
     hardware = excluded.hardware, subnet = excluded.subnet, state = excluded.state, \
     expires_at_ms = excluded.expires_at_ms, hostname = excluded.hostname, \
     updated_at_ms = excluded.updated_at_ms \
     WHERE dhcp_leases.client = excluded.client OR dhcp_leases.state = 'released' \
     OR dhcp_leases.expires_at_ms <= {now} \
     RETURNING address",
);

/// Writes `leases` in one transaction, in address order (two nodes' batches then lock rows in
/// one order and cannot deadlock); of several leases of one address, the last is written.
/// Returns, for each lease refused because another client holds its address, the holder's lease
/// as stored.
pub(super) async fn save(
    backend: Backend,
    pool: &AnyPool,
    leases: &[Lease],
) -> Result<Vec<Lease>, StoreError> {
    let latest: BTreeMap<Ipv4Addr, &Lease> = leases.iter().map(|l| (l.address, l)).collect();
    if latest.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let rows: Vec<Vec<Param>> = latest
        .values()
        .map(|lease| {
            vec![
                Param::Text(lease.address.to_string()),
                Param::Text(lease.client.to_string()),
                Param::Text(lease.hardware.clone()),
                Param::Text(lease.subnet.clone()),
                Param::Text(lease.state.as_str().to_string()),
                Param::Int(lease.expires_at_ms),
                Param::MaybeText(lease.hostname.clone()),
                Param::Int(now),
            ]
        })
        .collect();
    let (head, tail) = SAVE_LEASES;
    let tail = tail.replace("{now}", &now.to_string());
    let mut tx = begin_write(pool).await?;
    let conn: &mut AnyConnection = &mut tx;
    let written = insert_rows_returning(backend, conn, head, &tail, &rows).await?;
    let written: HashSet<String> = written
        .iter()
        .map(|row| row.try_get("address"))
        .collect::<Result<_, _>>()?;
    let mut refused = Vec::new();
    for address in latest.keys().map(Ipv4Addr::to_string) {
        if written.contains(&address) {
            continue;
        }
        let sql = format!("SELECT {LEASE_COLUMNS} FROM dhcp_leases WHERE address = $1");
        let holder = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&address)
            .fetch_one(&mut *conn)
            .await?;
        refused.push(lease(&holder)?);
    }
    tx.commit().await?;
    Ok(refused)
}

/// The leases written at or after `since_ms` (any node's), row by row as [`load`].
pub(super) async fn changed_since(
    pool: &AnyPool,
    since_ms: i64,
) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
    let sql = format!(
        "SELECT {LEASE_COLUMNS} FROM dhcp_leases WHERE updated_at_ms >= $1 ORDER BY address"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(since_ms)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(lease).collect())
}

/// Every stored lease by address; a row that holds no valid lease is its own error.
pub(super) async fn load(pool: &AnyPool) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
    changed_since(pool, i64::MIN).await
}

fn lease(row: &AnyRow) -> Result<Lease, StoreError> {
    let address: String = row.try_get("address")?;
    let corrupt = |reason: &str| StoreError::Corrupt {
        table: "dhcp_leases",
        key: address.clone(),
        reason: reason.to_string(),
    };
    let client: String = row.try_get("client")?;
    let state: String = row.try_get("state")?;
    Ok(Lease {
        address: address
            .parse::<Ipv4Addr>()
            .map_err(|_| corrupt("not an IPv4 address"))?,
        client: ClientKey::from_hex(&client).ok_or_else(|| corrupt("invalid client key"))?,
        hardware: row.try_get("hardware")?,
        subnet: row.try_get("subnet")?,
        state: LeaseState::parse(&state).ok_or_else(|| corrupt("unknown state"))?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        hostname: row.try_get("hostname")?,
    })
}

use crate::store::roles::*;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl LeaseStore for SqlStore {
    fn shared_by_nodes(&self) -> bool {
        self.backend == Backend::Postgres
    }

    async fn save_leases(&self, leases: &[Lease]) -> Result<Vec<Lease>, StoreError> {
        save(self.backend, &self.pool, leases).await
    }

    async fn leases_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
        changed_since(&self.pool, since_ms).await
    }

    async fn leases(&self) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
        load(&self.pool).await
    }
}
