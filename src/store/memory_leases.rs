//! [`MemoryLeases`]: a [`LeaseStore`] in memory, with the SQL table's rule (a lease is written
//! only when its address is free: the same client's, released, or expired), for DHCP tests that
//! need no database and for a server whose leases need not outlive it.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::clock::now_ms;
use crate::domain::{Lease, LeaseState};
use crate::store::error::StoreError;
use crate::store::roles::LeaseStore;

/// Leases kept in memory, each with when it was written.
#[derive(Debug, Default)]
pub struct MemoryLeases {
    leases: Mutex<BTreeMap<Ipv4Addr, (Lease, i64)>>,
}

impl MemoryLeases {
    fn table(&self) -> std::sync::MutexGuard<'_, BTreeMap<Ipv4Addr, (Lease, i64)>> {
        self.leases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl LeaseStore for MemoryLeases {
    fn shared_by_nodes(&self) -> bool {
        false
    }

    async fn save_leases(&self, leases: &[Lease]) -> Result<Vec<Lease>, StoreError> {
        let now = now_ms();
        let latest: BTreeMap<Ipv4Addr, &Lease> = leases.iter().map(|l| (l.address, l)).collect();
        let mut table = self.table();
        let mut refused = Vec::new();
        for (address, lease) in latest {
            let free = table.get(&address).is_none_or(|(held, _)| {
                held.client == lease.client
                    || held.state == LeaseState::Released
                    || held.expires_at_ms <= now
            });
            if free {
                table.insert(address, ((*lease).clone(), now));
            } else if let Some((held, _)) = table.get(&address) {
                refused.push(held.clone());
            }
        }
        Ok(refused)
    }

    async fn leases_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
        Ok(self
            .table()
            .values()
            .filter(|(_, written)| *written >= since_ms)
            .map(|(lease, _)| Ok(lease.clone()))
            .collect())
    }

    async fn leases(&self) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
        Ok(self
            .table()
            .values()
            .map(|(lease, _)| Ok(lease.clone()))
            .collect())
    }
}
