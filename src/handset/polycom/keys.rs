//! Polycom programmable keys, by firmware family: busy lamp fields (and park orbits) as the
//! attendant's resource list, speed dials as entries of the phone's directory.
//!
//! - Busy lamp field: `attendant.resourceList.N.address`, `.label`, `.type` (`normal`, or
//!   `automata` for a park orbit: a key press parks a call there or retrieves it); a normal one
//!   also picks up the monitored extension's ringing call. Statically configured BLF is supported
//!   on SoundPoint IP 450, 550, 560, 650 and 670 with SIP 3.2.0 or later and on VVX phones with
//!   UC Software (Polycom Engineering Advisory 62475, "Using Statically Configured Busy Lamp
//!   Field").
//! - Speed dial: a directory entry with a speed-dial index `<sd>` 1 to 40 (SIP 1.4
//!   administrator guide 3.1.16.1), shown on free line keys; phoneprov adds them to the phone's
//!   `<mac>-directory.xml`.
//! - A line key is the phone's line (its extension's registration): assigned with the extension
//!   CSV's `line` column, not here. DND and transfer-to-voice-mail are softkeys, not line keys.

use crate::domain::{KeyKind, Model, ProgrammedKey};
use crate::handset::interface::KeyRefusal;
use crate::handset::polycom::firmware::Family;

/// Highest speed-dial index.
pub const MAX_SPEED_DIAL: u16 = 40;
/// Keys of the expansion modules a VVX 300 to 600 takes (three modules); Wazo's Polycom plugin
/// counts 40 a module.
const EXPANSION_KEYS: u16 = 3 * 40;
/// BLF keys of a SoundPoint IP 650 or 670 with its sidecars, as Wazo's Polycom plugin counts
/// them (`_NB_FKEY`: 47).
const SOUNDPOINT_SIDECAR_KEYS: u16 = 47;

/// Whether the model's firmware `family` takes statically configured BLF.
fn takes_blf(model: &Model, family: &str) -> bool {
    let soundpoint = matches!(
        model.name,
        "SPIP_450" | "SPIP_550" | "SPIP_560" | "SPIP_650" | "SPIP_670"
    );
    // Every VVX, Edge E and CCX runs UC Software 5.x or later.
    (soundpoint && matches!(family, "sip32" | "uc4"))
        || Family::of_model(model).is_some_and(|own| own >= Family::Uc5)
}

/// How many BLF keys a model has: its line keys, and expansion modules' on a VVX 300 to 600
/// (the x01, x11 and 450 included); a SoundPoint IP 650 or 670 with its sidecars, 47 (wazo-provd-plugins,
/// `wazo_polycom/common/common.py`, `_NB_FKEY`).
pub fn key_count(model: &Model) -> u16 {
    let expansion = matches!(
        model.name,
        "VVX_300"
            | "VVX_301"
            | "VVX_310"
            | "VVX_311"
            | "VVX_400"
            | "VVX_401"
            | "VVX_410"
            | "VVX_411"
            | "VVX_450"
            | "VVX_500"
            | "VVX_501"
            | "VVX_600"
            | "VVX_601"
    );
    if matches!(model.name, "SPIP_650" | "SPIP_670") {
        return SOUNDPOINT_SIDECAR_KEYS;
    }
    u16::from(model.lines) + if expansion { EXPANSION_KEYS } else { 0 }
}

/// Whether `key` can be programmed on a Polycom phone of `model` served as `family`.
pub fn check(model: Option<&Model>, family: &str, key: &ProgrammedKey) -> Result<(), KeyRefusal> {
    match key.kind {
        KeyKind::Line => Err(KeyRefusal::kind(
            "a Polycom line key is one of the phone's lines: assign the extension with the extension CSV's line column",
        )),
        KeyKind::Dnd | KeyKind::Voicemail => Err(KeyRefusal::kind(format!(
            "Polycom phones have no {} line key (it is a softkey)",
            key.kind
        ))),
        KeyKind::SpeedDial if key.key == 0 || key.key > MAX_SPEED_DIAL => {
            Err(KeyRefusal::key(format!(
                "key {} is beyond the {MAX_SPEED_DIAL} speed dials of a Polycom phone",
                key.key
            )))
        }
        KeyKind::SpeedDial => Ok(()),
        KeyKind::Blf | KeyKind::Park | KeyKind::Retrieve | KeyKind::Pickup => {
            let Some(model) = model else {
                return Err(KeyRefusal::key(
                    "the phone's model is needed for busy lamp field keys (give it in the extension CSV)",
                ));
            };
            if !takes_blf(model, family) {
                return Err(KeyRefusal::kind(format!(
                    "a {} on {family} has no statically configured busy lamp field (SoundPoint IP 450 to 670 on SIP 3.2, VVX)",
                    model.name
                )));
            }
            let count = key_count(model);
            if key.key == 0 || key.key > count {
                return Err(KeyRefusal::key(format!(
                    "key {} is beyond the {count} keys of a {}",
                    key.key, model.name
                )));
            }
            Ok(())
        }
    }
}

/// The features a phone of firmware `family` needs on for its keys to do what they say: a
/// press on a BLF or pickup key picks up the watched extension's ringing call (directed call
/// pickup), a park key parks there and retrieves (call park). Polycom's stock SIP 3.1.6 and
/// 3.2.4B `sip.cfg` ship both off (`feature.10.name="call-park"`, `feature.12.name=
/// "directed-call-pickup"`, `enabled="0"`); phoneprov's files come first in `CONFIG_FILES`, so
/// the same index and name with `enabled="1"` wins. UC Software names them
/// `feature.callPark.enabled` and `feature.directedCallPickup.enabled`.
fn feature_switches(family: &str, keys: &[ProgrammedKey]) -> Vec<(String, String)> {
    let pickup = keys
        .iter()
        .any(|k| matches!(k.kind, KeyKind::Blf | KeyKind::Pickup));
    let park = keys
        .iter()
        .any(|k| matches!(k.kind, KeyKind::Park | KeyKind::Retrieve));
    let uc = Family::is_uc_name(family);
    let mut out = Vec::new();
    let mut switch = |on: bool, index: u8, sip_name: &str, uc_name: &str| {
        if !on {
            return;
        }
        if uc {
            out.push((format!("feature.{uc_name}.enabled"), "1".to_string()));
        } else {
            out.push((format!("feature.{index}.name"), sip_name.to_string()));
            out.push((format!("feature.{index}.enabled"), "1".to_string()));
        }
    };
    switch(park, 10, "call-park", "callPark");
    switch(pickup, 12, "directed-call-pickup", "directedCallPickup");
    out
}

/// The attendant parameters of a phone's BLF, park and pickup keys, in key order, with the
/// features they need switched on for the phone's firmware `family`.
pub fn parameters(family: &str, keys: &[ProgrammedKey]) -> Vec<(String, String)> {
    let mut out = feature_switches(family, keys);
    let monitored = keys.iter().filter(|k| {
        matches!(
            k.kind,
            KeyKind::Blf | KeyKind::Park | KeyKind::Retrieve | KeyKind::Pickup
        )
    });
    for (index, key) in monitored.enumerate() {
        let n = index + 1;
        // A park orbit's key parks a call there and retrieves it (EA 62475: automata
        // resources "have calls transferred to them and pulled from the queue").
        let kind = if matches!(key.kind, KeyKind::Park | KeyKind::Retrieve) {
            "automata"
        } else {
            "normal"
        };
        out.push((
            format!("attendant.resourceList.{n}.address"),
            key.value.clone(),
        ));
        if !key.label.is_empty() {
            out.push((
                format!("attendant.resourceList.{n}.label"),
                key.label.clone(),
            ));
        }
        out.push((format!("attendant.resourceList.{n}.type"), kind.to_string()));
    }
    out
}

/// The phone's speed dials: `(index, number, label)`.
pub fn speed_dials(keys: &[ProgrammedKey]) -> Vec<(u16, &str, &str)> {
    keys.iter()
        .filter(|k| k.kind == KeyKind::SpeedDial)
        .map(|k| (k.key, k.value.as_str(), k.label.as_str()))
        .collect()
}
