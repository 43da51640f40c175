//! Logging of the `phoneprov` command: text or JSON lines on standard error, written by a thread
//! of their own so that no request waits on a write, and none lost at exit.

use std::io::{IsTerminal, Write};

/// Standard error for log lines, dropping write errors: a server must not stop because whoever
/// read its log went away (tracing would otherwise report the failure with a panicking
/// `eprintln!`).
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// The log filter unless `RUST_LOG` says otherwise: info and up, but only warnings from the FTP
/// library, whose info-level spans would print its whole session state (kilobytes of debug text)
/// in front of every line logged within them, audit lines included.
const DEFAULT_LOG_FILTER: &str = "info,sqlx=error,libunftp=warn";

/// Log lines queued for the writer thread before a logging thread waits for room.
const LOG_QUEUE_LINES: usize = 64 * 1024;

/// Sets up logging to standard error through a writer thread: a request logs its audit line by
/// queueing it, not by a write to stderr on the phone's path. The queue never drops a line (a
/// full queue makes the logging thread wait), and the returned guard writes out every line
/// still queued when it is dropped, at exit.
pub fn init_logging(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("phoneprov-log")
        .finish(LogWriter);
    use tracing_subscriber::prelude::*;
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(phoneprov::observe::activity::ProblemLayer);
    if json {
        registry
            .with(tracing_subscriber::fmt::layer().json().with_writer(writer))
            .init();
    } else {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .init();
    }
    guard
}
