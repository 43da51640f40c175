//! The lease committer: the second task of the DHCP server. It takes the decided requests whose
//! leases must be stored (ACKs, RELEASEs, DECLINEs, admins' releases), writes all that have
//! queued up in one transaction (group commit), and only then sends their replies. It runs beside
//! the task that decides, so OFFERs keep leaving while a commit waits for the disk.
//!
//! The queue between the two is bounded: when the disk falls behind, the deciding task waits,
//! requests wait in the socket's buffer, and memory does not grow.
//!
//! When several nodes share the database, the store may refuse a lease (another node gave the
//! address to another client first): that client gets a NAK instead of the ACK, and the holder's
//! lease goes back to the deciding task so it offers another address next time.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::dhcp::responder::Decision;
use crate::domain::Lease;
use crate::store::{LeaseStore, StoreError};

/// Batches waiting to be committed before the deciding task waits.
const QUEUE: usize = 32;
/// Most queued items joined into one transaction.
const MOST_JOINED: usize = 64;
/// A lease commit slower than this is logged: clients retry after about a second.
const SLOW_COMMIT: std::time::Duration = std::time::Duration::from_millis(250);

/// What the committer stores.
pub(super) enum Work {
    /// Decisions with a lease to store, replied to after the commit.
    Replies(Vec<Decision>),
    /// An admin's release, answered after the commit.
    Release(Lease, oneshot::Sender<Result<Option<Lease>, StoreError>>),
}

/// Leases stored by other nodes, for the deciding task's book.
pub(super) struct Learned {
    /// The leases as stored.
    pub leases: Vec<Lease>,
    /// Read just after the store refused one of ours for their addresses.
    pub refused: bool,
}

/// Starts the committer; the queue to it and its task. Refused leases' holders go to `learned`.
pub(super) fn start(
    socket: Arc<UdpSocket>,
    store: Arc<dyn LeaseStore>,
    learned: mpsc::Sender<Learned>,
) -> (mpsc::Sender<Work>, JoinHandle<()>) {
    let (queue, work) = mpsc::channel(QUEUE);
    (queue, tokio::spawn(run(work, socket, store, learned)))
}

async fn run(
    mut work: mpsc::Receiver<Work>,
    socket: Arc<UdpSocket>,
    store: Arc<dyn LeaseStore>,
    learned: mpsc::Sender<Learned>,
) {
    let mut items = Vec::with_capacity(MOST_JOINED);
    while work.recv_many(&mut items, MOST_JOINED).await > 0 {
        let leases: Vec<Lease> = items
            .iter()
            .flat_map(|item| match item {
                Work::Replies(decisions) => {
                    decisions.iter().filter_map(|d| d.store.clone()).collect()
                }
                Work::Release(lease, _) => vec![lease.clone()],
            })
            .collect();
        let started = std::time::Instant::now();
        let saved = store.save_leases(&leases).await;
        let took = started.elapsed();
        if took > SLOW_COMMIT {
            tracing::warn!(
                leases = leases.len(),
                "DHCP: storing leases took {took:?}; their ACKs waited"
            );
        }
        let holders: HashMap<Ipv4Addr, Lease> = match &saved {
            Ok(refused) => refused.iter().map(|l| (l.address, l.clone())).collect(),
            Err(e) => {
                tracing::error!(
                    leases = leases.len(),
                    "DHCP: cannot store leases, their ACKs are not sent: {e}"
                );
                HashMap::new()
            }
        };
        let held_by_another = |lease: &Lease| {
            holders
                .get(&lease.address)
                .is_some_and(|h| h.client != lease.client)
        };
        for item in items.drain(..) {
            match item {
                Work::Replies(decisions) if saved.is_ok() => {
                    for mut decision in decisions {
                        if decision.store.as_ref().is_some_and(held_by_another) {
                            metrics::counter!("phoneprov_dhcp_leases_refused_total").increment(1);
                            decision.reply = decision.refusal.take();
                            decision.answer = "nak";
                        }
                        send(&socket, decision).await;
                    }
                }
                Work::Replies(_) => {}
                Work::Release(lease, answer) => {
                    let result = match &saved {
                        Ok(_) if held_by_another(&lease) => Ok(None),
                        Ok(_) => Ok(Some(lease)),
                        Err(e) => Err(StoreError::Task(e.to_string())),
                    };
                    let _ = answer.send(result);
                }
            }
        }
        if !holders.is_empty() {
            tracing::info!(
                leases = holders.len(),
                "DHCP: another node holds addresses given here; their clients get a NAK"
            );
            let leases = holders.into_values().collect();
            // Never waits: the deciding task may itself be waiting for this queue. A batch
            // dropped here is read again by the look at other nodes' leases.
            if let Err(mpsc::error::TrySendError::Closed(_)) = learned.try_send(Learned {
                leases,
                refused: true,
            }) {
                return;
            }
        }
    }
}

/// Sends the decision's reply, if it has one.
pub(super) async fn send(socket: &UdpSocket, decision: Decision) {
    let Some((packet, to)) = decision.reply else {
        return;
    };
    match socket.send_to(&packet, to).await {
        Ok(_) => {
            metrics::counter!("phoneprov_dhcp_replies_total", "type" => decision.answer)
                .increment(1);
        }
        Err(e) => tracing::debug!(to = %to, "DHCP: cannot send the reply: {e}"),
    }
}
