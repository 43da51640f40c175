//! The DHCP lease table: every lease of a batch written in one transaction (the DHCP server's
//! group commit), and read back whole at start, row by row so one bad row costs only itself.
//!
//! The table is the arbiter when several nodes hand out leases from one database: a lease is
//! written only if its address is free in the table (not held, unexpired, by another client),
//! decided row by row under the row's lock, so two nodes can never both store one address for two
//! clients. What a node was refused comes back to it with the holder's lease, and each node reads
//! the leases the others changed since it last looked.

use std::net::Ipv4Addr;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::clock::now_ms;
use crate::domain::{ClientKey, Lease, LeaseState};
use crate::store::StoreError;
use crate::store::sql::begin_write;

const LEASE_COLUMNS: &str =
    "address, client, hardware, subnet, state, expires_at_ms, hostname, updated_at_ms";

/// Writes one lease unless its address is held by another client: the row is replaced only
/// when it is the same client's, released, or expired (`$9` is now). Returns the address when
/// written.
const SAVE_LEASE: &str = "INSERT INTO dhcp_leases (address, client, hardware, subnet, state, \
     expires_at_ms, hostname, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (address) DO UPDATE SET client = excluded.client, \
     hardware = excluded.hardware, subnet = excluded.subnet, state = excluded.state, \
     expires_at_ms = excluded.expires_at_ms, hostname = excluded.hostname, \
     updated_at_ms = excluded.updated_at_ms \
     WHERE dhcp_leases.client = excluded.client OR dhcp_leases.state = 'released' \
     OR dhcp_leases.expires_at_ms <= $9 \
     RETURNING address";

/// Writes `leases` in one transaction, in address order (two nodes' batches then lock rows in
/// one order and cannot deadlock). Returns, for each lease refused because another client holds
/// its address, the holder's lease as stored.
pub(super) async fn save(pool: &AnyPool, leases: &[Lease]) -> Result<Vec<Lease>, StoreError> {
    if leases.is_empty() {
        return Ok(Vec::new());
    }
    let mut ordered: Vec<&Lease> = leases.iter().collect();
    ordered.sort_by_key(|lease| lease.address);
    let now = now_ms();
    let mut refused = Vec::new();
    let mut tx = begin_write(pool).await?;
    let conn: &mut AnyConnection = &mut tx;
    for lease in ordered {
        let address = lease.address.to_string();
        let written = sqlx::query(SAVE_LEASE)
            .bind(&address)
            .bind(lease.client.to_string())
            .bind(&lease.hardware)
            .bind(&lease.subnet)
            .bind(lease.state.as_str())
            .bind(lease.expires_at_ms)
            .bind(lease.hostname.as_deref())
            .bind(now)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?;
        if written.is_none() {
            let sql = format!("SELECT {LEASE_COLUMNS} FROM dhcp_leases WHERE address = $1");
            let holder = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&address)
                .fetch_one(&mut *conn)
                .await?;
            refused.push(self::lease(&holder)?);
        }
    }
    tx.commit().await?;
    Ok(refused)
}

/// The leases written at or after `since_ms` (any node's), row by row as [`load`].
pub(super) async fn changed_since(
    pool: &AnyPool,
    since_ms: i64,
) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
    let sql = format!("SELECT {LEASE_COLUMNS} FROM dhcp_leases WHERE updated_at_ms >= $1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(since_ms)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(lease).collect())
}

/// Every stored lease by address; a row that holds no valid lease is its own error.
pub(super) async fn load(pool: &AnyPool) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
    let sql = format!("SELECT {LEASE_COLUMNS} FROM dhcp_leases ORDER BY address");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(lease).collect())
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
