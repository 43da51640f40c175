//! The DHCP socket and the task that decides: receives requests on `--dhcp-listen`, asks the
//! [`Responder`], sends at once the replies that store nothing (OFFER, NAK, INFORM answers) and
//! hands the rest to the committer ([`crate::dhcp::commit`]), which stores their leases before
//! it sends them. One task owns the lease book, so concurrent clients can never be given one
//! address; admins' releases go through it too ([`LeaseControl`]).
//!
//! On PostgreSQL it also reads, each second, the leases other nodes sharing the database stored.
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
use crate::dhcp::commit::{self, Learned, Work, send};
use crate::dhcp::responder::{Decision, Responder};
use crate::domain::Lease;
use crate::store::{LeaseStore, OTHER_NODES_MARGIN_MS, StoreError};

/// Largest request read; a longer datagram is dropped.
const MAX_REQUEST: usize = 1500;
/// Most requests taken off the socket in one go.
const MAX_BATCH: usize = 512;
/// The socket's receive buffer, bytes.
const RECEIVE_BUFFER: usize = 4 << 20;
/// How often the leases other nodes stored are read.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// Batches of learned leases waiting for the deciding task.
const LEARNED_QUEUE: usize = 16;

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
    committing: JoinHandle<()>,
    /// Reading the leases other nodes stored (on PostgreSQL).
    following: Option<JoinHandle<()>>,
    address: SocketAddr,
}

impl DhcpServer {
    /// Binds `address`, loads the stored leases and answers with `responder` until
    /// [`DhcpServer::stop`].
    pub async fn start(
        address: SocketAddr,
        mut responder: Responder,
        store: Arc<dyn LeaseStore>,
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
        // Room for the requests that arrive while a batch is being committed; the kernel caps
        // it at net.core.rmem_max.
        if let Err(e) = socket2::SockRef::from(&socket).set_recv_buffer_size(RECEIVE_BUFFER) {
            tracing::debug!("DHCP: cannot enlarge the receive buffer: {e}");
        }
        let address = socket.local_addr().map_err(StartError::Bind)?;
        let socket = Arc::new(socket);
        let (learned, learning) = mpsc::channel(LEARNED_QUEUE);
        let following = store
            .shared_by_nodes()
            .then(|| tokio::spawn(follow_other_nodes(Arc::clone(&store), learned.clone())));
        let (committer, committing) = commit::start(Arc::clone(&socket), store, learned);
        let (commands, received) = mpsc::channel(16);
        let channels = Channels {
            committer,
            commands: received,
            learned: learning,
        };
        let serving = tokio::spawn(serve(socket, responder, channels));
        let server = DhcpServer {
            serving,
            committing,
            following,
            address,
        };
        Ok((server, LeaseControl { commands }))
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops answering.
    pub fn stop(self) {
        self.serving.abort();
        self.committing.abort();
        if let Some(following) = self.following {
            following.abort();
        }
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

/// What the deciding task hears besides the socket.
struct Channels {
    /// To the committer.
    committer: mpsc::Sender<Work>,
    /// Admins' commands.
    commands: mpsc::Receiver<Command>,
    /// Leases other nodes stored.
    learned: mpsc::Receiver<Learned>,
}

/// Reads, every [`FOLLOW_EVERY`], the leases written since the last look (with a margin for
/// transactions still committing and for clocks apart), and hands them to the deciding task: a
/// node then knows the clients other nodes gave leases to (it does not offer their addresses, and
/// answers their renewals if the other node is down).
async fn follow_other_nodes(store: Arc<dyn LeaseStore>, learned: mpsc::Sender<Learned>) {
    let mut since = now_ms();
    let mut tick = tokio::time::interval(FOLLOW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let looked_at = now_ms();
        let rows = match store.leases_since(since - OTHER_NODES_MARGIN_MS).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!("DHCP: cannot read the leases other nodes stored: {e}");
                continue;
            }
        };
        since = looked_at;
        let leases: Vec<Lease> = rows.into_iter().filter_map(Result::ok).collect();
        if leases.is_empty() {
            continue;
        }
        let batch = Learned {
            leases,
            refused: false,
        };
        if learned.send(batch).await.is_err() {
            return;
        }
    }
}

async fn serve(socket: Arc<UdpSocket>, mut responder: Responder, channels: Channels) {
    let Channels {
        committer,
        mut commands,
        mut learned,
    } = channels;
    // One byte more than accepted, to tell an oversized datagram from a full one.
    let mut buffer = vec![0u8; MAX_REQUEST + 1];
    loop {
        tokio::select! {
            received = socket.recv_from(&mut buffer) => {
                // Decisions whose lease must be stored before their reply is sent.
                let mut pending = Vec::new();
                let mut next = Some(received);
                let mut taken = 0;
                while let Some(received) = next {
                    if let Some(decision) = take(&mut responder, &buffer, received) {
                        if decision.store.is_some() {
                            pending.push(decision);
                        } else {
                            // Nothing to store (OFFER, NAK, INFORM): sent at once.
                            send(&socket, decision).await;
                        }
                    }
                    taken += 1;
                    next = (taken < MAX_BATCH)
                        .then(|| socket.try_recv_from(&mut buffer))
                        .filter(Result::is_ok);
                }
                if !pending.is_empty() && committer.send(Work::Replies(pending)).await.is_err() {
                    return;
                }
            }
            Some(batch) = learned.recv() => {
                responder.learn(batch.leases, batch.refused, now_ms());
            }
            Some(command) = commands.recv() => match command {
                Command::Release(address, answer) => match responder.release(address, now_ms()) {
                    Some(lease) => {
                        if committer.send(Work::Release(lease, answer)).await.is_err() {
                            return;
                        }
                    }
                    None => {
                        let _ = answer.send(Ok(None));
                    }
                },
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
