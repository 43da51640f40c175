//! The Polycom parameters phoneprov knows by name, type and range, with the firmware families
//! that read them and where each fact comes from. A value set for one of them is checked; any
//! other dotted name is still accepted, with a warning (`docs/settings.md`).
//!
//! Sources: the stock `sip.cfg` of SIP 3.2 (the vendor's own file, shipped with the firmware),
//! the Polycom UC Software 4.1.0 Administrators' Guide (1725-11530-410 Rev A, appendix
//! "Configuration Parameters") and the `<device/>` parameter table of the Polycom UC Software
//! guides ("Types of Device Parameters").

use crate::domain::{Codec, Language, Neutral, ParameterSpec, ValueKind};
use crate::handset::polycom::firmware::Family;

const SIP3_GUIDE: &str =
    "SIP 3.2 stock sip.cfg; UC Software 4.1.0 Administrators' Guide, 1725-11530-410, appendix A";
const UC_GUIDE: &str = "UC Software 4.1.0 Administrators' Guide, 1725-11530-410, appendix A";
const DEVICE_TABLE: &str = "UC Software Administrators' Guide, <device/> parameters (device.set and device.xxx.set must be 1)";

/// Families that read the SIP 3.x and UC spellings alike.
const ALL: &[&str] = &[];
/// UC Software only.
const UC: &[&str] = &["uc4", "uc5", "uc6", "edge", "ccx"];
/// SIP 3.1 and 3.2 and UC Software: `<device/>` parameters.
const DEVICE: &[&str] = &["sip31", "sip32", "uc4", "uc5", "uc6", "edge", "ccx"];

/// UC Software 5.x and later: the cloud switches, Poly's zero-touch provisioning
/// (`device.prov.ztpEnabled`) and Poly Lens (`feature.lens.enabled`). Not in a Poly guide
/// phoneprov has; named as several third-party generators write them (docs/phone-parameters.md).
const CLOUD_SWITCHES: &[&str] = &["uc5", "uc6", "edge", "ccx"];

/// Languages of `lcl.ml.lang` in the stock dictionary folder.
pub const LANGUAGES: &[&str] = &[
    "Chinese_China",
    "Chinese_Taiwan",
    "Danish_Denmark",
    "Dutch_Netherlands",
    "English_Canada",
    "English_United_Kingdom",
    "English_United_States",
    "French_France",
    "German_Germany",
    "Italian_Italy",
    "Japanese_Japan",
    "Korean_Korea",
    "Norwegian_Norway",
    "Polish_Poland",
    "Portuguese_Portugal",
    "Russian_Russia",
    "Slovenian_Slovenia",
    "Spanish_Spain",
    "Swedish_Sweden",
];

const fn spec(
    name: &'static str,
    kind: ValueKind,
    families: &'static [&'static str],
    meaning: &'static str,
    source: &'static str,
) -> ParameterSpec {
    ParameterSpec {
        families,
        ..ParameterSpec::every_family(name, kind, meaning, source)
    }
}

const CODEC_PRIORITY: ValueKind = ValueKind::Integer { min: 0, max: 27 };
const INTENSITY: ValueKind = ValueKind::Integer { min: 0, max: 3 };

/// The catalogue.
pub const CATALOGUE: &[ParameterSpec] = &[
    spec(
        "up.backlight.idleIntensity",
        INTENSITY,
        ALL,
        "backlight when idle: 0 off, 1 low, 2 medium, 3 high",
        SIP3_GUIDE,
    ),
    spec(
        "up.backlight.onIntensity",
        INTENSITY,
        ALL,
        "backlight when in use: 0 off, 1 low, 2 medium, 3 high",
        SIP3_GUIDE,
    ),
    spec(
        "up.idleTimeout",
        ValueKind::Integer { min: 0, max: 65535 },
        ALL,
        "seconds before a menu returns to the idle screen",
        SIP3_GUIDE,
    ),
    spec(
        "up.headsetMode",
        ValueKind::Flag,
        ALL,
        "1: calls go to the headset once it was used",
        SIP3_GUIDE,
    ),
    spec(
        "lcl.ml.lang",
        ValueKind::Choice(LANGUAGES),
        ALL,
        "the phone's language (a dictionary of the firmware)",
        SIP3_GUIDE,
    ),
    spec(
        "lcl.datetime.time.24HourClock",
        ValueKind::Flag,
        ALL,
        "1: 24-hour clock",
        SIP3_GUIDE,
    ),
    spec(
        "voice.volume.persist.handset",
        ValueKind::Flag,
        ALL,
        "1: the handset volume is kept between calls",
        SIP3_GUIDE,
    ),
    spec(
        "voice.volume.persist.headset",
        ValueKind::Flag,
        ALL,
        "1: the headset volume is kept between calls",
        SIP3_GUIDE,
    ),
    spec(
        "voice.volume.persist.handsfree",
        ValueKind::Flag,
        ALL,
        "1: the speaker volume is kept between calls",
        SIP3_GUIDE,
    ),
    spec(
        "call.callWaiting.enable",
        ValueKind::Flag,
        UC,
        "0: a second call gets busy",
        UC_GUIDE,
    ),
    spec(
        "voice.codecPref.G711Mu",
        CODEC_PRIORITY,
        &["sip21", "sip31", "sip32"],
        "G.711 u-law priority (1 first, 0 off)",
        SIP3_GUIDE,
    ),
    spec(
        "voice.codecPref.G711A",
        CODEC_PRIORITY,
        &["sip21", "sip31", "sip32"],
        "G.711 a-law priority (1 first, 0 off)",
        SIP3_GUIDE,
    ),
    spec(
        "voice.codecPref.G722",
        CODEC_PRIORITY,
        ALL,
        "G.722 priority (1 first, 0 off)",
        SIP3_GUIDE,
    ),
    spec(
        "voice.codecPref.G729AB",
        CODEC_PRIORITY,
        &["sip21", "sip31", "sip32"],
        "G.729 priority (1 first, 0 off)",
        SIP3_GUIDE,
    ),
    spec(
        "voice.codecPref.G711_Mu",
        CODEC_PRIORITY,
        UC,
        "G.711 u-law priority (1 first, 0 off)",
        UC_GUIDE,
    ),
    spec(
        "voice.codecPref.G711_A",
        CODEC_PRIORITY,
        UC,
        "G.711 a-law priority (1 first, 0 off)",
        UC_GUIDE,
    ),
    spec(
        "voice.codecPref.G729_AB",
        CODEC_PRIORITY,
        UC,
        "G.729 priority (1 first, 0 off)",
        UC_GUIDE,
    ),
    spec(
        "device.set",
        ValueKind::Flag,
        DEVICE,
        "1: apply the device.xxx values whose .set is 1",
        DEVICE_TABLE,
    ),
    spec(
        "device.net.vlanId",
        ValueKind::Text { max: 4 },
        DEVICE,
        "the phone's VLAN (1 to 4094; empty: none)",
        DEVICE_TABLE,
    ),
    spec(
        "device.net.vlanId.set",
        ValueKind::Flag,
        DEVICE,
        "1: apply device.net.vlanId",
        DEVICE_TABLE,
    ),
    spec(
        "device.net.lldpEnabled",
        ValueKind::Flag,
        DEVICE,
        "1: LLDP-MED on (a switch may assign the VLAN)",
        DEVICE_TABLE,
    ),
    spec(
        "device.net.lldpEnabled.set",
        ValueKind::Flag,
        DEVICE,
        "1: apply device.net.lldpEnabled",
        DEVICE_TABLE,
    ),
    spec(
        "device.auth.localAdminPassword",
        ValueKind::Text { max: 32 },
        DEVICE,
        "the phone's admin password (factory 456)",
        DEVICE_TABLE,
    ),
    spec(
        "device.auth.localAdminPassword.set",
        ValueKind::Flag,
        DEVICE,
        "1: apply device.auth.localAdminPassword",
        DEVICE_TABLE,
    ),
];

/// `lcl.ml.lang` of a language (the stock dictionaries have no Canadian French: France's).
fn language_value(language: Language) -> &'static str {
    match language {
        Language::EnglishUs => "English_United_States",
        Language::German => "German_Germany",
        Language::Spanish => "Spanish_Spain",
        Language::French | Language::FrenchCanada => "French_France",
        Language::Italian => "Italian_Italy",
        Language::Dutch => "Dutch_Netherlands",
    }
}

/// `voice.codecPref.<name>` of a codec, as SIP 2.x/3.x (`G711Mu`) or UC Software (`G711_Mu`)
/// spells it.
fn codec_name(codec: Codec, uc: bool) -> &'static str {
    match (codec, uc) {
        (Codec::G722, _) => "G722",
        (Codec::Pcmu, false) => "G711Mu",
        (Codec::Pcmu, true) => "G711_Mu",
        (Codec::Pcma, false) => "G711A",
        (Codec::Pcma, true) => "G711_A",
        (Codec::G729, false) => "G729AB",
        (Codec::G729, true) => "G729_AB",
    }
}

/// A `<device/>` parameter: applied only with `device.set` and its own `.set` at 1.
fn device(name: &str, value: String) -> Vec<(String, String)> {
    vec![
        ("device.set".to_string(), "1".to_string()),
        (format!("{name}.set"), "1".to_string()),
        (name.to_string(), value),
    ]
}

/// A neutral setting as the parameters of a phone of firmware family `family` (short name):
/// `<device/>` parameters exist from SIP 3.1 on, so SIP 2.1 phones get none of them.
pub fn neutral_parameters(neutral: &Neutral, family: &str) -> Vec<(String, String)> {
    let uc = Family::is_uc_name(family);
    let has_device = DEVICE.contains(&family);
    match neutral {
        Neutral::Language(language) => {
            vec![(
                "lcl.ml.lang".to_string(),
                language_value(*language).to_string(),
            )]
        }
        Neutral::Vlan(id) if has_device => device(
            "device.net.vlanId",
            id.map(|v| v.to_string()).unwrap_or_default(),
        ),
        Neutral::Lldp(on) if has_device => {
            device("device.net.lldpEnabled", u8::from(*on).to_string())
        }
        Neutral::AdminPassword(password) if has_device => {
            device("device.auth.localAdminPassword", password.clone())
        }
        Neutral::Codecs(order) => Codec::ALL
            .iter()
            .map(|(codec, _)| {
                let priority = order.iter().position(|c| c == codec).map_or(0, |i| i + 1);
                (
                    format!("voice.codecPref.{}", codec_name(*codec, uc)),
                    priority.to_string(),
                )
            })
            .collect(),
        Neutral::Cloud(on) if CLOUD_SWITCHES.contains(&family) => {
            let value = u8::from(*on).to_string();
            let mut parameters = device("device.prov.ztpEnabled", value.clone());
            parameters.push(("feature.lens.enabled".to_string(), value));
            parameters
        }
        // How a Polycom phone picks up by code (`call.directedCallPickupMethod`,
        // `call.directedCallPickupString` in the stock sip.cfg) is not confirmed from a Polycom
        // guide reachable here: nothing is written.
        Neutral::Vlan(_)
        | Neutral::Lldp(_)
        | Neutral::AdminPassword(_)
        | Neutral::Cloud(_)
        | Neutral::PickupCode(_) => Vec::new(),
        // The directory is a file of its own (`<mac>-directory.xml`), asked for by every phone.
        Neutral::Directory(_) => Vec::new(),
    }
}
