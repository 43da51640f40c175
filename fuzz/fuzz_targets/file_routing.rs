//! Fuzzes file-name routing: any request path parsed into a `FileName` as HTTP parses it
//! (percent-decoded once) and as FTP and TFTP do, then routed as every transport routes it:
//! resolved and rendered from a made-up deployment of 50 phones, an upload name, or a file of a
//! firmware folder holding a file and a symlink that points out of it. Must never panic, a name
//! is what it parses to (parsing its text again gives the same), and a resolved firmware path
//! always lies inside the folder.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phoneprov::provision::sample::sample_snapshot;
use phoneprov::provision::{Deployment, FileName, Provisioner, resolve};
use phoneprov::render::Renderer;
use phoneprov::policy::firmware;

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
    let _ = FileName::parse(raw);
    let Ok(parsed) = FileName::from_url_path(raw) else {
        return;
    };
    assert_eq!(
        FileName::parse(parsed.as_str()).as_ref(),
        Ok(&parsed),
        "{raw:?} parses to another name the second time"
    );
    let _ = (parsed.mac(), parsed.upload(), parsed.is_phone_file());
    if let Ok(target) = resolve(&world.deployment, &parsed) {
        let _ = world.provisioner.render(&world.deployment, target);
    }
    let name = parsed.as_str();
    if let Some(path) = firmware::resolve(&world.firmware, name) {
        assert!(
            path.starts_with(&world.firmware),
            "{name:?} left the folder: {path:?}"
        );
    }
    if let Some(path) = firmware::resolve_dir(&world.firmware, name) {
        assert!(
            path.starts_with(&world.firmware),
            "{name:?} left the folder: {path:?}"
        );
    }
});
