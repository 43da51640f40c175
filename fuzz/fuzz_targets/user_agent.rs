//! Fuzzes user-agent parsing (Polycom and Aastra/Mitel): any text. Must never panic, and a MAC it
//! reads is a valid unicast address that appears in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phoneprov::handset::parse_agent as parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(agent) = parse(text)
        && let Some(mac) = agent.mac
    {
        let digits: String = text.chars().filter(char::is_ascii_hexdigit).collect();
        assert!(
            digits.to_ascii_lowercase().contains(&mac.polycom_name()),
            "{text:?} -> {mac}"
        );
    }
});
