//! The upload writer: phones' uploads (boot and application logs, overrides, directories) are
//! written by one task that joins every upload waiting into one transaction (group commit), and
//! each phone is answered once its upload is stored. A boot storm's thousands of log uploads then
//! cost a few dozen commits instead of one each, and appends to one log are applied in order.
//!
//! The queue is bounded: when the disk falls behind, uploads wait for room, and memory does not
//! grow.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::domain::UploadWrite;
use crate::store::{StoreError, UploadStore};

/// Uploads waiting for the writer before senders wait.
const QUEUE: usize = 1024;
/// Most uploads joined into one transaction.
const MOST_JOINED: usize = 256;

/// Whether an upload was stored: its phone known (true) or gone (false).
type Answer = oneshot::Sender<Result<bool, StoreError>>;

/// The handle that queues uploads for the writer task.
#[derive(Debug, Clone)]
pub struct UploadWriter {
    queue: mpsc::Sender<(UploadWrite, Answer)>,
}

impl UploadWriter {
    /// Starts the writer on `store`; it ends when the last handle is dropped.
    pub fn start(store: Arc<dyn UploadStore>) -> UploadWriter {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write(waiting, store));
        UploadWriter { queue }
    }

    /// Stores `upload` with the others waiting; whether its phone is known.
    pub async fn store(&self, upload: UploadWrite) -> Result<bool, StoreError> {
        let stopped = || StoreError::Task("the upload writer has stopped".into());
        let (answer, answered) = oneshot::channel();
        self.queue
            .send((upload, answer))
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn write(mut waiting: mpsc::Receiver<(UploadWrite, Answer)>, store: Arc<dyn UploadStore>) {
    let mut batch = Vec::with_capacity(MOST_JOINED);
    while waiting.recv_many(&mut batch, MOST_JOINED).await > 0 {
        let (uploads, answers): (Vec<UploadWrite>, Vec<Answer>) = batch.drain(..).unzip();
        match store.put_uploads(&uploads).await {
            Ok(stored) => {
                for (answer, known) in answers.into_iter().zip(stored) {
                    let _ = answer.send(Ok(known));
                }
            }
            Err(e) => {
                tracing::error!(uploads = uploads.len(), "cannot store uploads: {e}");
                for answer in answers {
                    let _ = answer.send(Err(StoreError::Task(e.to_string())));
                }
            }
        }
    }
}
