//! Override files a Polycom phone uploads (`<mac>-phone.cfg`, settings changed on the handset;
//! `<mac>-web.cfg`, on its web page) and reads back at its next boot, where they win over the
//! provisioned files. Anyone who can pass for the phone could plant one, so an uploaded override
//! never keeps a parameter that redirects provisioning or registration or carries a credential:
//! [`strip_protected`] drops them (and says which) before the file is stored.

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

use crate::handset::upload_screen::Protected;

/// Parameter prefixes an upload may not set (compared without case): the provisioning server
/// and its login, DHCP and network boot settings, the phone's passwords and security settings,
/// and the SIP servers and proxies.
const PROTECTED_PREFIXES: [&str; 8] = [
    "device.prov.",
    "device.dhcp.",
    "device.net.",
    "device.auth.",
    "device.sec.",
    "sec.",
    "voipprot.server.",
    "voipprot.sip.outboundproxy.",
];

/// Parts of a line's parameters (`reg.N.<part>`) an upload may not set: its servers, proxy,
/// login and identity.
const PROTECTED_LINE_PARTS: [&str; 5] = ["server.", "outboundproxy.", "auth.", "address", "lcs"];

/// Whether an uploaded override may not set the parameter `name`.
pub fn is_protected(name: &str) -> bool {
    Protected {
        prefixes: &PROTECTED_PREFIXES,
        numbered: "reg.",
        numbered_parts: &PROTECTED_LINE_PARTS,
    }
    .covers(name)
}

/// An override that is not well-formed XML (a phone writes none; it is not stored).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the override is not well-formed XML: {0}")]
pub struct NotXml(String);

/// `content` without the protected parameters, and the names of those it dropped.
pub fn strip_protected(content: &[u8]) -> Result<(Vec<u8>, Vec<String>), NotXml> {
    let mut reader = Reader::from_reader(content);
    let mut writer = Writer::new(Vec::with_capacity(content.len()));
    let mut dropped = Vec::new();
    let mut buffer = Vec::new();
    let fail = |e: &dyn std::fmt::Display| NotXml(e.to_string());
    let mut open = 0usize;
    loop {
        let event = reader.read_event_into(&mut buffer).map_err(|e| fail(&e))?;
        let kept = match event {
            Event::Eof if open == 0 => break,
            Event::Eof => return Err(NotXml(format!("{open} element(s) never closed"))),
            Event::End(end) => {
                open = open.saturating_sub(1);
                Event::End(end)
            }
            Event::Start(element) => {
                open += 1;
                Event::Start(kept_attributes(&element, &mut dropped)?)
            }
            Event::Empty(element) => Event::Empty(kept_attributes(&element, &mut dropped)?),
            other => other,
        };
        writer.write_event(kept).map_err(|e| fail(&e))?;
        buffer.clear();
    }
    Ok((writer.into_inner(), dropped))
}

fn kept_attributes(
    element: &BytesStart<'_>,
    dropped: &mut Vec<String>,
) -> Result<BytesStart<'static>, NotXml> {
    let name = element.name().as_ref().to_owned();
    let mut kept = BytesStart::new(name);
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|e| NotXml(e.to_string()))?;
        let key = attribute.key.as_ref().to_owned();
        if is_protected(&key) {
            dropped.push(key);
        } else {
            // Unescaped and escaped again for double quotes: a value written in single quotes
            // may hold a `"` that would otherwise start a new attribute.
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| NotXml(e.to_string()))?;
            kept.push_attribute((key.as_str(), value.as_ref()));
        }
    }
    Ok(kept.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirections_and_credentials_are_dropped_and_the_rest_kept() {
        // Issue 28, finding 2b: the forged override that redirected the phone.
        let forged = br#"<PHONE_CONFIG><OVERRIDES device.prov.serverName="evil.example" device.set="1" device.prov.serverName.set="1" voIpProt.server.1.address="evil.example" reg.1.server.1.address="evil.example" reg.1.auth.password="x" reg.1.address="999" up.backlight.idleIntensity="1" reg.1.label="Front desk"/></PHONE_CONFIG>"#;
        let (kept, dropped) = strip_protected(forged).unwrap();
        let kept = String::from_utf8(kept).unwrap();
        assert_eq!(
            kept,
            r#"<PHONE_CONFIG><OVERRIDES device.set="1" up.backlight.idleIntensity="1" reg.1.label="Front desk"/></PHONE_CONFIG>"#
        );
        assert_eq!(
            dropped,
            [
                "device.prov.serverName",
                "device.prov.serverName.set",
                "voIpProt.server.1.address",
                "reg.1.server.1.address",
                "reg.1.auth.password",
                "reg.1.address",
            ]
        );
    }

    #[test]
    fn names_are_matched_without_case_and_only_as_parameters() {
        for protected in [
            "DEVICE.PROV.serverName",
            "reg.12.outboundProxy.address",
            "apps.push.password",
        ] {
            assert!(is_protected(protected), "{protected}");
        }
        for allowed in [
            "reg.1.label",
            "register.x",
            "regional.server.x",
            "up.screenSaver.enabled",
        ] {
            assert!(!is_protected(allowed), "{allowed}");
        }
        assert!(strip_protected(b"<PHONE_CONFIG><OVERRIDES a=\"1\"></PHONE_CONFIG>").is_err());
        // A double quote inside a single-quoted value stays inside the value.
        let sneaky =
            br#"<PHONE_CONFIG><OVERRIDES a='x" device.prov.serverName="evil'/></PHONE_CONFIG>"#;
        let (kept, dropped) = strip_protected(sneaky).unwrap();
        assert!(dropped.is_empty());
        let (_, dropped_again) = strip_protected(&kept).unwrap();
        assert!(
            dropped_again.is_empty(),
            "{}",
            String::from_utf8_lossy(&kept)
        );
    }
}
