//! Publish benchmark: 10,000 phones (7,000 Polycom VVX 400, 3,000 Aastra 6757i, 11,000
//! extensions, a company directory of 50 of them) rendered as the file set a boot server needs
//! and published to a folder (`dir:`), from scratch, then again after one extension's password
//! changed (one file sent). Reports each step's time and the files sent.
//!
//! `cargo bench --bench publish`; figures go in `bench/README.md`. Under `cargo test` it publishes
//! 200 phones, so the benchmark itself stays correct.

use std::time::Instant;

use phoneprov::provision::sample::sample_snapshot;
use phoneprov::provision::{Deployment, Provisioner};
use phoneprov::publish::{DirSink, publish, rendered_file_set};
use phoneprov::render::Renderer;
use phoneprov::store::Snapshot;

/// Directory entries: the first this many extensions.
const LISTED: usize = 50;

fn snapshot(phones: usize) -> Snapshot {
    let mut snapshot = sample_snapshot(phones);
    for (i, extension) in snapshot.extensions.iter_mut().enumerate() {
        extension.in_directory = i < LISTED;
    }
    snapshot
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let phones = if benchmarking { 10_000 } else { 200 };
    let provisioner = Provisioner::new(Renderer::builtin());
    let folder = tempfile::tempdir().expect("a temp folder");
    let mut sink = DirSink::open(folder.path()).expect("the folder");

    let mut data = snapshot(phones);
    let deployment = Deployment::new(data.clone(), "192.0.2.1".into()).expect("default site");
    let started = Instant::now();
    let files = rendered_file_set(&deployment, &provisioner, None).expect("rendered");
    let render_ms = started.elapsed().as_secs_f64() * 1e3;
    let bytes: usize = files.values().map(|f| f.len()).sum();
    println!(
        "publish benchmark: {phones} phones, {} files, {:.1} MiB, to a folder",
        files.len(),
        bytes as f64 / 1048576.0
    );
    println!("  render the file set            {render_ms:>8.1} ms");
    let report = publish(&files, &mut sink, "dir:bench");
    assert!(report.ok(), "{report}");
    assert_eq!(report.sent, files.len());
    println!(
        "  publish from scratch           {:>8.1} ms  {} sent",
        report.took_ms as f64, report.sent
    );

    // One extension's password changes: its file alone is sent.
    data.extensions[1].password = "a-changed-password".into();
    data.revision += 1;
    let deployment = Deployment::new(data, "192.0.2.1".into()).expect("default site");
    let started = Instant::now();
    let files = rendered_file_set(&deployment, &provisioner, None).expect("rendered");
    let report = publish(&files, &mut sink, "dir:bench");
    let total_ms = started.elapsed().as_secs_f64() * 1e3;
    assert!(report.ok(), "{report}");
    assert_eq!(report.sent, 1, "{report}");
    println!(
        "  one change: render + publish   {total_ms:>8.1} ms  {} sent, {} unchanged (publish alone {} ms)",
        report.sent, report.unchanged, report.took_ms
    );
}
