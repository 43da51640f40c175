//! The company directory (issue 20): every listed extension in each phone's directory file in
//! its vendor's format, a phone's own contacts kept when it uploaded its directory, an extension
//! taken out or renamed, per-site lists, and who may fetch one.
//!
//! Formats: Polycom `<directory><item_list><item>` with `<fn>`, `<ln>` (up to 40 bytes) and
//! `<ct>` (SIP 1.4 administrator guide 3.1.16.1; the phone replaces its copy with the server's
//! `<mac>-directory.xml` at boot and uploads changes under that name). Aastra: `name, number`
//! lines, names up to 15 characters (Aastra guide 41-001343-02, "Directory List"), named by
//! `directory 1` in `<MAC>.cfg`.

use crate::common;

use common::applies::{
    aastra_applies, assert_xmllint_accepts, builtin, content, deployment_of, get,
};
use common::server::{TOKEN, api, boot_from, curl, json, send_json, start_with};
use phoneprov::import::{ImportOptions, import_settings};
use phoneprov::store::prelude::*;

/// The `(fn, ln, ct)` of every item of a Polycom directory, in order (read with quick-xml).
fn items(xml: &str) -> Vec<(String, String, String)> {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut reader = Reader::from_str(xml);
    let mut found = Vec::new();
    let mut current = (String::new(), String::new(), String::new());
    let mut field = String::new();
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Eof => break,
            Event::Start(start) => field = start.name().as_ref().to_string(),
            Event::Text(text) => {
                let value = text.xml10_content().to_string();
                match field.as_str() {
                    "fn" => current.0.push_str(&value),
                    "ln" => current.1.push_str(&value),
                    "ct" => current.2.push_str(&value),
                    _ => {}
                }
            }
            Event::GeneralRef(reference) => {
                let text = match reference.xml10_content().as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected reference {other}"),
                };
                match field.as_str() {
                    "fn" => current.0.push_str(text),
                    "ln" => current.1.push_str(text),
                    _ => {}
                }
            }
            Event::End(end) => {
                if end.name().as_ref() == "item" {
                    found.push(std::mem::take(&mut current));
                }
                field.clear();
            }
            _ => {}
        }
    }
    found
}

#[tokio::test]
async fn a_thousand_extensions_make_a_directory_in_each_vendors_format() {
    let db = common::sqlite_db();
    let store = db.open().await;
    let mut csv = String::from("extension,display_name,mac,model,line\n");
    for n in 0..1000 {
        // The first two extensions are on a VVX 400 and a 6757i; the others on no phone.
        let phone = match n {
            0 => "0004f2000001,VVX_400,1",
            1 => "00085d000002,6757i,1",
            _ => ",,",
        };
        csv.push_str(&format!("{},User{n:04} Person,{phone}\n", 5000 + n));
    }
    common::import(&store, &csv).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();

    let polycom = content(&provisioner, &deployment, "0004f2000001-directory.xml").unwrap();
    assert_xmllint_accepts(&polycom);
    let listed = items(&polycom);
    assert_eq!(listed.len(), 1000);
    assert_eq!(
        listed[0],
        ("User0000".into(), "Person".into(), "5000".into())
    );
    assert_eq!(listed[999].2, "5999");

    let aastra = content(&provisioner, &deployment, "00085D000002-directory.csv").unwrap();
    let lines: Vec<&str> = aastra.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1000);
    assert_eq!(lines[0], "User0000 Person, 5000");
    let applied = aastra_applies(&provisioner, &deployment, "00085d000002", "6757i");
    assert_eq!(
        get(&applied, "directory 1"),
        Some("00085D000002-directory.csv")
    );
}

#[tokio::test]
async fn per_site_lists_opt_outs_and_none() {
    let db = common::sqlite_db();
    let store = db.open().await;
    common::golden_deployment(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let numbers = |deployment: &phoneprov::provision::Deployment, mac: &str| {
        content(&provisioner, deployment, &format!("{mac}-directory.xml"))
            .map(|xml| items(&xml).into_iter().map(|i| i.2).collect::<Vec<_>>())
    };
    // Deployment-wide by default: every extension, by name ("Alice Johnson" first).
    let all = numbers(&deployment, "0004f214ab37").unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all[0], "201");
    assert!(all.contains(&"3001".to_string()));

    store
        .set_in_directory(
            &phoneprov::domain::ExtensionNumber::parse("206").unwrap(),
            false,
            "test",
        )
        .await
        .unwrap();
    import_settings(
        &store,
        b"scope,target,parameter,value\nsite,branch,@directory,site\nphone,0004f2ac0206,@directory,none\nphone,00085d1610de,@directory,none\n",
        &ImportOptions::by("test"),
    )
    .await
    .unwrap();
    let deployment = deployment_of(&store).await;
    let all = numbers(&deployment, "0004f214ab37").unwrap();
    assert!(!all.contains(&"206".to_string()), "206 taken out: {all:?}");
    assert_eq!(
        numbers(&deployment, "0004f2aa0001").unwrap(),
        ["3001"],
        "the branch's phone: its site's only"
    );
    // `none` serves an empty list, not a 404: a Polycom phone replaces its directory with the
    // server's copy (UC 4.1.6 expansion-module addendum, p. 21), an Aastra phone removes the
    // server's entries no longer in the server's file (41-001343-02 REV04, "Server to IP Phone
    // Download Behavior"); a missing file would leave an earlier list on the phone.
    assert_eq!(
        numbers(&deployment, "0004f2ac0206"),
        Some(Vec::new()),
        "none: an empty list"
    );
    let aastra = aastra_applies(&provisioner, &deployment, "00085d1610de", "6757i");
    assert_eq!(
        get(&aastra, "directory 1"),
        Some("00085D1610DE-directory.csv"),
        "still named, so the phone reads it"
    );
    let csv = content(&provisioner, &deployment, "00085D1610DE-directory.csv")
        .expect("the Aastra phone's directory file");
    assert!(
        csv.lines()
            .all(|line| line.starts_with('#') || line.trim().is_empty()),
        "no contact: {csv}"
    );
}

/// A phone that uploaded its directory (its user added two contacts on the handset) gets them
/// back with the company's contacts refreshed: a renamed extension shows its new name, once.
#[tokio::test]
async fn a_phones_own_contacts_survive_and_a_rename_shows_up() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("directory.xml");
    std::fs::write(
        &upload,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<directory>
 <item_list>
  <item><fn>Alice</fn><ln>Johnson</ln><ct>201</ct><sd>1</sd></item>
  <item><fn>Mum</fn><ln>Home</ln><ct>0612345678</ct><sd>2</sd></item>
  <item><fn>Pizza &amp; Co</fn><ln></ln><ct>5551234</ct><sd>3</sd></item>
 </item_list>
</directory>
"#,
    )
    .unwrap();
    let put = curl(
        &format!("{}/0004f214ab37-directory.xml", server.base),
        &["-T", upload.to_str().unwrap()],
    );
    assert!(matches!(put.status, 201 | 204), "{}", put.status);
    let renamed = send_json(
        &server,
        "PUT",
        "/extensions/201",
        r#"{"display_name": "Alicia Johnson-Smith"}"#,
    );
    assert_eq!(
        renamed.status,
        200,
        "{}",
        String::from_utf8_lossy(&renamed.body)
    );
    // The upload is written in a batch: ask until the contacts are there.
    let mut served = String::new();
    for _ in 0..50 {
        let reply = curl(&format!("{}/0004f214ab37-directory.xml", server.base), &[]);
        assert_eq!(reply.status, 200);
        served = String::from_utf8(reply.body).unwrap();
        if served.contains("Mum") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_xmllint_accepts(&served);
    let listed = items(&served);
    assert!(
        listed.contains(&("Mum".into(), "Home".into(), "0612345678".into())),
        "{served}"
    );
    assert!(
        listed.contains(&("Pizza & Co".into(), "".into(), "5551234".into())),
        "{served}"
    );
    let alice: Vec<_> = listed.iter().filter(|i| i.2 == "201").collect();
    assert_eq!(alice.len(), 1, "{served}");
    assert_eq!(alice[0].0, "Alicia");
    assert_eq!(alice[0].1, "Johnson-Smith");
    assert!(
        served.contains("<sd>2</sd>"),
        "the user's speed dial kept: {served}"
    );
    // Only to an address the phone's master file went to.
    let elsewhere = curl(
        &format!("{}/0004f214ab37-directory.xml", server.base),
        &["--interface", "127.0.0.2"],
    );
    assert_eq!(elsewhere.status, 404);
    // Listed extensions can be taken out through the API.
    let out = send_json(
        &server,
        "PUT",
        "/extensions/202/directory",
        r#"{"listed": false}"#,
    );
    assert_eq!(out.status, 200);
    assert_eq!(
        json(&api(&server, "GET", "/extensions/202", &[]))["in_directory"],
        false
    );
    let after = curl(&format!("{}/0004f214ab37-directory.xml", server.base), &[]);
    assert!(
        !items(&String::from_utf8(after.body).unwrap())
            .iter()
            .any(|i| i.2 == "202")
    );
}
