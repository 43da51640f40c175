//! Trust on first use, in memory: the address each phone is bound to, taken from the first fetch
//! of its master file and kept for good (until an admin resets it). Deciding never waits for the
//! database: new bindings are written by a task every second, and when the data revision moves
//! (an admin reset bumps it, from the API or the CLI) the task reloads the bindings from the
//! store, keeping those not written yet.
//!
//! Nodes sharing a database share the bindings: the store keeps the first binding of a phone,
//! whichever node wrote it, and the task takes in, each second, the bindings other nodes made. A
//! node that bound a phone to another address meanwhile gives way to the stored one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::clock::now_ms;
use crate::domain::Mac;
use crate::provision::live::Live;
use crate::store::{OTHER_NODES_MARGIN_MS, PhoneAccessStore, StoreError};

/// How often new bindings are written and resets and other nodes' bindings looked for.
const WRITE_EVERY: Duration = Duration::from_secs(1);

/// The bound address of each phone.
#[derive(Debug, Default)]
pub struct Bindings {
    bound: RwLock<HashMap<Mac, IpAddr>>,
    unsaved: Mutex<Vec<(Mac, IpAddr)>>,
}

impl Bindings {
    /// Loads the stored bindings and starts the writer. It ends, after writing what is left,
    /// when the last other handle is dropped.
    pub async fn start(
        store: Arc<dyn PhoneAccessStore>,
        live: Arc<Live>,
    ) -> Result<(Arc<Bindings>, JoinHandle<()>), StoreError> {
        let revision = live.revision();
        let bindings = Arc::new(Bindings::default());
        bindings.replace(store.phone_bindings().await?);
        let task = tokio::spawn(write_and_reload(
            store,
            live,
            Arc::clone(&bindings),
            revision,
        ));
        Ok((bindings, task))
    }

    fn replace(&self, stored: Vec<(Mac, IpAddr)>) {
        let unsaved = self.unsaved.lock().unwrap_or_else(PoisonError::into_inner);
        let mut bound: HashMap<Mac, IpAddr> = stored.into_iter().collect();
        bound.extend(unsaved.iter().copied());
        *self.bound.write().unwrap_or_else(PoisonError::into_inner) = bound;
    }

    /// The address `phone` is bound to, if any.
    pub fn bound(&self, phone: &Mac) -> Option<IpAddr> {
        self.bound
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(phone)
            .copied()
    }

    /// Binds `phone` to `client` unless it is bound already; the address it is bound to.
    pub fn bind_first(&self, phone: Mac, client: IpAddr) -> IpAddr {
        if let Some(address) = self.bound(&phone) {
            return address;
        }
        let mut bound = self.bound.write().unwrap_or_else(PoisonError::into_inner);
        let address = *bound.entry(phone).or_insert(client);
        if address == client {
            self.unsaved
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((phone, client));
            tracing::info!(
                target: "audit",
                client = %client,
                mac = %phone,
                "phone bound to its first address (trust on first use)"
            );
        }
        address
    }

    /// Forgets `phone`'s binding at once (after an admin reset it in the store).
    pub fn forget(&self, phone: &Mac) {
        self.bound
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(phone);
        self.unsaved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(mac, _)| mac != phone);
    }

    /// Holds `phone` bound to `address`, as stored (by this node or another).
    fn adopt(&self, phone: Mac, address: IpAddr) {
        self.bound
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(phone, address);
    }

    fn unsaved(&self) -> Vec<(Mac, IpAddr)> {
        self.unsaved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn saved(&self, written: &[(Mac, IpAddr)]) {
        self.unsaved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|entry| !written.contains(entry));
    }
}

async fn write_and_reload(
    store: Arc<dyn PhoneAccessStore>,
    live: Arc<Live>,
    bindings: Arc<Bindings>,
    mut loaded_at: i64,
) {
    let mut since = now_ms();
    let mut tick = tokio::time::interval(WRITE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let last = Arc::strong_count(&bindings) == 1;
        let unsaved = bindings.unsaved();
        let mut written = Vec::with_capacity(unsaved.len());
        for (phone, address) in unsaved {
            match store.bind_phone(&phone, address).await {
                Ok(stored) => {
                    written.push((phone, address));
                    if let Some(stored) = stored
                        && stored != address
                    {
                        tracing::warn!(
                            target: "audit",
                            mac = %phone,
                            client = %address,
                            bound = %stored,
                            "another node bound the phone first; its binding holds here too"
                        );
                        bindings.adopt(phone, stored);
                    }
                }
                Err(e) => tracing::warn!(mac = %phone, "cannot record the phone's binding: {e}"),
            }
        }
        bindings.saved(&written);
        if last {
            return;
        }
        let revision = live.revision();
        let looked_at = now_ms();
        if revision != loaded_at {
            match store.phone_bindings().await {
                Ok(stored) => {
                    bindings.replace(stored);
                    loaded_at = revision;
                    since = looked_at;
                }
                Err(e) => tracing::warn!("cannot reload the phones' bindings: {e}"),
            }
        } else {
            match store
                .phone_bindings_since(since - OTHER_NODES_MARGIN_MS)
                .await
            {
                Ok(stored) => {
                    for (phone, address) in stored {
                        bindings.adopt(phone, address);
                    }
                    since = looked_at;
                }
                Err(e) => tracing::warn!("cannot read other nodes' bindings: {e}"),
            }
        }
    }
}
