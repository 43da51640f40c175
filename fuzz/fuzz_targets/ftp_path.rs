//! Fuzzes the FTP backend's path handling: any bytes as the path a client names (RETR, SIZE, CWD,
//! LIST), turned into a name as the backend does and resolved in a firmware folder holding a file,
//! a subfolder and a symlink that points out of it. Must never panic, and nothing resolved lies
//! outside the folder.
#![no_main]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phoneprov::policy::firmware;
use phoneprov::transport::ftp::backend::name_of;

static ROOT: OnceLock<PathBuf> = OnceLock::new();

fn root() -> PathBuf {
    let root = std::env::temp_dir().join(format!("phoneprov-fuzz-ftp-{}", std::process::id()));
    let _ = std::fs::create_dir_all(root.join("lang"));
    let _ = std::fs::write(root.join("sip.ld"), b"firmware");
    let _ = std::os::unix::fs::symlink("/etc", root.join("out"));
    root.canonicalize().expect("firmware folder")
}

fuzz_target!(|data: &[u8]| {
    let root = ROOT.get_or_init(root);
    let path = Path::new(OsStr::from_bytes(data));
    let Ok(name) = name_of(path) else {
        return;
    };
    for resolved in [
        firmware::resolve(root, name.as_str()),
        firmware::resolve_dir(root, name.as_str()),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            resolved.starts_with(root),
            "{name:?} left the folder: {resolved:?}"
        );
    }
});
