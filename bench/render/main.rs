//! Render benchmark: the complete file sets of 10,000 phones (70 % Polycom, one in ten with two
//! lines; 30 % Aastra), rendered through the provisioning core exactly as a phone's fetch would,
//! XML check included. Reports the cost per file by kind.
//!
//! `cargo bench --bench render`; figures go in `bench/README.md`. Under `cargo test` it renders
//! 100 phones once, so the benchmark itself stays correct.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use phoneprov::domain::{
    CallServer, Extension, ExtensionNumber, Mac, Phone, Site, SiteId, SiteName, SiteSettings,
    Vendor,
};
use phoneprov::provision::{Deployment, Fetch, Provisioner};
use phoneprov::render::Renderer;
use phoneprov::store::Snapshot;

fn snapshot(phones: usize) -> Snapshot {
    let mut settings = SiteSettings::maxcs_defaults();
    settings.call_servers = vec![CallServer::at("10.10.0.5")];
    let site = Site {
        id: SiteId(1),
        name: SiteName::default_site(),
        settings,
        switched_over: false,
    };
    let mut snapshot = Snapshot {
        revision: 1,
        sites: vec![site],
        ..Snapshot::default()
    };
    let mut next_number = 100_000u64;
    for i in 0..phones {
        let polycom = i % 10 < 7;
        let (oui, vendor, model) = if polycom {
            ("0004f2", Vendor::Polycom, "VVX_400")
        } else {
            ("00085d", Vendor::Aastra, "6757i")
        };
        let mac = Mac::parse(&format!("{oui}{i:06x}")).expect("generated MAC");
        let line_count = if i % 10 == 0 { 2 } else { 1 };
        let mut lines = BTreeMap::new();
        for line in 1..=line_count {
            let number = ExtensionNumber::parse(&next_number.to_string()).expect("number");
            next_number += 1;
            snapshot.extensions.push(Extension {
                number: number.clone(),
                display_name: format!("User {i} O'Brien & Sons"),
                label: None,
                auth_user: None,
                password: format!("secret-{i:06}-{line}"),
                home_site: SiteId(1),
                current_site: SiteId(1),
                switchover_enabled: false,
                registration: None,
            });
            lines.insert(line, number);
        }
        snapshot.phones.push(Phone {
            mac,
            vendor,
            vendor_pinned: false,
            model: Some(model.into()),
            lines,
            last_seen: None,
        });
    }
    snapshot
}

/// The kind of a file name, for the per-kind report.
fn kind(name: &str, deployment: &Deployment) -> &'static str {
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
        Deployment::new(snapshot(phones), "192.0.2.1".into()).expect("default site present");
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
