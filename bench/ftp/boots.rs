//! FTP boot-storm load generator: each simulated Polycom phone connects, logs in, sets TYPE I,
//! fetches its three files over passive data connections and quits, as the factory-default boot
//! does. `CONCURRENCY` threads run `BOOTS` boots in all; the report gives boots per second, the
//! 50th and 99th percentile boot time and the failed boots.
//!
//! Built as an example (`cargo build --release --example ftp-boots`); settings come from the
//! environment:
//! `FTP_ADDR` (host:port), `FTP_USER`, `FTP_PASS`, `FTP_FILES` (a file with one name per line,
//! three per phone, in boot order), `BOOTS` (default 1000), `CONCURRENCY` (default 50).

#[path = "../settings.rs"]
mod settings;

use settings::{number, setting};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use suppaftp::FtpStream;
use suppaftp::types::FileType;

fn boot(address: &str, user: &str, password: &str, files: &[String]) -> Result<(), String> {
    let mut ftp = FtpStream::connect(address).map_err(|e| e.to_string())?;
    ftp.get_ref()
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    // Commands go out at once, as from a phone; without this, Nagle's algorithm and the server's
    // delayed ACK add 40 ms to some exchanges, and the benchmark measures timers, not servers.
    ftp.get_ref().set_nodelay(true).map_err(|e| e.to_string())?;
    ftp.login(user, password).map_err(|e| e.to_string())?;
    ftp.transfer_type(FileType::Binary)
        .map_err(|e| e.to_string())?;
    for name in files {
        let content = ftp
            .retr_as_buffer(name)
            .map_err(|e| format!("{name}: {e}"))?;
        if content.get_ref().is_empty() {
            return Err(format!("{name}: empty"));
        }
    }
    ftp.quit().map_err(|e| e.to_string())
}

fn main() {
    let address = setting("FTP_ADDR");
    let user = setting("FTP_USER");
    let password = setting("FTP_PASS");
    let names: Vec<String> = std::fs::read_to_string(setting("FTP_FILES"))
        .expect("FTP_FILES is readable")
        .lines()
        .map(str::to_string)
        .collect();
    let phones: Vec<Vec<String>> = names.chunks(3).map(<[String]>::to_vec).collect();
    let boots = number("BOOTS", 1000);
    let concurrency = number("CONCURRENCY", 50);
    let next = Arc::new(AtomicUsize::new(0));
    let phones = Arc::new(phones);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (next, phones) = (Arc::clone(&next), Arc::clone(&phones));
            let (address, user, password) = (address.clone(), user.clone(), password.clone());
            std::thread::spawn(move || {
                let mut times = Vec::new();
                let mut errors = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= boots {
                        return (times, errors);
                    }
                    let files = &phones[index % phones.len()];
                    let start = Instant::now();
                    match boot(&address, &user, &password, files) {
                        Ok(()) => times.push(start.elapsed()),
                        Err(e) => errors.push(e),
                    }
                }
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = Vec::new();
    for worker in workers {
        let (t, e) = worker.join().expect("a load thread panicked");
        times.extend(t);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{:.1} boots/s  p50 {:.1} ms  p99 {:.1} ms  ok {}  failed {}",
        times.len() as f64 / elapsed,
        at(0.50),
        at(0.99),
        times.len(),
        errors.len()
    );
    if let Some(first) = errors.first() {
        println!("first error: {first}");
    }
}
