//! The vendor-neutral settings in Yealink's spelling, written at the end of a phone's
//! `<mac>.cfg`: `@admin_password` as `static.security.user_password = admin:<password>` (the web
//! page's admin login, factory `admin`), `@vlan` as `static.network.vlan.internet_port_enable`
//! and `internet_port_vid`, `@lldp` as `static.network.lldp.enable`, `@language` as `lang.gui`
//! (the language's English name). Names as the peers' Yealink templates write them
//! (docs/phone-parameters.md). `@codecs` is not written yet (Yealink sets codecs per account);
//! `@directory` is the phone book's, not a parameter.

use crate::domain::{Language, Neutral};

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
        Neutral::Language(language) => vec![pair("lang.gui", gui_language(*language))],
        Neutral::Codecs(_) | Neutral::Directory(_) => Vec::new(),
    }
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
        assert!(parameters(&Neutral::Codecs(Vec::new())).is_empty());
    }
}
