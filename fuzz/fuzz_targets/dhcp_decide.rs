//! Fuzzes DHCP decode-and-decide: any bytes, as a packet from a relay, through a responder with
//! an allocate-mode and an inform-mode subnet. Several packets per input (split at a marker), so
//! lease state carries from one to the next. Must never panic, and every reply is padded to
//! the BOOTP minimum.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use phoneprov::dhcp::responder::Responder;
use phoneprov::testing::fuzz_responder;

/// Built once; each input starts from a copy with an empty lease book.
static TEMPLATE: OnceLock<Responder> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let mut responder = TEMPLATE.get_or_init(fuzz_responder).clone();
    let source: SocketAddr = "127.0.0.1:67".parse().unwrap();
    for (i, packet) in data.split(|b| *b == 0xa5).take(8).enumerate() {
        let decision = responder.decide(packet, source, 1_000_000 + i as i64 * 1000);
        if let Some((reply, _)) = decision.reply {
            assert!(reply.len() >= 300, "replies are padded");
        }
    }
});
