//! Logging of the `phoneprov` command: text or JSON lines on standard error, written by a thread
//! of their own so that no request waits on a write, and none lost at exit.

use std::io::{IsTerminal, Write};

use phoneprov::observe::log_writer::{LineWriterGuard, PENDING_BYTES, line_writer};

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

/// The log filter of every command but `serve`, unless `RUST_LOG` says otherwise: warnings and
/// errors only, so a command's output is its own (its changes are in the audit log, not in
/// `INFO audit` lines between the output's).
const COMMAND_LOG_FILTER: &str = "warn,sqlx=error,libunftp=warn";

/// Sets up logging to standard error through a writer thread
/// ([`phoneprov::observe::log_writer`]): a request logs its audit line by appending it to a
/// buffer, not by a write to stderr on the phone's path. No line is dropped (a full buffer makes
/// the logging thread wait), and the returned guard writes out every line still pending when it
/// is dropped, at exit. `serving`: the command is `serve` (info lines are its running log);
/// any other logs warnings only.
pub fn init_logging(json: bool, serving: bool) -> anyhow::Result<LineWriterGuard> {
    let default = if serving {
        DEFAULT_LOG_FILTER
    } else {
        COMMAND_LOG_FILTER
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let (writer, guard) = line_writer(LogWriter, PENDING_BYTES)
        .map_err(|error| anyhow::anyhow!("cannot start the log's writer thread: {error}"))?;
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
    Ok(guard)
}
