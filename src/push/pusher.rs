//! The pusher: one task with one UDP socket that sends phones check-sync NOTIFYs, paced at a
//! configured rate (a switchover of 1,000 phones must not become a boot storm), retransmitted
//! per RFC 3261 §17.1.2 (timer E from T1 = 500 ms, doubling up to T2 = 4 s, T2 after a
//! provisional response; timer F ends it, 32 s by default), and recorded per phone: sent, then
//! acknowledged, refused or no answer.
//!
//! A phone is queued once however often it is asked for while it waits. Phones that have never
//! fetched a file have no known address; their record says so.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

use crate::clock::now_ms;
use crate::domain::{Mac, PushOutcome, PushRecord};
use crate::provision::live::Live;
use crate::push::sip::{notify, parse_response};
use crate::store::Store;

/// RFC 3261 T1: the first retransmission interval.
const T1: Duration = Duration::from_millis(500);
/// RFC 3261 T2: the longest retransmission interval.
const T2: Duration = Duration::from_secs(4);
/// Largest response read.
const MAX_RESPONSE: usize = 4096;

/// How the pusher works.
#[derive(Debug, Clone)]
pub struct PushSettings {
    /// The socket NOTIFYs leave from and answers come to.
    pub listen: SocketAddr,
    /// phoneprov's host as phones reach it (Via, From, Contact).
    pub host: String,
    /// Phones notified per second at most.
    pub rate: u32,
    /// How long a NOTIFY waits for a final response (timer F).
    pub timeout: Duration,
}

/// Why a phone is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// An admin change altered its files.
    Change,
    /// An admin asked for it.
    Resync,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Change => "change",
            Reason::Resync => "resync",
        }
    }
}

/// Queues phones for the pusher.
#[derive(Debug, Clone)]
pub struct PushQueue {
    sender: mpsc::UnboundedSender<(Mac, Reason)>,
}

impl PushQueue {
    /// Queues `macs`; phones already waiting are not queued twice.
    pub fn push(&self, macs: impl IntoIterator<Item = Mac>, reason: Reason) {
        for mac in macs {
            // The pusher only stops with the server.
            let _ = self.sender.send((mac, reason));
        }
    }
}

/// The running pusher.
pub struct Pusher {
    task: JoinHandle<()>,
    address: SocketAddr,
}

impl Pusher {
    /// Binds the socket and starts pushing what is queued.
    pub async fn start(
        settings: PushSettings,
        live: Arc<Live>,
        store: Arc<dyn Store>,
    ) -> io::Result<(Pusher, PushQueue)> {
        let socket = UdpSocket::bind(settings.listen).await?;
        let address = socket.local_addr()?;
        let (sender, queued) = mpsc::unbounded_channel();
        let state = State {
            socket,
            settings,
            port: address.port(),
            live,
            store,
            waiting: VecDeque::new(),
            queued_macs: HashSet::new(),
            open: HashMap::new(),
            sent: 0,
        };
        let task = tokio::spawn(state.run(queued));
        Ok((Pusher { task, address }, PushQueue { sender }))
    }

    /// The socket's address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops pushing.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// A NOTIFY waiting for its final response.
struct Transaction {
    mac: Mac,
    to: SocketAddr,
    text: String,
    record: PushRecord,
    interval: Duration,
    next: Instant,
    deadline: Instant,
}

struct State {
    socket: UdpSocket,
    settings: PushSettings,
    port: u16,
    live: Arc<Live>,
    store: Arc<dyn Store>,
    waiting: VecDeque<(Mac, Reason)>,
    queued_macs: HashSet<Mac>,
    open: HashMap<String, Transaction>,
    sent: u64,
}

impl State {
    async fn run(mut self, mut queued: mpsc::UnboundedReceiver<(Mac, Reason)>) {
        let pace = Duration::from_secs_f64(1.0 / f64::from(self.settings.rate.max(1)));
        let mut pacer = tokio::time::interval(pace);
        pacer.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut buffer = vec![0u8; MAX_RESPONSE];
        loop {
            let next_timer = self
                .open
                .values()
                .map(|t| t.next.min(t.deadline))
                .min()
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                Some((mac, reason)) = queued.recv() => {
                    if self.queued_macs.insert(mac) {
                        self.waiting.push_back((mac, reason));
                    }
                }
                _ = pacer.tick(), if !self.waiting.is_empty() => {
                    if let Some((mac, reason)) = self.waiting.pop_front() {
                        self.queued_macs.remove(&mac);
                        self.send_first(mac, reason).await;
                    }
                }
                received = self.socket.recv_from(&mut buffer) => {
                    if let Ok((length, _)) = received {
                        self.answer(&buffer[..length]).await;
                    }
                }
                _ = tokio::time::sleep_until(next_timer), if !self.open.is_empty() => {
                    self.timers().await;
                }
            }
        }
    }

    /// Sends a phone its first NOTIFY, or records why it cannot be sent.
    async fn send_first(&mut self, mac: Mac, reason: Reason) {
        let now = now_ms();
        let address = match self.store.phone(&mac).await {
            Ok(Some(phone)) => phone.last_seen.map(|seen| seen.ip),
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(%mac, "push: cannot read the phone: {e}");
                return;
            }
        };
        let target = self.live.sip_target(&mac);
        let to = address
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
            .zip(target.as_ref().map(|(_, port)| *port))
            .map(|(ip, port)| SocketAddr::new(ip, port));
        let mut record = PushRecord {
            reason: reason.as_str().to_string(),
            target: to.map(|to| to.to_string()),
            sent_at_ms: now,
            outcome: PushOutcome::Pending,
            status: None,
            attempts: 0,
            finished_at_ms: None,
        };
        let (Some(to), Some((user, _))) = (to, target) else {
            if reason == Reason::Change {
                // Only phones that have been seen are pushed after a change.
                return;
            }
            record.outcome = PushOutcome::NeverSeen;
            record.finished_at_ms = Some(now);
            self.save(&mac, &record).await;
            return;
        };
        self.sent += 1;
        let unique = (u64::from(self.port) << 48) ^ ((now as u64) << 8) ^ self.sent;
        let message = notify(&user, to, &self.settings.host, self.port, unique);
        record.attempts = 1;
        self.transmit(&message.text, to).await;
        metrics::counter!("phoneprov_push_notifies_total", "reason" => reason.as_str())
            .increment(1);
        self.save(&mac, &record).await;
        let now = Instant::now();
        self.open.insert(
            message.branch,
            Transaction {
                mac,
                to,
                text: message.text,
                record,
                interval: T1,
                next: now + T1,
                deadline: now + self.settings.timeout,
            },
        );
    }

    /// A datagram on the socket: a response ends (final) or slows (provisional) its
    /// transaction; anything else is ignored.
    async fn answer(&mut self, datagram: &[u8]) {
        let Some(response) = parse_response(datagram) else {
            return;
        };
        if response.status < 200 {
            if let Some(transaction) = self.open.get_mut(&response.branch) {
                transaction.interval = T2;
            }
            return;
        }
        let Some(mut transaction) = self.open.remove(&response.branch) else {
            return;
        };
        let record = &mut transaction.record;
        record.status = Some(response.status);
        record.finished_at_ms = Some(now_ms());
        record.outcome = if response.status < 300 {
            PushOutcome::Acknowledged
        } else {
            PushOutcome::Refused
        };
        metrics::counter!("phoneprov_push_outcomes_total", "outcome" => record.outcome.as_str())
            .increment(1);
        let (mac, record) = (transaction.mac, transaction.record);
        self.save(&mac, &record).await;
    }

    /// Retransmits what is due and ends what timed out.
    async fn timers(&mut self) {
        let now = Instant::now();
        let expired: Vec<String> = self
            .open
            .iter()
            .filter(|(_, t)| t.deadline <= now)
            .map(|(branch, _)| branch.clone())
            .collect();
        for branch in expired {
            if let Some(mut transaction) = self.open.remove(&branch) {
                transaction.record.outcome = PushOutcome::NoAnswer;
                transaction.record.finished_at_ms = Some(now_ms());
                metrics::counter!("phoneprov_push_outcomes_total", "outcome" => "no answer")
                    .increment(1);
                self.save(&transaction.mac, &transaction.record).await;
            }
        }
        let mut due = Vec::new();
        for transaction in self.open.values_mut().filter(|t| t.next <= now) {
            transaction.record.attempts += 1;
            transaction.interval = (transaction.interval * 2).min(T2);
            transaction.next = now + transaction.interval;
            due.push((transaction.text.clone(), transaction.to));
        }
        for (text, to) in due {
            self.transmit(&text, to).await;
        }
    }

    async fn transmit(&self, text: &str, to: SocketAddr) {
        if let Err(e) = self.socket.send_to(text.as_bytes(), to).await {
            tracing::debug!(%to, "push: cannot send: {e}");
        }
    }

    async fn save(&self, mac: &Mac, record: &PushRecord) {
        if let Err(e) = self.store.save_push(mac, record).await {
            tracing::warn!(%mac, "push: cannot record the push: {e}");
        }
    }
}
