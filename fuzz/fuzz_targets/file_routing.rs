//! Fuzzes file-name routing: any request path, percent-decoded as HTTP does, then routed as every
//! transport routes it: rendered from a made-up deployment of 50 phones, an upload name, or a
//! file of a firmware folder holding a file and a symlink that points out of it. Must never
//! panic, and a resolved firmware path always lies inside the folder.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phoneprov::provision::sample::sample_snapshot;
use phoneprov::provision::upload::classify;
use phoneprov::provision::{Deployment, Provisioner, mac_in_name};
use phoneprov::render::Renderer;
use phoneprov::serve::firmware;
use phoneprov::serve::http::decode_path;

struct World {
    deployment: Deployment,
    provisioner: Provisioner,
    firmware: PathBuf,
}

static WORLD: OnceLock<World> = OnceLock::new();

fn world() -> World {
    let deployment =
        Deployment::new(sample_snapshot(50), "192.0.2.1".into()).expect("default site");
    let (renderer, _) = Renderer::load(std::path::Path::new("/nonexistent-templates"));
    let firmware = std::env::temp_dir().join(format!("phoneprov-fuzz-fw-{}", std::process::id()));
    let _ = std::fs::create_dir_all(firmware.join("lang"));
    let _ = std::fs::write(firmware.join("sip.ld"), b"firmware");
    let _ = std::fs::write(firmware.join("lang/en.xml"), b"<x/>");
    let _ = std::os::unix::fs::symlink("/etc", firmware.join("out"));
    World {
        deployment,
        provisioner: Provisioner::new(renderer),
        firmware: firmware.canonicalize().expect("firmware folder"),
    }
}

fuzz_target!(|data: &[u8]| {
    let world = WORLD.get_or_init(world);
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let Some(name) = decode_path(raw) else {
        return;
    };
    let _ = mac_in_name(&name);
    let _ = classify(&name);
    if name.len() <= firmware::MAX_SEGMENT {
        let _ = world.provisioner.fetch(&world.deployment, &name);
    }
    if let Some(path) = firmware::resolve(&world.firmware, &name) {
        assert!(
            path.starts_with(&world.firmware),
            "{name:?} left the folder: {path:?}"
        );
    }
    if let Some(path) = firmware::resolve_dir(&world.firmware, &name) {
        assert!(
            path.starts_with(&world.firmware),
            "{name:?} left the folder: {path:?}"
        );
    }
});
