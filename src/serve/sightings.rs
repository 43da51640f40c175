//! Last-seen recording without a database write per request: transports hand each served fetch to
//! a [`Recorder`], whose task merges them in memory (latest per phone, a count per phone and file)
//! and writes the merged batch every half second in one transaction, while the next batch is
//! already being gathered. The database work so grows with the number of phones seen, not with
//! the request rate. If even the merging falls behind and the queue fills, sightings are dropped
//! (and counted), never the phone's request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::domain::{Sighting, SightingBatch};
use crate::store::Store;

/// Longest wait before a sighting is written (plus the time of a write still running).
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Most sightings taken from the queue at once.
const TAKE: usize = 4096;
/// Most sightings waiting to be merged.
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
    let mut batch = SightingBatch::default();
    let mut taken = Vec::with_capacity(TAKE);
    let mut writing: Option<JoinHandle<()>> = None;
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = receiver.recv_many(&mut taken, TAKE) => {
                if received == 0 {
                    break;
                }
                for sighting in taken.drain(..) {
                    batch.add(sighting);
                }
            }
            _ = tick.tick() => {
                // One write at a time; while one runs, the next batch keeps growing.
                if batch.is_empty() || writing.as_ref().is_some_and(|w| !w.is_finished()) {
                    continue;
                }
                let ready = std::mem::take(&mut batch);
                writing = Some(tokio::spawn(write(Arc::clone(&store), ready)));
            }
        }
    }
    // Closed: finish the running write, then write what is left.
    if let Some(running) = writing {
        let _ = running.await;
    }
    if !batch.is_empty() {
        write(store, batch).await;
    }
}

async fn write(store: Arc<dyn Store>, batch: SightingBatch) {
    if let Err(e) = store.record_sightings(&batch).await {
        tracing::warn!("cannot record last-seen data: {e}");
    }
}
