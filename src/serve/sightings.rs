//! Last-seen recording without a database write per request: transports hand each served fetch to
//! a [`Recorder`], whose task writes them in batches (every half second, or every 1,000) with one
//! transaction per batch. If the database falls behind and the queue fills, sightings are dropped
//! (and counted), never the phone's request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::domain::Sighting;
use crate::store::Store;

/// Longest wait before a sighting is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Most sightings per batch.
pub const BATCH: usize = 1000;
/// Most sightings waiting to be written.
pub const QUEUE: usize = 100_000;

/// Queues sightings for the batch writer.
#[derive(Debug)]
pub struct Recorder {
    queue: mpsc::Sender<Sighting>,
    dropped: AtomicU64,
}

impl Recorder {
    /// Starts the batch writer. It ends, after writing what is queued, when the last `Recorder`
    /// handle is dropped.
    pub fn start(store: Arc<dyn Store>) -> (Arc<Recorder>, JoinHandle<()>) {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let task = tokio::spawn(write_batches(store, receiver));
        let recorder = Arc::new(Recorder {
            queue,
            dropped: AtomicU64::new(0),
        });
        (recorder, task)
    }

    /// Queues one sighting; never waits.
    pub fn record(&self, sighting: Sighting) {
        if self.queue.try_send(sighting).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("phoneprov_sightings_dropped_total").increment(1);
        }
    }

    /// Sightings dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

async fn write_batches(store: Arc<dyn Store>, mut receiver: mpsc::Receiver<Sighting>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        // Wait for a first sighting, then gather until the batch is full or half a second passed.
        if receiver.recv_many(&mut batch, BATCH).await == 0 {
            return;
        }
        let deadline = tokio::time::Instant::now() + FLUSH_EVERY;
        let mut closed = false;
        while batch.len() < BATCH {
            let room = BATCH - batch.len();
            match tokio::time::timeout_at(deadline, receiver.recv_many(&mut batch, room)).await {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        if let Err(e) = store.record_sightings(&batch).await {
            tracing::warn!(sightings = batch.len(), "cannot record last-seen data: {e}");
        }
        batch.clear();
        if closed {
            return;
        }
    }
}
