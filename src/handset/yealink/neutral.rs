//! The vendor-neutral settings in Yealink's spelling, written at the end of a phone's
//! `<mac>.cfg`: `@admin_password` as `static.security.user_password = admin:<password>` (the web
//! page's admin login, factory `admin`), `@vlan` as `static.network.vlan.internet_port_enable`
//! and `internet_port_vid`, `@lldp` as `static.network.lldp.enable`, `@language` as `lang.gui`
//! (the language's English name), `@codecs` as `account.N.codec.<codec>.enable` and
//! `.priority` (codecs are set per account: `N` stands for every account of the phone, written
//! out by [`for_each_account`]; a codec left out of the list is disabled), `@pickup_code` as
//! `features.pickup.direct_pickup_code` (T5 guide, "Directed Call Pickup"). Names as the peers'
//! Yealink templates write them (docs/phone-parameters.md). `@directory` is the phone book's,
//! not a parameter.

use crate::domain::{Codec, Effective, Language, LineNumber, Neutral};

/// The account placeholder of a per-account parameter (`account.N.codec.g722.enable`).
const EVERY_ACCOUNT: &str = "account.N.";

/// A setting's parameters for a Yealink phone.
pub fn parameters(neutral: &Neutral) -> Vec<(String, String)> {
    match neutral {
        Neutral::AdminPassword(password) => {
            vec![pair(
                "static.security.user_password",
                format!("admin:{password}"),
            )]
        }
        Neutral::Vlan(Some(id)) => vec![
            pair("static.network.vlan.internet_port_enable", 1),
            pair("static.network.vlan.internet_port_vid", id),
        ],
        Neutral::Vlan(None) => vec![pair("static.network.vlan.internet_port_enable", 0)],
        Neutral::Lldp(on) => vec![pair("static.network.lldp.enable", u8::from(*on))],
        Neutral::PickupCode(code) => vec![pair("features.pickup.direct_pickup_code", code)],
        Neutral::Language(language) => vec![pair("lang.gui", gui_language(*language))],
        Neutral::Codecs(order) => Codec::ALL
            .iter()
            .flat_map(|(codec, _)| {
                let name = codec_name(*codec);
                let position = order.iter().position(|c| c == codec);
                [
                    pair(
                        &format!("{EVERY_ACCOUNT}codec.{name}.enable"),
                        u8::from(position.is_some()),
                    ),
                    pair(
                        &format!("{EVERY_ACCOUNT}codec.{name}.priority"),
                        position.map_or(0, |p| p + 1),
                    ),
                ]
            })
            .collect(),
        // Yealink's redirection service is asked only by a phone that has no provisioning
        // server; phoneprov writes no switch for it.
        Neutral::Directory(_) | Neutral::Cloud(_) => Vec::new(),
    }
}

/// A codec's name in Yealink's per-account codec parameters.
fn codec_name(codec: Codec) -> &'static str {
    match codec {
        Codec::G722 => "g722",
        Codec::Pcmu => "pcmu",
        Codec::Pcma => "pcma",
        Codec::G729 => "g729",
    }
}

/// A phone's settings with each per-account parameter (`account.N.*`) written once for each of
/// its accounts, in account order, after the others (which stay as they are).
pub fn for_each_account(settings: Vec<Effective>, accounts: &[LineNumber]) -> Vec<Effective> {
    let mut out = Vec::with_capacity(settings.len());
    let mut per_account = Vec::new();
    for setting in settings {
        match setting.parameter.strip_prefix(EVERY_ACCOUNT) {
            Some(rest) => per_account.push((rest.to_string(), setting)),
            None => out.push(setting),
        }
    }
    let at = out.len();
    let expanded = accounts.iter().flat_map(|n| {
        per_account.iter().map(move |(rest, setting)| Effective {
            parameter: format!("account.{n}.{rest}"),
            ..setting.clone()
        })
    });
    out.splice(at..at, expanded);
    out
}

/// `lang.gui`: the language's name as the phone lists it.
fn gui_language(language: Language) -> &'static str {
    match language {
        Language::EnglishUs => "English",
        Language::German => "German",
        Language::Spanish => "Spanish",
        Language::French | Language::FrenchCanada => "French",
        Language::Italian => "Italian",
        Language::Dutch => "Dutch",
    }
}

fn pair(name: &str, value: impl ToString) -> (String, String) {
    (name.to_string(), value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_password_locks_the_web_page_and_vlans_tag() {
        assert_eq!(
            parameters(&Neutral::AdminPassword("604118339".into())),
            [pair("static.security.user_password", "admin:604118339")]
        );
        assert_eq!(
            parameters(&Neutral::Vlan(Some(20))),
            [
                pair("static.network.vlan.internet_port_enable", 1),
                pair("static.network.vlan.internet_port_vid", 20)
            ]
        );
        assert_eq!(
            parameters(&Neutral::Vlan(None)),
            [pair("static.network.vlan.internet_port_enable", 0)]
        );
    }

    #[test]
    fn codecs_are_enabled_in_order_on_every_account_and_the_rest_disabled() {
        let codecs = parameters(&Neutral::Codecs(vec![Codec::G722, Codec::Pcmu]));
        let settings: Vec<Effective> = codecs
            .into_iter()
            .map(|(parameter, value)| Effective {
                parameter,
                value,
                origin: "deployment".into(),
            })
            .chain([Effective {
                parameter: "lang.gui".into(),
                value: "English".into(),
                origin: "deployment".into(),
            }])
            .collect();
        let written: Vec<(String, String)> = for_each_account(settings, &[1, 2])
            .into_iter()
            .map(|e| (e.parameter, e.value))
            .collect();
        let get = |name: &str| {
            written
                .iter()
                .find(|(p, _)| p == name)
                .map(|(_, v)| v.as_str())
        };
        for n in [1, 2] {
            assert_eq!(get(&format!("account.{n}.codec.g722.enable")), Some("1"));
            assert_eq!(get(&format!("account.{n}.codec.g722.priority")), Some("1"));
            assert_eq!(get(&format!("account.{n}.codec.pcmu.priority")), Some("2"));
            assert_eq!(get(&format!("account.{n}.codec.pcma.enable")), Some("0"));
            assert_eq!(get(&format!("account.{n}.codec.g729.priority")), Some("0"));
        }
        assert_eq!(get("account.3.codec.g722.enable"), None);
        assert_eq!(written.len(), 2 * 8 + 1);
        assert!(written.iter().all(|(p, _)| !p.contains(".N.")));
    }
}
