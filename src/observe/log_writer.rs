//! The log's writer thread. Log and audit lines are appended to one shared buffer under a short
//! lock (a copy, and no allocation once the buffer has grown to its working size); a thread of
//! their own swaps the buffer for an empty one and writes the whole batch out in one write, at
//! most [`GATHER`] after its first line. A request thus never waits on standard error, and a
//! busy second costs a few dozen writes and wake-ups, not one per line. No line is ever dropped:
//! when the buffer is full a logging thread waits for the writer, and dropping the
//! [`LineWriterGuard`] writes out every line still pending.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Bytes of lines pending before a logging thread waits for the writer thread (some 20,000 audit
/// lines); the writer thread's batch buffer is as large.
pub const PENDING_BYTES: usize = 4 * 1024 * 1024;

/// How long the writer thread gathers lines after the first one before it writes them (unless
/// half the buffer fills first).
pub const GATHER: Duration = Duration::from_millis(20);

/// What the logging threads and the writer thread share.
struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when lines arrive in an empty buffer, when the buffer fills past half, or at
    /// close.
    arrived: Condvar,
    /// Signalled when the writer thread took the pending lines, for logging threads that wait.
    taken: Condvar,
    capacity: usize,
}

struct Pending {
    lines: Vec<u8>,
    /// Logging threads waiting for room.
    waiting: usize,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A thread that panicked while holding the lock left whole lines behind (a line is
        // appended in one copy): the buffer is still usable.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fill at which the writer thread stops gathering and writes.
    fn half(&self) -> usize {
        self.capacity / 2
    }

    fn append(&self, line: &[u8]) {
        let mut pending = self.lock();
        while !pending.lines.is_empty()
            && pending.lines.len() + line.len() > self.capacity
            && !pending.closed
        {
            pending.waiting += 1;
            pending = self
                .taken
                .wait(pending)
                .unwrap_or_else(PoisonError::into_inner);
            pending.waiting -= 1;
        }
        // The writer thread waits for a first line, then for half a buffer or [`GATHER`]: wake
        // it only then (a notify is a system call).
        let half = self.half();
        let before = pending.lines.len();
        pending.lines.extend_from_slice(line);
        let wake = before == 0 || (before < half && pending.lines.len() >= half);
        drop(pending);
        if wake {
            self.arrived.notify_one();
        }
    }

    /// The writer thread: waits for a first line, gathers for up to [`GATHER`], takes the
    /// pending lines in one swap and writes them in one write, until closed and drained.
    fn drain(&self, mut out: impl Write) {
        let mut batch = Vec::with_capacity(self.capacity);
        loop {
            let mut pending = self.lock();
            while pending.lines.is_empty() && !pending.closed {
                pending = self
                    .arrived
                    .wait(pending)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if pending.lines.is_empty() {
                return;
            }
            let deadline = Instant::now() + GATHER;
            while pending.lines.len() < self.half() && pending.waiting == 0 && !pending.closed {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                pending = self
                    .arrived
                    .wait_timeout(pending, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            std::mem::swap(&mut pending.lines, &mut batch);
            let waiting = pending.waiting > 0;
            drop(pending);
            if waiting {
                self.taken.notify_all();
            }
            // A log reader that went away must not stop the server: write errors are dropped.
            let _ = out.write_all(&batch);
            let _ = out.flush();
            batch.clear();
        }
    }
}

/// Hands log lines to the writer thread; a `tracing_subscriber` writer.
#[derive(Clone)]
pub struct LineWriter {
    shared: Arc<Shared>,
}

/// One line's handle, as `tracing_subscriber` asks for per event.
pub struct LineHandle<'a> {
    shared: &'a Shared,
}

impl Write for LineHandle<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.shared.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LineWriter {
    type Writer = LineHandle<'a>;

    fn make_writer(&'a self) -> LineHandle<'a> {
        LineHandle {
            shared: &self.shared,
        }
    }
}

/// Keeps the writer thread; dropping it writes out every pending line and ends the thread.
pub struct LineWriterGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for LineWriterGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.arrived.notify_all();
        self.shared.taken.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the writer thread writing to `out`, with `capacity` bytes of pending lines.
pub fn line_writer(
    out: impl Write + Send + 'static,
    capacity: usize,
) -> io::Result<(LineWriter, LineWriterGuard)> {
    let shared = Arc::new(Shared {
        pending: Mutex::new(Pending {
            lines: Vec::with_capacity(capacity),
            waiting: 0,
            closed: false,
        }),
        arrived: Condvar::new(),
        taken: Condvar::new(),
        capacity,
    });
    let thread = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("phoneprov-log".into())
            .spawn(move || shared.drain(out))?
    };
    Ok((
        LineWriter {
            shared: shared.clone(),
        },
        LineWriterGuard {
            shared,
            thread: Some(thread),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use tracing_subscriber::fmt::MakeWriter;

    thread_local! {
        /// Allocations made by this thread.
        static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    }

    /// The system allocator, counting each thread's allocations (this test binary's allocator).
    struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
            // SAFETY: the caller's layout goes to the system allocator unchanged.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from `alloc` above, i.e. from the system allocator.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
            // SAFETY: as for `alloc` and `dealloc`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// A shared output the test reads back, slow as a terminal can be (a millisecond a write).
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            std::thread::sleep(std::time::Duration::from_millis(1));
            let mut sink = self.0.lock().unwrap();
            sink.0.extend_from_slice(buf);
            sink.1 += 1;
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn line(n: usize) -> String {
        format!(
            "audit: credential file served client=10.0.0.{} n={n}\n",
            n % 250
        )
    }

    #[test]
    fn every_line_is_written_in_order_and_none_is_lost_at_close() {
        let sink = Sink::default();
        // A small buffer, so that logging threads have to wait for the writer, and lines are
        // still pending when the guard is dropped.
        let (writer, guard) = line_writer(sink.clone(), 4096).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for n in 0..5000 {
                        writer
                            .make_writer()
                            .write_all(line(t * 100_000 + n).as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        drop(guard);
        let (written, writes) = std::mem::take(&mut *sink.0.lock().unwrap());
        let text = String::from_utf8(written).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 20_000, "no line lost");
        for t in 0..4 {
            let own: Vec<String> = lines
                .iter()
                .filter_map(|l| l.split("n=").nth(1))
                .filter(|n| n.parse::<usize>().unwrap() / 100_000 == t)
                .map(str::to_owned)
                .collect();
            let expected: Vec<String> = (0..5000).map(|n| (t * 100_000 + n).to_string()).collect();
            assert_eq!(own, expected, "thread {t}'s lines whole and in order");
        }
        assert!(writes < 20_000, "lines written in batches: {writes} writes");
    }

    #[test]
    fn a_logged_line_allocates_nothing_once_the_buffer_has_grown() {
        let (writer, guard) = line_writer(io::sink(), PENDING_BYTES).unwrap();
        let lines: Vec<String> = (0..10_000).map(line).collect();
        let mut handle = writer.make_writer();
        let before = ALLOCATIONS.with(Cell::get);
        for text in &lines {
            handle.write_all(text.as_bytes()).unwrap();
        }
        let after = ALLOCATIONS.with(Cell::get);
        assert_eq!(after - before, 0, "allocations on the logging thread");
        drop(guard);
    }
}
