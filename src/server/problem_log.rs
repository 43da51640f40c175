//! Keeping the recent warnings and errors across a restart: at start the saved ones are put
//! back into the dashboard's list ([`crate::observe::activity`]), and a task saves the new ones
//! every few seconds in one batch (never a write per warning); [`ProblemSaver::stop`] saves the
//! last ones.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::observe::activity::{Problem, kind_named, problems_after, restore};
use crate::store::{LoggedProblem, Store};

/// How often new problems are saved.
const SAVE_EVERY: Duration = Duration::from_secs(5);

/// The task that saves new problems.
pub(super) struct ProblemSaver {
    store: Arc<dyn Store>,
    saved_up_to: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

fn logged(problem: Problem) -> LoggedProblem {
    LoggedProblem {
        at_ms: problem.at_ms,
        level: problem.level,
        kind: problem.kind.to_string(),
        message: problem.message,
        phone: problem.phone,
    }
}

/// Saves the problems kept after `saved_up_to`, and moves it on once they are saved.
async fn save_new(store: &dyn Store, saved_up_to: &AtomicU64) {
    let (new, last) = problems_after(saved_up_to.load(Ordering::Relaxed));
    if new.is_empty() {
        return;
    }
    let rows: Vec<LoggedProblem> = new.into_iter().map(logged).collect();
    match store.save_problems(&rows).await {
        Ok(()) => saved_up_to.store(last, Ordering::Relaxed),
        // Logged at debug: a warning would itself be a problem to save, and the next round
        // tries these again.
        Err(e) => tracing::debug!("cannot save the recent warnings: {e}"),
    }
}

impl ProblemSaver {
    /// Puts back the saved problems and starts saving new ones.
    pub(super) async fn start(store: Arc<dyn Store>) -> ProblemSaver {
        match store.logged_problems().await {
            Ok(saved) => restore(saved.into_iter().map(|p| Problem {
                at_ms: p.at_ms,
                level: p.level,
                kind: kind_named(&p.kind),
                message: p.message,
                phone: p.phone,
                sequence: 0,
            })),
            Err(e) => tracing::warn!("cannot read the warnings saved before the restart: {e}"),
        }
        let saved_up_to = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let store = Arc::clone(&store);
            let saved_up_to = Arc::clone(&saved_up_to);
            async move {
                loop {
                    tokio::time::sleep(SAVE_EVERY).await;
                    save_new(store.as_ref(), &saved_up_to).await;
                }
            }
        });
        ProblemSaver {
            store,
            saved_up_to,
            task,
        }
    }

    /// Stops the task and saves what it has not.
    pub(super) async fn stop(self) {
        self.task.abort();
        save_new(self.store.as_ref(), &self.saved_up_to).await;
    }
}
