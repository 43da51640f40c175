//! Import benchmark: 100,000 CSV rows into an empty SQLite store, then the same file again
//! (nothing changes), through the library and through the `phoneprov` binary.
//!
//! `cargo bench --bench import` runs it (optimized); figures go in `bench/README.md`. Under
//! `cargo test` it runs a small smoke version so the benchmark itself stays correct.

use phoneprov::store::prelude::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use phoneprov::import::{ImportOptions, ImportReport, import_csv};
use phoneprov::store::SqlStore;
use phoneprov::store::secrets::SecretKey;

const RUNS: usize = 3;

/// A realistic mix: Polycom and Aastra phones, every 10th phone with a second line, every 50th
/// extension without a phone, every 20th without a password (generated on first import).
fn generate_csv(rows: usize) -> String {
    let mut csv = String::with_capacity(rows * 80);
    csv.push_str("extension,display_name,password,label,mac,model,site,line\n");
    let mut phone = 0u32;
    let mut line = 1;
    for i in 0..rows {
        let number = 1_000_000 + i;
        let password = if i.is_multiple_of(20) {
            String::new()
        } else {
            format!("pw-{i:08}")
        };
        if i % 50 == 49 {
            csv.push_str(&format!("{number},User {i},{password},,,,default,\n"));
            continue;
        }
        let (oui, model) = if phone % 3 == 2 {
            ("00085d", "6757i")
        } else {
            ("0004f2", "VVX_400")
        };
        csv.push_str(&format!(
            "{number},User {i},{password},Desk {i},{oui}{phone:06x},{model},default,{line}\n"
        ));
        if phone.is_multiple_of(10) && line == 1 {
            line = 2;
        } else {
            line = 1;
            phone += 1;
        }
    }
    csv
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn show(label: &str, times: &mut [Duration]) {
    let each: Vec<String> = times
        .iter()
        .map(|t| format!("{:.2} s", t.as_secs_f64()))
        .collect();
    let median = median(times);
    println!(
        "{label:<44} {}  (median {:.2} s)",
        each.join("  "),
        median.as_secs_f64()
    );
}

async fn library_import(dir: &Path, csv: &[u8]) -> (Duration, Duration, ImportReport) {
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let key = SecretKey::load_or_create(dir).expect("secret key");
    let store = SqlStore::open(&url, key).await.expect("open store");
    let options = ImportOptions::by("bench");
    let started = Instant::now();
    import_csv(&store, csv, &options, &|_, _| {})
        .await
        .expect("first import");
    let first = started.elapsed();
    let started = Instant::now();
    let report = import_csv(&store, csv, &options, &|_, _| {})
        .await
        .expect("re-import");
    let again = started.elapsed();
    store.close().await;
    (first, again, report)
}

fn cli_import(dir: &Path, csv_path: &Path) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .arg("--data-dir")
        .arg(dir)
        .arg("import")
        .arg(csv_path)
        .env_remove("PHONEPROV_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run phoneprov");
    assert!(status.success(), "phoneprov import failed");
    started.elapsed()
}

#[tokio::main]
async fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let rows = if benchmarking { 100_000 } else { 2_000 };
    let runs = if benchmarking { RUNS } else { 1 };
    let csv = generate_csv(rows);
    println!("import benchmark: {rows} rows, SQLite (WAL, synchronous=FULL)");

    let (mut first, mut again) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let dir = tempfile::tempdir().expect("temp dir");
        let (f, a, report) = library_import(dir.path(), csv.as_bytes()).await;
        assert!(
            report.is_unchanged(),
            "re-import changed something: {report}"
        );
        assert_eq!(report.extensions.unchanged, rows);
        first.push(f);
        again.push(a);
    }
    show("library: import into an empty store", &mut first);
    show("library: re-import, nothing changes", &mut again);

    let (mut cli_first, mut cli_again) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let dir = tempfile::tempdir().expect("temp dir");
        let csv_path = dir.path().join("bench.csv");
        std::fs::write(&csv_path, &csv).expect("write csv");
        cli_first.push(cli_import(dir.path(), &csv_path));
        cli_again.push(cli_import(dir.path(), &csv_path));
        let url = format!(
            "sqlite://{}?mode=rw",
            dir.path().join("phoneprov.db").display()
        );
        let key = SecretKey::load_or_create(dir.path()).expect("secret key");
        let store = SqlStore::open(&url, key).await.expect("open store");
        let counts = store.counts().await.expect("counts");
        assert_eq!(counts.extensions, rows as i64);
        store.close().await;
    }
    show("phoneprov import: into an empty store", &mut cli_first);
    show("phoneprov import: again, nothing changes", &mut cli_again);
}
