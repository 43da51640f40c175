//! `/healthz`: whether the server can do its job, which includes writing to its store (a full
//! disk or a read-only database leaves phones served from memory but loses every change, upload
//! and last-seen record). A tiny committed write proves it; its answer is kept for a second, so
//! a client polling hard does not turn into a stream of database writes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::Mutex;

use crate::store::ProvisioningData;

/// How long one probe's answer is reused.
const KEEP_ANSWER: Duration = Duration::from_secs(1);

/// The health probe over the store.
#[derive(Debug)]
pub struct Health {
    store: Arc<dyn ProvisioningData>,
    last: Mutex<Option<(Instant, Result<(), String>)>>,
}

impl Health {
    /// A probe of `store`.
    pub fn new(store: Arc<dyn ProvisioningData>) -> Health {
        Health {
            store,
            last: Mutex::new(None),
        }
    }

    /// `200 ok`, or `503` naming why the store cannot be written.
    pub async fn answer(&self) -> Response {
        let mut last = self.last.lock().await;
        let fresh = last
            .as_ref()
            .filter(|(at, _)| at.elapsed() < KEEP_ANSWER)
            .map(|(_, outcome)| outcome.clone());
        let outcome = match fresh {
            Some(outcome) => outcome,
            None => {
                let outcome = self.store.check_writable().await.map_err(|e| e.to_string());
                if let Err(reason) = &outcome {
                    tracing::error!("health check: the store cannot write: {reason}");
                }
                *last = Some((Instant::now(), outcome.clone()));
                outcome
            }
        };
        match outcome {
            Ok(()) => "ok\n".into_response(),
            Err(reason) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the store cannot write: {reason}\n"),
            )
                .into_response(),
        }
    }
}
