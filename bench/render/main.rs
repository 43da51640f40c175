//! Render benchmark: the complete file sets of 10,000 phones (70 % Polycom, one in ten with two
//! lines; 30 % Aastra), rendered through the provisioning core exactly as a phone's fetch would,
//! XML check included. Reports the cost per file by kind.
//!
//! `cargo bench --bench render`; figures go in `bench/README.md`. Under `cargo test` it renders
//! 100 phones once, so the benchmark itself stays correct.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use phoneprov::domain::{Mac, Phone, Vendor};
use phoneprov::provision::sample::sample_snapshot;
use phoneprov::provision::{Deployment, Fetch, Provisioner};
use phoneprov::render::Renderer;

/// The kind of a file name, for the per-kind report.
fn kind(name: &str, deployment: &Deployment) -> &'static str {
    if name.ends_with("-settings.cfg") {
        return "polycom settings";
    }
    let stem = name.trim_end_matches(".cfg");
    if let Ok(mac) = Mac::parse(stem) {
        return match deployment.phone(&mac).map(|p| p.vendor) {
            Some(Vendor::Polycom) => "polycom master",
            _ => "aastra <MAC>.cfg",
        };
    }
    match name {
        "altigen.cfg" => "polycom site",
        "aastra.cfg" => "aastra.cfg",
        _ if stem.bytes().all(|b| b.is_ascii_digit()) => "polycom extension",
        _ => "aastra model",
    }
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let phones = if benchmarking { 10_000 } else { 100 };
    let deployment =
        Deployment::new(sample_snapshot(phones), "192.0.2.1".into()).expect("default site present");
    let provisioner = Provisioner::new(Renderer::builtin());
    let mut all: Vec<&Phone> = deployment.phones().collect();
    all.sort_by_key(|p| p.mac);
    let mut per_kind: HashMap<&'static str, (usize, Duration, usize)> = HashMap::new();
    let started = Instant::now();
    for phone in &all {
        for file in provisioner.files_of_phone(&deployment, phone) {
            let t = Instant::now();
            let Ok(Fetch::Found(rendered)) = provisioner.fetch(&deployment, &file) else {
                panic!("{file} did not render");
            };
            let elapsed = t.elapsed();
            let entry = per_kind.entry(kind(&file, &deployment)).or_default();
            entry.0 += 1;
            entry.1 += elapsed;
            entry.2 += rendered.content.len();
        }
    }
    let total = started.elapsed();
    let files: usize = per_kind.values().map(|v| v.0).sum();
    println!(
        "render benchmark: {phones} phones, {files} files in {:.2} s ({:.1} us per file on average)",
        total.as_secs_f64(),
        total.as_secs_f64() * 1e6 / files as f64
    );
    let mut kinds: Vec<_> = per_kind.into_iter().collect();
    kinds.sort_by_key(|(k, _)| *k);
    for (kind, (count, time, bytes)) in kinds {
        println!(
            "  {kind:<18} {count:>6} files  {:>7.1} us/file  {:>6} bytes/file",
            time.as_secs_f64() * 1e6 / count as f64,
            bytes / count
        );
    }
}
