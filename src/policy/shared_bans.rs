//! Bans shared through the store: each second, the bans this node set are stored and the bans
//! in force in the store are taken in, so a ban set by one node holds on every node sharing the
//! database (and across a restart), and a ban lifted on one node ends on all of them.

use std::sync::Arc;
use std::time::Duration;

use crate::policy::guard::Guard;
use crate::store::BanStore;

/// How often bans are stored and read.
const SHARE_EVERY: Duration = Duration::from_secs(1);

/// Stores and reads bans until the process ends; failures are logged and retried.
pub async fn share_bans(guard: Arc<Guard>, store: Arc<dyn BanStore>) {
    let mut tick = tokio::time::interval(SHARE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let unsaved = guard.take_unsaved();
        let mut failed = Vec::new();
        for ban in unsaved {
            if let Err(e) = store.save_ban(&ban).await {
                tracing::warn!(client = %ban.address, "cannot store the provisioning ban: {e}");
                failed.push(ban);
            }
        }
        if !failed.is_empty() {
            guard.keep_unsaved(failed);
            continue;
        }
        let stored = match store.bans().await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!("cannot read the stored provisioning bans: {e}");
                continue;
            }
        };
        for lifted in guard.merge_stored(&stored) {
            if let Err(e) = store.lift_ban(&lifted.to_string()).await {
                tracing::warn!(client = %lifted, "cannot remove a lifted ban from the store: {e}");
            }
        }
    }
}
