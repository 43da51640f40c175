//! What a phone *applies* from its whole file set, read the way its vendor documents it, for the
//! tests that check field truth:
//!
//! - Polycom: the master file, then each file of `CONFIG_FILES` in order; the first file that
//!   sets a parameter wins (SIP 1.4 admin guide, "the first occurrence of a parameter wins").
//!   Vendor files from the firmware folder (`phone1.cfg`, `sip.cfg`) hold only factory defaults
//!   and are left out.
//! - Aastra/Mitel: `aastra.cfg`, then `<model>.cfg`, then `<MAC>.cfg`; the last value read wins,
//!   names are not case sensitive (Aastra 9000i admin guide; Mitel 6800 admin guide A-6).

use std::collections::HashMap;

use phoneprov::provision::{Deployment, Fetch, Provisioner};
use phoneprov::render::Renderer;
use phoneprov::store::SqlStore;
use phoneprov::store::prelude::*;

use super::{TestDb, golden_deployment, sqlite_db};

/// The rendered content of a file, if phoneprov renders it.
pub fn content(provisioner: &Provisioner, deployment: &Deployment, name: &str) -> Option<String> {
    match provisioner.fetch(deployment, name).unwrap() {
        Fetch::Found(rendered) => Some(rendered.content),
        Fetch::NotFound(_) => None,
    }
}

/// Every attribute of an XML document, in document order, its value unescaped (read with
/// quick-xml, after the document passed phoneprov's strict check).
pub fn attributes(xml: &str) -> Vec<(String, String)> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    phoneprov::render::xml_check::check(xml).expect("well-formed XML");
    let mut reader = Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(element) | Event::Empty(element) => {
                for attribute in element.attributes() {
                    let attribute = attribute.expect("an attribute");
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("a value");
                    found.push((attribute.key.as_ref().to_string(), value.into_owned()));
                }
            }
            _ => {}
        }
    }
    found
}

/// What a Polycom phone applies, and the master's own attributes.
pub struct PolycomView {
    /// The master file's own attributes.
    pub master: HashMap<String, String>,
    /// `CONFIG_FILES`, in order.
    pub config_files: Vec<String>,
    /// Every parameter the phone applies.
    pub applied: HashMap<String, String>,
}

/// What a Polycom phone applies.
pub fn polycom_applies(
    provisioner: &Provisioner,
    deployment: &Deployment,
    mac: &str,
) -> PolycomView {
    let master_text = content(provisioner, deployment, &format!("{mac}.cfg")).expect("master");
    let master: HashMap<String, String> = attributes(&master_text).into_iter().collect();
    let config_files: Vec<String> = master["CONFIG_FILES"]
        .split(',')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    let mut applied = HashMap::new();
    for file in &config_files {
        // Files phoneprov does not render are the vendor's own (firmware folder).
        let Some(text) = content(provisioner, deployment, file) else {
            continue;
        };
        for (name, value) in attributes(&text) {
            applied.entry(name).or_insert(value);
        }
    }
    PolycomView {
        master,
        config_files,
        applied,
    }
}

/// What an Aastra phone applies: `aastra.cfg`, `<model>.cfg`, `<MAC>.cfg`, last value wins.
pub fn aastra_applies(
    provisioner: &Provisioner,
    deployment: &Deployment,
    mac: &str,
    model: &str,
) -> HashMap<String, String> {
    let mut applied = HashMap::new();
    for file in [
        "aastra.cfg".to_string(),
        format!("{model}.cfg"),
        format!("{}.cfg", mac.to_ascii_uppercase()),
    ] {
        let text = content(provisioner, deployment, &file).expect(&file);
        for line in text.lines() {
            if line.trim_start().starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (name, value) = line.split_once(':').expect("key: value");
            applied.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    applied
}

/// A value of a map of applied parameters.
pub fn get<'a>(map: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    map.get(name).map(String::as_str)
}

/// A deployment read from `store`.
pub async fn deployment_of(store: &SqlStore) -> Deployment {
    Deployment::new(store.snapshot().await.unwrap(), "192.0.2.99".into()).unwrap()
}

/// A provisioner with the built-in templates.
pub fn builtin() -> Provisioner {
    Provisioner::new(Renderer::builtin())
}

/// [`golden`] with the Poly phones of today ([`crate::common::golden_with_poly_today`]).
pub async fn golden_poly_today() -> (TestDb, SqlStore, Deployment) {
    let db = sqlite_db();
    let store = db.open().await;
    crate::common::golden_with_poly_today(&store).await;
    let deployment = deployment_of(&store).await;
    (db, store, deployment)
}

/// A fresh SQLite store holding the golden deployment, and that deployment read from it.
pub async fn golden() -> (TestDb, SqlStore, Deployment) {
    let db = sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    let deployment = deployment_of(&store).await;
    (db, store, deployment)
}

/// Asserts that `xml` is well-formed, as xmllint (libxml2) reads it.
pub fn assert_xmllint_accepts(xml: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("xmllint")
        .args(["--noout", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("xmllint (apt-get install libxml2-utils)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "xmllint refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
