//! The DHCP socket and its one task: receives requests on `--dhcp-listen`, asks the
//! [`Responder`], and sends its answers. Leases are committed before their ACKs leave (group
//! commit): the task takes every packet waiting on the socket (up to a batch), decides each,
//! writes all their lease changes in one transaction, and only then sends the replies. One task
//! owns the lease book, so concurrent clients can never be given one address.
//!
//! A datagram larger than any DHCP message is dropped unread, and the batch is bounded, so no
//! packet can make memory grow.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::clock::now_ms;
use crate::dhcp::responder::{Decision, Responder};
use crate::domain::Lease;
use crate::store::{Store, StoreError};

/// Largest request read; a longer datagram is dropped.
const MAX_REQUEST: usize = 1500;
/// Most requests decided per commit.
const MAX_BATCH: usize = 512;

/// An admin's request to the running DHCP server.
enum Command {
    /// Free this address; answers with the lease as stored, if one was released.
    Release(Ipv4Addr, oneshot::Sender<Result<Option<Lease>, StoreError>>),
}

/// A handle that asks the running DHCP server to change its leases.
#[derive(Debug, Clone)]
pub struct LeaseControl {
    commands: mpsc::Sender<Command>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Release(address, _) => write!(f, "Release({address})"),
        }
    }
}

impl LeaseControl {
    /// Releases `address`: the lease as stored, or none if no active lease holds it.
    pub async fn release(&self, address: Ipv4Addr) -> Result<Option<Lease>, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.commands
            .send(Command::Release(address, answer))
            .await
            .map_err(|_| StoreError::Task("the DHCP server has stopped".into()))?;
        answered
            .await
            .map_err(|_| StoreError::Task("the DHCP server has stopped".into()))?
    }
}

/// A running DHCP server.
pub struct DhcpServer {
    serving: JoinHandle<()>,
    address: SocketAddr,
}

impl DhcpServer {
    /// Binds `address`, loads the stored leases and answers with `responder` until
    /// [`DhcpServer::stop`].
    pub async fn start(
        address: SocketAddr,
        mut responder: Responder,
        store: Arc<dyn Store>,
    ) -> Result<(DhcpServer, LeaseControl), StartError> {
        let mut valid = Vec::new();
        for row in store.leases().await? {
            match row {
                Ok(lease) => valid.push(lease),
                Err(e) => tracing::warn!("DHCP: a stored lease is skipped: {e}"),
            }
        }
        for (lease, why) in responder.load_leases(valid) {
            tracing::warn!(address = %lease.address, subnet = %lease.subnet, "DHCP: a stored lease is skipped: {why}");
        }
        let socket = UdpSocket::bind(address).await.map_err(StartError::Bind)?;
        socket.set_broadcast(true).map_err(StartError::Bind)?;
        let address = socket.local_addr().map_err(StartError::Bind)?;
        let (commands, received) = mpsc::channel(16);
        let serving = tokio::spawn(serve(socket, responder, store, received));
        Ok((DhcpServer { serving, address }, LeaseControl { commands }))
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops answering.
    pub fn stop(self) {
        self.serving.abort();
    }
}

/// Why the DHCP server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The socket could not be bound.
    #[error("{0}")]
    Bind(io::Error),
    /// The stored leases could not be read.
    #[error("cannot read the stored leases: {0}")]
    Store(#[from] StoreError),
}

async fn serve(
    socket: UdpSocket,
    mut responder: Responder,
    store: Arc<dyn Store>,
    mut commands: mpsc::Receiver<Command>,
) {
    // One byte more than accepted, to tell an oversized datagram from a full one.
    let mut buffer = vec![0u8; MAX_REQUEST + 1];
    let mut decisions: Vec<Decision> = Vec::with_capacity(MAX_BATCH);
    loop {
        tokio::select! {
            received = socket.recv_from(&mut buffer) => {
                if let Some(decision) = take(&mut responder, &buffer, received) {
                    decisions.push(decision);
                }
                while decisions.len() < MAX_BATCH {
                    let Ok(received) = socket.try_recv_from(&mut buffer) else { break };
                    if let Some(decision) = take(&mut responder, &buffer, Ok(received)) {
                        decisions.push(decision);
                    }
                }
                commit_and_send(&socket, store.as_ref(), &mut decisions).await;
            }
            Some(command) = commands.recv() => match command {
                Command::Release(address, answer) => {
                    let released = responder.release(address, now_ms());
                    let result = match released {
                        Some(lease) => store.save_leases(std::slice::from_ref(&lease)).await.map(|()| Some(lease)),
                        None => Ok(None),
                    };
                    let _ = answer.send(result);
                }
            },
        }
    }
}

/// The decision for one received datagram, counted; none for a receive error or an oversized
/// datagram.
fn take(
    responder: &mut Responder,
    buffer: &[u8],
    received: io::Result<(usize, SocketAddr)>,
) -> Option<Decision> {
    let (length, source) = match received {
        Ok(received) => received,
        Err(e) => {
            tracing::debug!("DHCP: receive failed: {e}");
            return None;
        }
    };
    if length > MAX_REQUEST {
        tracing::debug!(client = %source, "DHCP: oversized datagram dropped");
        metrics::counter!("phoneprov_dhcp_requests_total", "type" => "oversized").increment(1);
        return None;
    }
    let decision = responder.decide(&buffer[..length], source, now_ms());
    metrics::counter!("phoneprov_dhcp_requests_total", "type" => decision.request).increment(1);
    if decision.reply.is_none() {
        tracing::debug!(client = %source, request = decision.request, "DHCP: no answer: {}", decision.reason);
    }
    Some(decision)
}

/// Stores the batch's leases in one transaction, then sends its replies. If the write fails,
/// the replies that depended on it are not sent (the clients ask again).
async fn commit_and_send(socket: &UdpSocket, store: &dyn Store, decisions: &mut Vec<Decision>) {
    let leases: Vec<Lease> = decisions.iter().filter_map(|d| d.store.clone()).collect();
    let committed = match store.save_leases(&leases).await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(
                leases = leases.len(),
                "DHCP: cannot store leases, their ACKs are not sent: {e}"
            );
            false
        }
    };
    for decision in decisions.drain(..) {
        let Some((packet, to)) = decision.reply else {
            continue;
        };
        if decision.store.is_some() && !committed {
            continue;
        }
        match socket.send_to(&packet, to).await {
            Ok(_) => {
                metrics::counter!("phoneprov_dhcp_replies_total", "type" => decision.answer)
                    .increment(1);
            }
            Err(e) => tracing::debug!(to = %to, "DHCP: cannot send the reply: {e}"),
        }
    }
}
