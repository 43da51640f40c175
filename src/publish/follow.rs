//! `serve --publish TARGET`: publishing after every change. A task watches what phones get (new
//! data, new templates); once it has been still for the debounce time it renders the file set
//! (from the same cache phones are served from) and publishes it to every target on a blocking
//! thread. A target that fails (unreachable, refusing the login, full) is retried with a growing
//! pause, while phones go on being served; a newer change is published instead. The last report
//! of each target is kept for the API, the admin page and the metrics.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use crate::provision::file_name::FileName;
use crate::provision::live::{FetchAnswer, Live};
use crate::provision::{Rendered, with_speed_dials};
use crate::publish::connect::publish_to;
use crate::publish::files::{Wanted, file_set, publish_names};
use crate::publish::run::PublishReport;
use crate::publish::target::Target;

/// How `serve` publishes.
#[derive(Debug, Clone)]
pub struct PublishSettings {
    /// Where.
    pub targets: Vec<Target>,
    /// CA certificates FTPS servers' certificates must chain to (default: the system's).
    pub ca: Option<PathBuf>,
    /// The firmware folder, when its files are published too.
    pub firmware: Option<PathBuf>,
    /// How long the data must be still before a publish.
    pub debounce: Duration,
}

/// First pause before a failed target is tried again; it doubles up to [`MOST_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
/// Longest pause between two tries of a failing target.
const MOST_BACKOFF: Duration = Duration::from_secs(300);
/// How often the task looks for a change.
const LOOK: Duration = Duration::from_millis(250);

/// The last publish of each target.
#[derive(Debug, Default)]
pub struct PublishStatus {
    last: Mutex<BTreeMap<String, PublishReport>>,
}

impl PublishStatus {
    /// The last report of every target, by target.
    pub fn reports(&self) -> Vec<PublishReport> {
        self.lock().values().cloned().collect()
    }

    fn record(&self, report: PublishReport) {
        metrics::counter!("phoneprov_publish_files_total", "outcome" => "sent")
            .increment(report.sent as u64);
        metrics::counter!("phoneprov_publish_files_total", "outcome" => "deleted")
            .increment(report.deleted as u64);
        metrics::counter!("phoneprov_publish_files_total", "outcome" => "failed")
            .increment(report.failed as u64);
        if report.ok() {
            metrics::gauge!("phoneprov_publish_last_success_timestamp_seconds", "target" => report.target.clone())
                .set(report.at_ms as f64 / 1000.0);
            tracing::info!(target_server = %report.target, sent = report.sent, deleted = report.deleted, unchanged = report.unchanged, "published");
        } else {
            tracing::warn!(target_server = %report.target, failed = report.failed, errors = ?report.errors, "publish failed; phones are still served, and it is tried again");
        }
        self.lock().insert(report.target.clone(), report);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, PublishReport>> {
        self.last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A cached rendered file as bytes, shared with the cache instead of copied.
struct Shared(Arc<Rendered>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.content.as_bytes()
    }
}

/// Starts the task; its status is returned.
pub fn start(settings: PublishSettings, live: Arc<Live>) -> Arc<PublishStatus> {
    let status = Arc::new(PublishStatus::default());
    let kept = Arc::clone(&status);
    tokio::spawn(async move { follow(settings, live, kept).await });
    status
}

async fn follow(settings: PublishSettings, live: Arc<Live>, status: Arc<PublishStatus>) {
    // `None`: nothing published yet, so the first round publishes whatever is served.
    let mut published: Option<u64> = None;
    let mut backoff = FIRST_BACKOFF;
    loop {
        let seen = live.generation();
        if published == Some(seen) {
            tokio::time::sleep(LOOK).await;
            continue;
        }
        // Still for the debounce time: an import of many rows is one publish.
        tokio::time::sleep(settings.debounce).await;
        if live.generation() != seen {
            continue;
        }
        let all_ok = publish_once(&settings, &live, &status).await;
        if all_ok {
            published = Some(seen);
            backoff = FIRST_BACKOFF;
            continue;
        }
        // Try again after a pause, unless something newer comes first.
        let until = tokio::time::Instant::now() + backoff;
        while tokio::time::Instant::now() < until && live.generation() == seen {
            tokio::time::sleep(LOOK).await;
        }
        backoff = (backoff * 2).min(MOST_BACKOFF);
    }
}

/// Renders the file set and publishes it to every target; whether every target took it all.
async fn publish_once(
    settings: &PublishSettings,
    live: &Arc<Live>,
    status: &PublishStatus,
) -> bool {
    let rendering = {
        let live = Arc::clone(live);
        let firmware = settings.firmware.clone();
        tokio::task::spawn_blocking(move || {
            let (deployment, provisioner) = live.current();
            let view = live.view();
            let fetch = |wanted: &Wanted| {
                let Ok(parsed) = FileName::parse(&wanted.name) else {
                    return Ok(None);
                };
                view.fetch(&parsed).map(|answer| match answer {
                    // A shared directory with each phone's own speed dials.
                    FetchAnswer::Found(file) if file.directory => Some(Bytes::from(
                        with_speed_dials(&deployment, &wanted.name, file.content.clone()),
                    )),
                    FetchAnswer::Found(file) => Some(Bytes::from_owner(Shared(file))),
                    FetchAnswer::NotFound(_) => None,
                })
            };
            file_set(
                publish_names(&deployment, &provisioner),
                fetch,
                firmware.as_deref(),
            )
        })
        .await
    };
    let files = match rendering {
        Ok(Ok(files)) => Arc::new(files),
        Ok(Err(e)) => {
            tracing::error!("cannot render the files to publish: {e}");
            return false;
        }
        Err(e) => {
            tracing::error!("the publish task failed: {e}");
            return false;
        }
    };
    let mut all_ok = true;
    for target in &settings.targets {
        let (target, ca, files) = (target.clone(), settings.ca.clone(), Arc::clone(&files));
        let report =
            tokio::task::spawn_blocking(move || publish_to(&target, ca.as_deref(), &files)).await;
        match report {
            Ok(report) => {
                all_ok &= report.ok();
                status.record(report);
            }
            Err(e) => {
                all_ok = false;
                tracing::error!("the publish task failed: {e}");
            }
        }
    }
    all_ok
}
