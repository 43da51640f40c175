//! Last-seen recording without a database write per request: transports hand each served fetch to
//! the [`Recorder`], which merges it at once into the batch its thread gathers (latest per phone,
//! a count per phone and file: a short lock on the thread's own shard, which no other worker
//! takes, no allocation for a file seen before, no task to wake). A writer task takes the shards
//! every second (less often while writes are slow, so it keeps at most a twentieth of a core),
//! merges them and writes the batch in one transaction while the next gathers. The database work
//! so grows with the number of phones seen, not with the request rate, and memory is bounded by
//! the known phones and their files.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::domain::{Sighting, SightingBatch};
use crate::store::SightingStore;

/// Longest wait before a sighting is written (plus the time of a write still running).
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// Shards of the batch being gathered: a worker thread merges into its own.
const SHARDS: usize = 8;

/// Gathers sightings for the batch writer.
#[derive(Debug, Default)]
pub struct Recorder {
    gathering: [Mutex<SightingBatch>; SHARDS],
}

/// The next shard a thread is given.
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's shard of every recorder.
    static SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

impl Recorder {
    /// Starts the batch writer. It ends, after writing what was gathered, when the last other
    /// `Recorder` handle is dropped.
    pub fn start(store: Arc<dyn SightingStore>) -> (Arc<Recorder>, JoinHandle<()>) {
        let recorder = Arc::new(Recorder::default());
        let task = tokio::spawn(write_batches(store, Arc::clone(&recorder)));
        (recorder, task)
    }

    /// Merges one sighting into the batch being gathered (as the phone's home too when the
    /// file carried a secret); never waits for the database.
    pub fn record(&self, sighting: Sighting, carried_secret: bool) {
        let shard = SHARD.with(|shard| *shard);
        let mut gathering = self.gathering[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if carried_secret {
            gathering.add_credentials(sighting);
        } else {
            gathering.add(sighting);
        }
    }

    fn take(&self) -> SightingBatch {
        let mut batch = SightingBatch::default();
        for shard in &self.gathering {
            let taken = std::mem::take(&mut *shard.lock().unwrap_or_else(PoisonError::into_inner));
            batch.absorb(taken);
        }
        batch
    }
}

/// The writer keeps at most this share of a core: after a write that took `t`, the next waits at
/// least `t` times this (a boot storm's last-seen data then costs the phones' workers little;
/// quiet servers still write every [`FLUSH_EVERY`]).
const WRITER_DUTY_INVERSE: u32 = 20;

/// Longest wait between two writes, however long the last one took.
pub const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// How long the writer waits after a write that took `took`.
fn wait_after(took: Duration) -> Duration {
    took.saturating_mul(WRITER_DUTY_INVERSE)
        .clamp(FLUSH_EVERY, LONGEST_WAIT)
}

async fn write_batches(store: Arc<dyn SightingStore>, recorder: Arc<Recorder>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_write = tokio::time::Instant::now();
    let mut wait = FLUSH_EVERY;
    loop {
        tick.tick().await;
        // The transports are gone (only this task holds the recorder): write the rest and end.
        let last = Arc::strong_count(&recorder) == 1;
        if !last && last_write.elapsed() < wait {
            continue;
        }
        let batch = recorder.take();
        let started = tokio::time::Instant::now();
        if !batch.is_empty()
            && let Err(e) = store.record_sightings(&batch).await
        {
            tracing::warn!("cannot record last-seen data: {e}");
        }
        last_write = tokio::time::Instant::now();
        wait = wait_after(last_write - started);
        if last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_write_spaces_the_next_and_a_quick_one_keeps_the_second() {
        assert_eq!(wait_after(Duration::from_millis(3)), FLUSH_EVERY);
        assert_eq!(wait_after(Duration::from_millis(50)), FLUSH_EVERY);
        assert_eq!(
            wait_after(Duration::from_millis(100)),
            Duration::from_secs(2)
        );
        assert_eq!(wait_after(Duration::from_secs(1)), LONGEST_WAIT);
    }
}
