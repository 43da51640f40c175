//! Directory benchmark: the company directory of 100,000 extensions, rendered through the
//! provisioning core as a phone's fetch of `<mac>-directory.xml` (Polycom, quick-xml's writer)
//! and `<MAC>-directory.csv` (Aastra) is answered, then merged with a phone's uploaded directory
//! of 100 contacts. Reports the time and the peak heap memory each takes above what the data
//! holds (a counting allocator).
//!
//! `cargo bench --bench directory`; figures go in `bench/README.md`. Under `cargo test` it
//! renders 1,000 extensions once, so the benchmark itself stays correct.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use phoneprov::domain::{Extension, ExtensionNumber};
use phoneprov::handset::polycom::directory::merge;
use phoneprov::provision::sample::sample_snapshot;
use phoneprov::provision::{Deployment, Fetch, Provisioner};
use phoneprov::render::Renderer;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the caller's layout goes to the system allocator unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work`; its time in ms, the peak heap above the start in bytes, and its result.
fn measured<T>(work: impl FnOnce() -> T) -> (f64, usize, T) {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let started = Instant::now();
    let result = work();
    let ms = started.elapsed().as_secs_f64() * 1e3;
    (ms, PEAK.load(Ordering::Relaxed) - base, result)
}

/// One line of the report: what, its time, its peak heap and the file's size.
fn report(what: &str, ms: f64, peak: usize, bytes: usize) {
    const MIB: f64 = 1048576.0;
    println!(
        "  {what:<28} {ms:>8.1} ms  peak {:>6.1} MiB  file {:>6.1} MiB",
        peak as f64 / MIB,
        bytes as f64 / MIB
    );
}

fn fetched(provisioner: &Provisioner, deployment: &Deployment, name: &str) -> String {
    match provisioner.fetch(deployment, name) {
        Ok(Fetch::Found(rendered)) => rendered.content,
        other => panic!("{name}: {other:?}"),
    }
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let extensions = if benchmarking { 100_000 } else { 1_000 };
    // Ten phones (the first Polycom, the eighth Aastra), and `extensions` more extensions.
    let mut snapshot = sample_snapshot(10);
    let template: Extension = snapshot.extensions[0].clone();
    for n in 0..extensions {
        let mut extension = template.clone();
        extension.number = ExtensionNumber::parse(&(200_000 + n).to_string()).expect("a number");
        extension.display_name = format!("Employee{n:06} Lastname{}", n % 977);
        snapshot.extensions.push(extension);
    }
    let deployment = Deployment::new(snapshot, "192.0.2.1".into()).expect("default site");
    let provisioner = Provisioner::new(Renderer::builtin());

    println!("directory benchmark: {extensions} extensions");
    let (ms, peak, polycom) =
        measured(|| fetched(&provisioner, &deployment, "0004f2000000-directory.xml"));
    report("polycom <mac>-directory.xml", ms, peak, polycom.len());
    let (ms, peak, aastra) =
        measured(|| fetched(&provisioner, &deployment, "00085D000007-directory.csv"));
    report("aastra <MAC>-directory.csv", ms, peak, aastra.len());
    let mut upload = String::from("<directory><item_list>");
    for n in 0..100 {
        upload.push_str(&format!(
            "<item><fn>Friend{n}</fn><ln>Own</ln><ct>06{n:08}</ct><sd>{}</sd></item>",
            n + 1
        ));
    }
    upload.push_str("</item_list></directory>");
    let company = |contact: &str| contact.starts_with('2');
    let (ms, peak, merged) = measured(|| merge(&polycom, &[], Some(upload.as_bytes()), company));
    let merged = merged.expect("merged");
    report("merge with 100 own contacts", ms, peak, merged.len());
    assert!(merged.len() > polycom.len());
}
