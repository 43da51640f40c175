//! The DHCP lease table: every lease of a batch written in one transaction (the DHCP server's
//! group commit), and read back whole at start, row by row so one bad row costs only itself.

use std::net::Ipv4Addr;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::clock::now_ms;
use crate::domain::{ClientKey, Lease, LeaseState};
use crate::store::batch::{Param, Tracker, insert_rows};
use crate::store::sql::begin_write;
use crate::store::{Backend, StoreError};

const LEASE_COLUMNS: &str =
    "address, client, hardware, subnet, state, expires_at_ms, hostname, updated_at_ms";

/// Upserts leases by address.
const SAVE_LEASES: (&str, &str) = (
    "INSERT INTO dhcp_leases (address, client, hardware, subnet, state, expires_at_ms, hostname, \
     updated_at_ms)",
    "ON CONFLICT (address) DO UPDATE SET client = excluded.client, \
     hardware = excluded.hardware, subnet = excluded.subnet, state = excluded.state, \
     expires_at_ms = excluded.expires_at_ms, hostname = excluded.hostname, \
     updated_at_ms = excluded.updated_at_ms",
);

/// Writes `leases` in one transaction.
pub(super) async fn save(
    backend: Backend,
    pool: &AnyPool,
    leases: &[Lease],
) -> Result<(), StoreError> {
    if leases.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let rows: Vec<Vec<Param>> = leases
        .iter()
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
    let mut tracker = Tracker::new(rows.len(), &|_, _| {});
    let mut tx = begin_write(pool).await?;
    let (head, tail) = SAVE_LEASES;
    let conn: &mut AnyConnection = &mut tx;
    insert_rows(backend, conn, head, tail, &rows, &mut tracker).await?;
    tx.commit().await?;
    Ok(())
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
