//! Aastra/Mitel programmable keys: which keys each model has, what kinds they take, and the
//! parameters a phone's keys set in its `<MAC>.cfg`.
//!
//! Parameters (Aastra SIP IP Phone Administrator Guide 41-001160, appendix A,
//! "Softkey/Programmable Key/Feature Key/Expansion Module Key Parameters"): `prgkeyN`,
//! `topsoftkeyN`, `softkeyN` and `expmodM keyN`, each with `type` (`line`, `speeddial`, `blf`,
//! `park`, `pickup`, `dnd`, ...), `value`, `label` and `line`. Key N counts the model's
//! programmable keys first, then its top softkeys, its softkeys, and the keys of up to three
//! expansion modules; the number of each per model is the one Wazo's Aastra plugin uses
//! (wazo-platform/wazo-provd-plugins, `AastraModel`).
//!
//! Park and pickup as the Aastra guide 41-001343-01 (release 3.2.2) documents them:
//! - an Aastra `park` key parks and its `pickup` key retrieves, each valued
//!   `<server>;<code>` ("softkey1 value: broadworks;*68"); from release 3.x,
//!   `sip lineN park pickup config: <park>;<pickup>;<server>` wins over the keys' values
//!   (p. 5-219, "Call Park/Pickup Configuration Precedence Rule"). phoneprov's `park` and
//!   `retrieve` keys are written with the `asterisk` method on their orbit (the phone transfers
//!   the call to the orbit to park it and dials the orbit to take it back, as Wazo writes them),
//!   and the line's configuration too when the phone's keys name one orbit;
//! - a colleague's ringing call is picked up from a BLF key, with `directed call pickup` on
//!   ("when Directed Call Pickup is disabled ... pressing the BLF ... performs a speeddial",
//!   p. 5-129): phoneprov's `pickup` key is such a BLF key, and any `blf` or `pickup` key
//!   switches directed call pickup on.

use crate::domain::{KeyKind, Model, ProgrammedKey};
use crate::handset::interface::KeyRefusal;

/// The keys of one model: programmable, top softkeys, softkeys, and keys per expansion module
/// (up to three modules).
#[derive(Debug, Clone, Copy)]
struct KeyLayout {
    prgkey: u16,
    topsoftkey: u16,
    softkey: u16,
    expansion: u16,
}

/// M670i/M675i modules (6700i phones): 36 and 60 keys; M680i/M685i (6800i): 16 and 84.
const M67X: u16 = 60;
const M68X: u16 = 84;
const EXPANSION_MODULES: u16 = 3;

fn layout(model: &str) -> Option<KeyLayout> {
    let keys = |prgkey, topsoftkey, softkey, expansion| {
        Some(KeyLayout {
            prgkey,
            topsoftkey,
            softkey,
            expansion,
        })
    };
    match model {
        "6730i" | "6731i" => keys(8, 0, 0, 0),
        "6735i" | "6755i" => keys(6, 0, 20, M67X),
        "6737i" | "6757i" | "6757iCT" => keys(0, 10, 20, M67X),
        "6739i" => keys(0, 0, 55, M67X),
        "6753i" => keys(6, 0, 0, M67X),
        "6863i" => keys(3, 0, 0, 0),
        "6865i" => keys(8, 0, 0, M68X),
        "6867i" => keys(0, 20, 18, M68X),
        "6869i" => keys(0, 44, 24, M68X),
        "6873i" => keys(0, 48, 24, M68X),
        _ => None,
    }
}

/// How many keys a model has, expansion modules included; `None` for a model whose keys
/// phoneprov does not know.
pub fn key_count(model: &Model) -> Option<u16> {
    layout(model.name).map(count_of)
}

/// The keys of a layout, expansion modules included.
fn count_of(l: KeyLayout) -> u16 {
    l.prgkey + l.topsoftkey + l.softkey + EXPANSION_MODULES * l.expansion
}

/// The parameter prefix of key `n` (`topsoftkey3`, `expmod1 key5`).
fn slot(layout: KeyLayout, n: u16) -> Option<String> {
    let mut rest = n;
    for (name, count) in [
        ("prgkey", layout.prgkey),
        ("topsoftkey", layout.topsoftkey),
        ("softkey", layout.softkey),
    ] {
        if rest <= count {
            return Some(format!("{name}{rest}"));
        }
        rest -= count;
    }
    (layout.expansion > 0 && rest <= EXPANSION_MODULES * layout.expansion).then(|| {
        let module = (rest - 1) / layout.expansion + 1;
        let key = (rest - 1) % layout.expansion + 1;
        format!("expmod{module} key{key}")
    })
}

/// Whether a Mitel 6800 model takes busy lamp fields only on its top softkeys (and expansion
/// modules): the 6867i, 6869i and 6873i ("BLF functionality can only be programmed on the top
/// softkeys", Mitel 6873i user guide, "Busy Lamp Field (BLF) Key"; the 6869i user guide,
/// release 4.0.0 SP1, p. 110, likewise; Wazo's Aastra plugin turns such keys into speed dials).
fn blf_on_top_softkeys_only(model: &str) -> bool {
    matches!(model, "6867i" | "6869i" | "6873i")
}

/// Whether `key` can be programmed on an Aastra phone of `model`; `Err` says why not.
pub fn check(model: Option<&Model>, key: &ProgrammedKey) -> Result<(), KeyRefusal> {
    let (model, layout) = KeyRefusal::model_layout(model, layout)?;
    let Some(slot) = slot(layout, key.key).filter(|_| key.key > 0) else {
        return Err(KeyRefusal::key(format!(
            "key {} is beyond the {} keys of a {} (expansion modules included)",
            key.key,
            count_of(layout),
            model.name
        )));
    };
    let bottom_softkey = slot.starts_with("softkey");
    match key.kind {
        KeyKind::Voicemail => Err(KeyRefusal::kind(
            "Aastra phones have no transfer-to-voice-mail key type: use a speeddial with your call server's code",
        )),
        KeyKind::Blf | KeyKind::Pickup
            if bottom_softkey && blf_on_top_softkeys_only(model.name) =>
        {
            Err(KeyRefusal::kind(format!(
                "a {} takes busy lamp fields only on its top softkeys (keys 1 to {}) and expansion modules; key {} is a bottom softkey",
                model.name,
                layout.prgkey + layout.topsoftkey,
                key.key
            )))
        }
        KeyKind::Line if !key.value.parse::<u8>().is_ok_and(|n| (1..=9).contains(&n)) => {
            Err(KeyRefusal::value(format!(
                "a line key takes a line number from 1 to 9, not {:?}",
                key.value
            )))
        }
        _ => Ok(()),
    }
}

/// The parameters a phone's keys set (keys that do not fit the model are left out: the import
/// refuses them), and what they need switched on.
pub fn parameters(model: Option<&Model>, keys: &[ProgrammedKey]) -> Vec<(String, String)> {
    let Some(layout) = model.and_then(|m| layout(m.name)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let placed: Vec<(String, &ProgrammedKey)> = keys
        .iter()
        .filter(|key| key.kind != KeyKind::Voicemail)
        .filter_map(|key| Some((slot(layout, key.key)?, key)))
        .collect();
    for (slot, key) in &placed {
        out.push((format!("{slot} type"), aastra_type(key.kind).to_string()));
        let line = if key.kind == KeyKind::Line {
            key.value.clone()
        } else {
            "1".to_string()
        };
        if key.kind.needs_value() && key.kind != KeyKind::Line {
            out.push((format!("{slot} value"), aastra_value(key)));
        }
        if !key.label.is_empty() {
            out.push((format!("{slot} label"), key.label.clone()));
        }
        out.push((format!("{slot} line"), line));
    }
    let kinds = || placed.iter().map(|(_, key)| key);
    if kinds().any(|k| matches!(k.kind, KeyKind::Blf | KeyKind::Pickup)) {
        out.push(("directed call pickup".to_string(), "1".to_string()));
    }
    let mut orbits: Vec<&str> = kinds()
        .filter(|k| matches!(k.kind, KeyKind::Park | KeyKind::Retrieve))
        .filter(|k| !k.value.contains(';'))
        .map(|k| k.value.as_str())
        .collect();
    orbits.sort_unstable();
    orbits.dedup();
    if let [orbit] = orbits.as_slice() {
        out.push((
            "sip line1 park pickup config".to_string(),
            format!("{orbit};{orbit};{PARK_METHOD}"),
        ));
    }
    out
}

/// The server method of phoneprov's park and retrieve keys: transfer to the orbit to park,
/// dial the orbit to retrieve.
const PARK_METHOD: &str = "asterisk";

/// The Aastra key type of a key kind: a `pickup` is a BLF key (directed call pickup), a
/// `retrieve` Aastra's `pickup` (of a parked call).
fn aastra_type(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Pickup => "blf",
        KeyKind::Retrieve => "pickup",
        other => other.as_str(),
    }
}

/// A key's value as the phone reads it: park and retrieve keys as `<server>;<orbit>` (a value
/// that already names its server is kept).
fn aastra_value(key: &ProgrammedKey) -> String {
    match key.kind {
        KeyKind::Park | KeyKind::Retrieve if !key.value.contains(';') => {
            format!("{PARK_METHOD};{}", key.value)
        }
        _ => key.value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fill_the_models_keys_then_its_expansion_modules() {
        let m6757 = layout("6757i").unwrap();
        assert_eq!(slot(m6757, 1).as_deref(), Some("topsoftkey1"));
        assert_eq!(slot(m6757, 10).as_deref(), Some("topsoftkey10"));
        assert_eq!(slot(m6757, 11).as_deref(), Some("softkey1"));
        assert_eq!(slot(m6757, 31).as_deref(), Some("expmod1 key1"));
        assert_eq!(slot(m6757, 91).as_deref(), Some("expmod2 key1"));
        assert_eq!(slot(m6757, 210).as_deref(), Some("expmod3 key60"));
        assert_eq!(slot(m6757, 211), None);
        assert_eq!(slot(layout("6730i").unwrap(), 9), None);
    }
}
