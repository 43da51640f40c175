//! What an admin does with leases, the same from the API and the CLI: list them (from the
//! store, as committed) and release one. A running DHCP server owns its lease book, so a release
//! goes through it ([`LeaseControl`]); without one, the store is changed directly.

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::clock::now_ms;
use crate::dhcp::server::LeaseControl;
use crate::domain::{Lease, LeaseState};
use crate::store::{LeaseStore, StoreError};

/// A lease as the API and `phoneprov leases --json` show it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LeaseReport {
    /// The leased address.
    pub address: String,
    /// The client identifier (option 61), or hardware type and address, in hex.
    pub client: String,
    /// The hardware address.
    pub hardware: String,
    /// The subnet.
    pub subnet: String,
    /// `leased`, `released` or `declined` (on probation until it expires).
    pub state: &'static str,
    /// When the lease or probation ends, ms since the epoch.
    pub expires_at_ms: i64,
    /// The client's host name (option 12).
    pub hostname: Option<String>,
    /// Whether it still binds its address.
    pub active: bool,
}

impl LeaseReport {
    /// The report of `lease` at `now` (ms).
    pub fn of(lease: &Lease, now: i64) -> LeaseReport {
        LeaseReport {
            address: lease.address.to_string(),
            client: lease.client.to_string(),
            hardware: lease.hardware.clone(),
            subnet: lease.subnet.clone(),
            state: lease.state.as_str(),
            expires_at_ms: lease.expires_at_ms,
            hostname: lease.hostname.clone(),
            active: lease.is_active(now),
        }
    }
}

/// Every stored lease that can be read, by address; rows that cannot are logged and left out.
pub async fn list(store: &dyn LeaseStore) -> Result<Vec<Lease>, StoreError> {
    let mut leases = Vec::new();
    for row in store.leases().await? {
        match row {
            Ok(lease) => leases.push(lease),
            Err(e) => tracing::warn!("a stored lease is left out: {e}"),
        }
    }
    Ok(leases)
}

/// Releases the lease of `address`: the lease as now stored, or none if no active lease holds
/// the address.
pub async fn release(
    store: &dyn LeaseStore,
    control: Option<&LeaseControl>,
    address: Ipv4Addr,
) -> Result<Option<Lease>, StoreError> {
    if let Some(control) = control {
        return control.release(address).await;
    }
    let now = now_ms();
    let Some(mut lease) = list(store)
        .await?
        .into_iter()
        .find(|lease| lease.address == address && lease.is_active(now))
    else {
        return Ok(None);
    };
    lease.state = LeaseState::Released;
    lease.expires_at_ms = now;
    store.save_leases(std::slice::from_ref(&lease)).await?;
    Ok(Some(lease))
}
