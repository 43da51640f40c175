//! Poly phones on OBi-based firmware: the VVX OBi Edition, the D230 and the Edge B phones run
//! Obihai's software, whose files (an Obihai `<ParameterList>` schema) are not the VVX XML
//! phoneprov renders. They are recognised by their user agent (`Poly/PolyEdgeB20-1.1.0.x (<mac>)`,
//! the `<brand>/<model>-<version>` form of Obihai's phones) so that they are refused by name
//! instead of being sent VVX files they cannot read.

use crate::domain::{Mac, Vendor};
use crate::handset::agent::Agent;

/// What the log, the inbox and the refusal say about such a phone.
pub const OBI_FIRMWARE: &str = "a Poly phone on OBi-based firmware (VVX OBi Edition, D230, Edge B): \
     phoneprov does not serve that firmware family";

/// The agent of a Poly phone on OBi-based firmware: `Poly/<model>-<version>[ (<mac>)]` or
/// `OBIHAI/<model>-<version>`, any case.
pub fn parse_agent(user_agent: &str) -> Option<Agent> {
    let (brand, rest) = user_agent.split_once('/')?;
    if !(brand.eq_ignore_ascii_case("poly") || brand.eq_ignore_ascii_case("obihai")) {
        return None;
    }
    let mut words = rest.split_whitespace();
    let (product, firmware) = words.next()?.split_once('-')?;
    let model = product.strip_prefix("Poly").unwrap_or(product);
    let mac = words
        .find_map(|word| word.strip_prefix('(')?.strip_suffix(')'))
        .and_then(poly_mac);
    (!model.is_empty() && !firmware.is_empty()).then(|| Agent {
        unsupported: Some(OBI_FIRMWARE),
        ..Agent::served(Vendor::Polycom, model, firmware, mac)
    })
}

/// `text` as a MAC if it is one of Poly's (a serial number that is not names no phone).
pub fn poly_mac(text: &str) -> Option<Mac> {
    Mac::parse(text)
        .ok()
        .filter(|mac| Vendor::from_mac(mac) == Some(Vendor::Polycom))
}
