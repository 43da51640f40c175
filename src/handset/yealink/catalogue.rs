//! The Yealink parameters phoneprov knows by name, type and range, with where each fact comes
//! from. A value set for one of them (`yealink:` before its name) is checked; any other name is
//! still accepted, with a warning (`docs/settings.md`). Every parameter here is read from the
//! common file and `<mac>.cfg` alike, by firmware 81 and later.

use crate::domain::{ParameterSpec, ValueKind};

/// Yealink Administrator's Guide for SIP-T2/T4/T5 Series IP Phones (firmware 81 and later).
const GUIDE: &str = "Yealink Administrator's Guide for SIP-T2/T4/T5 Series IP Phones";
/// Yealink Administrator's Guide for SIP-T21(P) E2, "Phone Provisioning".
const PROVISIONING: &str = "Yealink Administrator's Guide for SIP-T21(P) E2, Phone Provisioning";
/// The peers' Yealink templates (Wazo, FusionPBX): names and values only.
const PEERS: &str = "wazo-provd-plugins and FusionPBX Yealink templates";

const fn spec(
    name: &'static str,
    kind: ValueKind,
    meaning: &'static str,
    source: &'static str,
) -> ParameterSpec {
    ParameterSpec::every_family(name, kind, meaning, source)
}

/// The catalogue.
pub const CATALOGUE: &[ParameterSpec] = &[
    spec(
        "lang.gui",
        ValueKind::Text { max: 32 },
        "the screen's language by name, e.g. English, German",
        PEERS,
    ),
    spec(
        "static.network.vlan.internet_port_enable",
        ValueKind::Flag,
        "802.1Q VLAN tagging on the internet (LAN) port",
        PEERS,
    ),
    spec(
        "static.network.vlan.internet_port_vid",
        ValueKind::Integer { min: 1, max: 4094 },
        "the internet port's VLAN",
        PEERS,
    ),
    spec(
        "static.network.vlan.internet_port_priority",
        ValueKind::Integer { min: 0, max: 7 },
        "the internet port's 802.1p priority",
        PEERS,
    ),
    spec(
        "static.network.vlan.pc_port_enable",
        ValueKind::Flag,
        "VLAN tagging on the PC port",
        PEERS,
    ),
    spec(
        "static.network.vlan.pc_port_vid",
        ValueKind::Integer { min: 1, max: 4094 },
        "the PC port's VLAN",
        PEERS,
    ),
    spec(
        "static.network.lldp.enable",
        ValueKind::Flag,
        "LLDP on",
        PEERS,
    ),
    spec(
        "static.network.cdp.enable",
        ValueKind::Flag,
        "CDP on",
        PEERS,
    ),
    spec(
        "local_time.ntp_server2",
        ValueKind::Text { max: 99 },
        "the second time server",
        PEERS,
    ),
    spec(
        "local_time.summer_time",
        ValueKind::Integer { min: 0, max: 2 },
        "daylight saving: 0 off, 1 by the rules written, 2 automatic",
        GUIDE,
    ),
    spec(
        "sip.notify_reboot_enable",
        ValueKind::Integer { min: 0, max: 2 },
        "on a check-sync NOTIFY: 0 reboot only if it says reboot=true, 1 reboot, 2 ignore it",
        GUIDE,
    ),
    spec(
        "static.auto_provision.weekly.enable",
        ValueKind::Flag,
        "re-check the files on the days and between the times below",
        PROVISIONING,
    ),
    spec(
        "static.auto_provision.weekly.dayofweek",
        ValueKind::Text { max: 7 },
        "the days to re-check, digits 0 (Sunday) to 6",
        PROVISIONING,
    ),
    spec(
        "static.auto_provision.custom.protect",
        ValueKind::Flag,
        "keep the changes made on the phone (its <mac>-local.cfg) across provisioning",
        GUIDE,
    ),
    spec(
        "static.auto_provision.custom.sync",
        ValueKind::Flag,
        "upload <mac>-local.cfg when it changes and read it back at provisioning",
        GUIDE,
    ),
    spec(
        "features.pickup.direct_pickup_code",
        ValueKind::Text { max: 32 },
        "the call server's directed pickup code, for BLF keys (an account's own code wins)",
        GUIDE,
    ),
    spec(
        "phone_setting.emergency.number",
        ValueKind::Text { max: 99 },
        "emergency numbers, comma-separated, dialled even when the phone is locked",
        PEERS,
    ),
];
