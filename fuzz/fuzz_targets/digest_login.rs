//! Fuzzes the phone login check (HTTP Digest and Basic `Authorization` headers): any header,
//! method and URI against a login with two passwords. Must never panic, and no header made
//! without a password is accepted.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phoneprov::domain::PhoneLogin;
use phoneprov::policy::digest::{Challenger, LoginVerdict};

static STATE: OnceLock<(Challenger, PhoneLogin)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (challenger, login) = STATE.get_or_init(|| {
        (
            Challenger::new().expect("random key"),
            PhoneLogin::new(
                "0004f2000001",
                vec!["first-password".into(), "second-password".into()],
            )
            .expect("login"),
        )
    });
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\n');
    let header = parts.next().unwrap_or_default();
    let method = parts.next().unwrap_or("GET");
    let uri = parts.next().unwrap_or("/201.cfg");
    for secure in [false, true] {
        let verdict = challenger.verify(header, method, uri, login, secure);
        if verdict == LoginVerdict::Accepted {
            // Only Basic can carry a password in clear; the fuzzer cannot forge a Digest answer
            // for a nonce it never saw.
            assert!(
                secure
                    && header
                        .trim_start()
                        .to_ascii_lowercase()
                        .starts_with("basic")
            );
        }
    }
});
