//! Fuzzes reading a publish manifest, which comes from a third-party boot server: any bytes.
//! Must never panic; every name it keeps stays inside the target folder (no `..`, no absolute
//! path, no backslash or control character); written back and read again, it is the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phoneprov::publish::manifest::{Manifest, is_publishable_name};

fuzz_target!(|data: &[u8]| {
    let manifest = Manifest::parse(&String::from_utf8_lossy(data));
    for name in manifest.0.keys() {
        assert!(is_publishable_name(name), "{name:?}");
        assert!(!name.split('/').any(|segment| segment == ".."), "{name:?}");
        assert!(!name.starts_with('/') && !name.contains('\\'), "{name:?}");
    }
    assert_eq!(Manifest::parse(&manifest.to_text()), manifest);
});
