//! Rendering through the provisioning core: the golden deployment byte for byte, the AltiGen site
//! file parameter by parameter, escaping (XML round trip, no Aastra line injection even from bad
//! data in the database), `xmllint` on every Polycom file, not-found answers, the 600 s expiry of
//! large deployments, template overrides, and the `render`/`check` commands.

use crate::common;
use phoneprov::store::prelude::*;

use std::collections::HashMap;
use std::path::Path;

use common::{TestDb, assert_success, databases, fixture_path, golden_deployment, stderr, stdout};
use phoneprov::domain::Vendor;
use phoneprov::import::{ImportOptions, import_csv};
use phoneprov::provision::{Deployment, Fetch, Provisioner, Rendered};
use phoneprov::render::Renderer;
use phoneprov::store::SqlStore;

const POLYCOM_GOLDEN: &[&str] = &[
    "000000000000.cfg",
    "0004f214ab37.cfg",
    "0004f214ab37-settings.cfg",
    "0004f214ab38.cfg",
    "0004f214ab38-settings.cfg",
    "0004f2aa0001.cfg",
    "0004f2ac0206.cfg",
    "201.cfg",
    "202.cfg",
    "203.cfg",
    "206.cfg",
    "207.cfg",
    "208.cfg",
    "209.cfg",
    "3001.cfg",
    "0004f2450207.cfg",
    "0004f2450207-settings.cfg",
    "64167f0e4508.cfg",
    "64167f0e4508-settings.cfg",
    "482567c60209.cfg",
    "482567c60209-settings.cfg",
    "altigen.cfg",
    "altigen.uc.cfg",
    "site-branch.cfg",
    "site-branch.uc.cfg",
];
const AASTRA_GOLDEN: &[&str] = &["aastra.cfg", "6757i.cfg", "00085D1610DE.cfg"];

async fn deployment_of(store: &SqlStore) -> Deployment {
    Deployment::new(store.snapshot().await.unwrap(), "192.0.2.99".into()).unwrap()
}

/// Fetches a file that must exist; every Polycom file goes through `xmllint` too.
fn fetch(provisioner: &Provisioner, deployment: &Deployment, name: &str) -> Rendered {
    match provisioner.fetch(deployment, name).unwrap() {
        Fetch::Found(rendered) => {
            if rendered.vendor == Vendor::Polycom {
                xmllint(&[(name.to_string(), rendered.content.clone())]);
            }
            rendered
        }
        Fetch::NotFound(reason) => panic!("{name}: not found: {reason}"),
    }
}

fn builtin() -> Provisioner {
    Provisioner::new(Renderer::builtin())
}

/// `xmllint --noout` on each file (Debian's libxml2-utils; `.ci/run` installs it).
fn xmllint(files: &[(String, String)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        paths.push(path);
    }
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .args(&paths)
        .output()
        .expect("xmllint (apt-get install libxml2-utils)");
    assert!(
        out.status.success(),
        "xmllint refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn attributes(xml: &str) -> HashMap<String, String> {
    common::applies::attributes(xml).into_iter().collect()
}

#[tokio::test]
async fn golden_files_match_byte_for_byte() {
    let update = std::env::var_os("PHONEPROV_UPDATE_GOLDEN").is_some();
    for db in databases().await {
        let store = db.open().await;
        common::golden_with_poly_today(&store).await;
        let deployment = deployment_of(&store).await;
        let provisioner = builtin();
        let mut polycom_files = Vec::new();
        for (folder, names) in [("polycom", POLYCOM_GOLDEN), ("aastra", AASTRA_GOLDEN)] {
            for name in names {
                let rendered = fetch(&provisioner, &deployment, name);
                let path = fixture_path(&format!("golden/{folder}/{name}"));
                if update {
                    std::fs::write(&path, &rendered.content).unwrap();
                }
                let golden = std::fs::read_to_string(&path)
                    .unwrap_or_else(|_| panic!("{} missing", path.display()));
                assert_eq!(rendered.content, golden, "{name} on {:?}", db.backend);
                if folder == "polycom" {
                    polycom_files.push((name.to_string(), rendered.content));
                }
            }
        }
        xmllint(&polycom_files);
        // Either letter case of a MAC file, and startup.cfg, answer the same bytes.
        for (a, b) in [
            ("0004F214AB37.cfg", "0004f214ab37.cfg"),
            ("00085d1610de.cfg", "00085D1610DE.cfg"),
            ("startup.cfg", "aastra.cfg"),
        ] {
            assert_eq!(
                fetch(&provisioner, &deployment, a),
                fetch(&provisioner, &deployment, b)
            );
        }
        store.close().await;
    }
}

/// Every parameter and value of the AltiGen guide's site file (requirements 1.3), for the
/// default site: port 10060, Pacific time with DST, time.nist.gov, 3-digit extensions, 7-digit
/// local dialing, message-waiting beep silenced.
#[tokio::test]
async fn the_default_site_file_has_every_parameter_of_the_guide() {
    let db = common::sqlite_db();
    let store = db.open().await;
    let deployment = deployment_of(&store).await;
    let site = fetch(&builtin(), &deployment, "altigen.cfg");
    assert_eq!(site.content_type, "text/xml; charset=utf-8");
    assert!(!site.carries_secret);
    let found = attributes(&site.content);
    let expected = [
        ("voIpProt.SIP.conference.address", "conf"),
        ("voIpProt.SIP.alertInfo.1.value", "info=alert-autoanswer"),
        ("voIpProt.SIP.alertInfo.1.class", "3"),
        ("voIpProt.SIP.alertInfo.2.value", "auto-answer"),
        ("voIpProt.SIP.alertInfo.2.class", "3"),
        ("reg.1.server.1.port", "10060"),
        ("voIpProt.SIP.outboundProxy.port", "10060"),
        ("voIpProt.SIP.local.port", "10060"),
        ("tone.dtmf.rfc2833Payload", "101"),
        ("tone.dtmf.onTime", "120"),
        ("tone.dtmf.offTime", "120"),
        ("tcpIpApp.sntp.address", "time.nist.gov"),
        ("tcpIpApp.sntp.gmtOffset", "-28800"),
        ("tcpIpApp.sntp.daylightSavings.enable", "1"),
        ("dialplan.removeEndOfDial", "0"),
        // The guide's map, with the site's emergency numbers (911, 9911 by default) first so
        // they dial at once (US Kari's Law; issue 17).
        (
            "dialplan.digitmap",
            "911|9911|0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|[1-7]xx|9[2-9]xxxxxx|91xxxxxxxxxx|xxx.T",
        ),
        ("call.lastCallReturnString", "#69"),
        ("se.pat.misc.1.name", "message waiting"),
        ("se.pat.misc.1.inst.1.type", "silence"),
        ("se.pat.misc.1.inst.1.value", "1"),
        ("se.pat.misc.1.inst.2.type", "silence"),
        ("se.pat.misc.1.inst.2.value", "2"),
        ("se.pat.misc.1.inst.3.type", "silence"),
        ("se.pat.misc.1.inst.3.value", "1"),
    ];
    for (name, value) in expected {
        assert_eq!(found.get(name).map(String::as_str), Some(value), "{name}");
    }
    store.close().await;
}

#[tokio::test]
async fn polycom_files_carry_the_registration_of_the_guide() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let master = attributes(&fetch(&provisioner, &deployment, "0004f214ab38.cfg").content);
    assert_eq!(master["APP_FILE_PATH"], "uc5/sip.ld");
    assert_eq!(
        master["CONFIG_FILES"],
        "0004f214ab38-settings.cfg, 202.cfg, 203.cfg, altigen.uc.cfg"
    );
    for empty in [
        "MISC_FILES",
        "LOG_FILE_DIRECTORY",
        "OVERRIDES_DIRECTORY",
        "CONTACTS_DIRECTORY",
        "LICENSE_DIRECTORY",
    ] {
        assert_eq!(master[empty], "", "{empty}");
    }
    let alice = fetch(&provisioner, &deployment, "201.cfg");
    assert!(alice.carries_secret);
    let alice = attributes(&alice.content);
    for (name, value) in [
        ("reg.1.displayName", "Alice Johnson"),
        ("reg.1.address", "201"),
        ("reg.1.label", "Alice"),
        ("reg.1.auth.userId", "201"),
        ("reg.1.auth.password", "alice-secret-201"),
        ("reg.1.server.1.address", "10.10.0.5"),
        ("reg.1.server.1.expires", "90"),
        ("msg.bypassInstantMessage", "1"),
        ("msg.mwi.1.callBackMode", "contact"),
        ("msg.mwi.1.callBack", "##@10.10.0.5"),
        ("msg.mwi.1.subscribe", "201@10.10.0.5"),
    ] {
        assert_eq!(alice.get(name).map(String::as_str), Some(value), "{name}");
    }
    assert!(
        !alice.contains_key("reg.1.server.2.address"),
        "no backup at the default site"
    );
    // The second line key of a phone uses reg.2 / msg.mwi.2, so the two files never collide.
    let desk = attributes(&fetch(&provisioner, &deployment, "203.cfg").content);
    assert!(
        desk.keys()
            .all(|k| !k.starts_with("reg.1.") && !k.starts_with("msg.mwi.1."))
    );
    assert_eq!(desk["reg.2.auth.userId"], "obrien");
    // A site with an alternate: the backup server goes in server.2; voice mail to its own server.
    let branch = attributes(&fetch(&provisioner, &deployment, "3001.cfg").content);
    assert_eq!(branch["reg.1.server.1.address"], "10.20.0.5");
    assert_eq!(branch["reg.1.server.2.address"], "10.10.0.5");
    assert_eq!(branch["reg.1.server.2.port"], "10060");
    assert_eq!(branch["msg.mwi.1.subscribe"], "3001@10.20.0.6");
    let branch_master = attributes(&fetch(&provisioner, &deployment, "0004f2aa0001.cfg").content);
    assert_eq!(
        branch_master["CONFIG_FILES"],
        "0004f2aa0001-settings.cfg, 3001.cfg, site-branch.cfg, phone1.cfg, sip.cfg"
    );
    let branch_site = fetch(&provisioner, &deployment, "site-branch.cfg").content;
    let site = attributes(&branch_site);
    assert_eq!(
        site["dialplan.digitmap"],
        "112|0|##|#[1-3]x|#[5-9]x|#41xx|#4[2-9]|[1-7]xxx|9[2-9]xxxxxxxxx|91xxxxxxxxxx|xxx.T"
    );
    assert!(
        !site.keys().any(|k| k.starts_with("se.pat.misc")),
        "the beep is on at the branch"
    );
    // The default master carries no account; each model family gets its own image and files.
    let default_master = fetch(&provisioner, &deployment, "000000000000.cfg").content;
    let default_attributes = attributes(&default_master);
    assert_eq!(default_attributes["CONFIG_FILES"], "");
    assert_eq!(default_attributes["APP_FILE_PATH_SPIP300"], "sip_212.ld");
    assert_eq!(
        default_attributes["CONFIG_FILES_SPIP500"],
        "phone1_212.cfg, sip_212.cfg"
    );
    assert!(!default_master.contains("password"));
    store.close().await;
}

#[tokio::test]
async fn names_round_trip_through_xml_and_stay_on_one_aastra_line() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let zoe = attributes(&fetch(&provisioner, &deployment, "202.cfg").content);
    assert_eq!(zoe["reg.1.displayName"], "Zoë Ångström");
    let obrien = attributes(&fetch(&provisioner, &deployment, "203.cfg").content);
    assert_eq!(obrien["reg.2.displayName"], "O'Brien & \"Sons\" <Sales>");
    assert_eq!(obrien["reg.2.auth.password"], "p<&>\"'word");
    assert_eq!(obrien["reg.2.label"], "Sales & Co");
    let aastra = fetch(&provisioner, &deployment, "00085D1610DE.cfg");
    assert_eq!(aastra.content_type, "text/plain; charset=utf-8");
    let lines: Vec<&str> = aastra.content.lines().collect();
    assert!(lines.contains(&"sip line1 display name: Zoë Ångström"));
    assert!(lines.contains(&"sip line2 display name: O'Brien & \"Sons\" <Sales>"));
    assert!(lines.contains(&"sip line2 password: p<&>\"'word"));
    store.close().await;
}

/// A line break forced into the database (the CSV import refuses one) still cannot add a key to
/// an Aastra file or break a Polycom file.
#[tokio::test]
async fn bad_data_in_the_database_cannot_inject_a_key() {
    for db in databases().await {
        let store = db.open().await;
        golden_deployment(&store).await;
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url)
            .await
            .unwrap();
        sqlx::query("UPDATE extensions SET display_name = $1, label = $2 WHERE number = '204'")
            .bind("Eve\r\nsip line1 password: stolen\n\u{1}")
            .bind("x\u{2028}sip line9 proxy ip: 6.6.6.6")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE extensions SET display_name = $1 WHERE number = '201'")
            .bind("A\"/><reg reg.1.auth.password=\"x\u{1}\u{7f}")
            .execute(&mut conn)
            .await
            .unwrap();
        let deployment = deployment_of(&store).await;
        let provisioner = builtin();
        let aastra = fetch(&provisioner, &deployment, "00085D1610DE.cfg").content;
        let mut keys = std::collections::HashSet::new();
        for line in aastra
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (key, _) = line.split_once(": ").expect("key: value");
            assert!(
                keys.insert(key.to_string()),
                "key {key:?} twice in:\n{aastra}"
            );
        }
        assert!(aastra.contains("sip line1 display name: Evesip line1 password: stolen\n"));
        assert!(aastra.contains("sip line1 screen name: xsip line9 proxy ip: 6.6.6.6\n"));
        assert!(
            aastra.lines().all(|l| !l.starts_with("sip line9")),
            "only line keys 1 and 2 exist as keys"
        );
        let polycom = fetch(&provisioner, &deployment, "201.cfg").content;
        let attrs = attributes(&polycom);
        assert_eq!(
            attrs["reg.1.displayName"],
            "A\"/><reg reg.1.auth.password=\"x"
        );
        assert_eq!(attrs["reg.1.auth.password"], "alice-secret-201");
        xmllint(&[("201.cfg".into(), polycom)]);
        store.close().await;
    }
}

#[tokio::test]
async fn unknown_names_are_not_found_with_a_reason() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    for (name, reason) in [
        ("0004f2999999.cfg", "no phone with MAC 0004f2999999"),
        ("999.cfg", "no extension 999"),
        ("site-nowhere.cfg", "no site \"nowhere\""),
        (
            "010203040506.cfg",
            "010203040506 is not a phone's MAC address",
        ),
        (
            "../201.cfg",
            "\"../201.cfg\" is not a file phoneprov renders",
        ),
        ("201.xml", "\"201.xml\" is not a file phoneprov renders"),
        ("sip.ld", "\"sip.ld\" is not a file phoneprov renders"),
        ("6799i.cfg", "\"6799i.cfg\" is not a file phoneprov renders"),
    ] {
        assert_eq!(
            provisioner.fetch(&deployment, name).unwrap(),
            Fetch::NotFound(reason.into()),
            "{name}"
        );
    }
    // A Mitel model number with no extension of that number is the model file.
    assert!(
        fetch(&provisioner, &deployment, "6930.cfg")
            .content
            .contains("6930")
    );
    store.close().await;
}

#[tokio::test]
async fn more_than_100_polycom_phones_register_for_600_seconds() {
    let db = common::sqlite_db();
    let store = db.open().await;
    let mut csv = String::from("extension,display_name,mac,model\n");
    for i in 0..100 {
        csv.push_str(&format!("{},User {i},0004f2{i:06x},VVX_400\n", 5000 + i));
    }
    import_csv(
        &store,
        csv.as_bytes(),
        &ImportOptions::by("test"),
        &|_, _| {},
    )
    .await
    .unwrap();
    let provisioner = builtin();
    let expires = |deployment: &Deployment| {
        attributes(&fetch(&provisioner, deployment, "5000.cfg").content)["reg.1.server.1.expires"]
            .clone()
    };
    assert_eq!(expires(&deployment_of(&store).await), "90", "100 phones");
    let one_more = "extension,display_name,mac,model\n5100,User 100,0004f2000100,VVX_400\n";
    import_csv(
        &store,
        one_more.as_bytes(),
        &ImportOptions::by("test"),
        &|_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(expires(&deployment_of(&store).await), "600", "101 phones");
    store.close().await;
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn overrides_replace_builtins_and_broken_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "aastra/model.cfg",
        "# custom {{ model }}\nscreen save time: 30\n",
    );
    write(
        dir.path(),
        "polycom/site.xml",
        "<x a=\"{{ site.sip_port }}\"\n>{{ oops </x>",
    );
    write(
        dir.path(),
        "polycom/extension.xml",
        "<x>\n{{ extension.nickname }}</x>",
    );
    write(
        dir.path(),
        "polycom/master.xml",
        "<a><b></a>{{ app_file_path }}",
    );
    write(dir.path(), "polycom/notes.txt", "hello");
    let (renderer, problems) = Renderer::load(dir.path());
    assert_eq!(renderer.overridden(), ["aastra/model.cfg"]);
    let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    let about = |file: &str| {
        messages
            .iter()
            .find(|m| m.contains(&format!("templates folder, {file}:")))
            .unwrap_or_else(|| panic!("no problem reported for {file}: {messages:#?}"))
            .clone()
    };
    assert!(
        about("polycom/site.xml").contains("polycom/site.xml:2:"),
        "{}",
        about("polycom/site.xml")
    );
    assert!(about("polycom/extension.xml").contains("nickname"));
    assert!(about("polycom/extension.xml").contains("polycom/extension.xml:2:"));
    assert!(about("polycom/master.xml").contains("malformed XML"));
    assert!(about("polycom/notes.txt").contains("not a template phoneprov uses"));

    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = Provisioner::new(renderer);
    assert_eq!(
        fetch(&provisioner, &deployment, "6757i.cfg").content,
        "# custom 6757i\nscreen save time: 30\n"
    );
    // The refused overrides' built-in templates keep serving.
    let golden = |name: &str| {
        std::fs::read_to_string(fixture_path(&format!("golden/polycom/{name}"))).unwrap()
    };
    for name in ["altigen.cfg", "201.cfg", "0004f214ab37.cfg"] {
        assert_eq!(
            fetch(&provisioner, &deployment, name).content,
            golden(name),
            "{name}"
        );
    }
    store.close().await;
}

async fn golden_db() -> TestDb {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    store.close().await;
    db
}

#[tokio::test]
async fn render_prints_exactly_what_a_phone_gets() {
    let db = golden_db().await;
    for (args, golden) in [
        (vec!["render", "201.cfg"], "polycom/201.cfg"),
        (
            vec!["render", "--mac", "00:04:f2:14:ab:37"],
            "polycom/0004f214ab37.cfg",
        ),
        (
            vec!["render", "--mac", "00085d1610de"],
            "aastra/00085D1610DE.cfg",
        ),
        (vec!["render", "aastra.cfg"], "aastra/aastra.cfg"),
    ] {
        let out = db.run(&args);
        assert_success(&out, &format!("{args:?}"));
        let expected = std::fs::read(fixture_path(&format!("golden/{golden}"))).unwrap();
        assert_eq!(out.stdout, expected, "{args:?}");
    }
    let missing = db.run(&["render", "0004f2999999.cfg"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing),
        "not found (a phone would get 404): no phone with MAC 0004f2999999\n"
    );
}

#[tokio::test]
async fn check_renders_everything_and_fails_on_a_broken_override() {
    let db = golden_db().await;
    // The firmware each model family of the golden deployment is pointed at.
    let firmware = db.dir.path().join("firmware");
    for file in [
        "uc5/sip.ld",
        "sip.ld",
        "phone1.cfg",
        "sip.cfg",
        "sip_31.ld",
        "phone1_31.cfg",
        "sip_31.cfg",
    ] {
        write(&firmware, file, "firmware");
    }
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    assert_success(&out, "check");
    // The golden branch is in Berlin and dials by the North American plan: said, nothing else.
    assert_eq!(
        stdout(&out),
        "warning: site \"branch\" is in Europe/Berlin but dials by the North American plan (7- or \
         10-digit local numbers after 9): its phones may send numbers before they are complete; \
         give it its own with `phoneprov site set branch --dial-plan \"...\"` \
         (docs/sites-and-failover.md)\ncheck: 0 error(s), 1 warning(s)\n"
    );

    let templates = db.dir.path().join("templates");
    write(
        &templates,
        "polycom/extension.xml",
        "<reg a=\"{{ extension.nickname }}\"/>",
    );
    let out = db.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = stdout(&out);
    assert!(
        report.starts_with("error: templates folder, polycom/extension.xml: refused"),
        "{report}"
    );
    assert!(
        report.ends_with("check: 1 error(s), 1 warning(s)\n"),
        "{report}"
    );
    // The refused override does not stop phones being served: render still answers.
    assert_success(
        &db.run(&["render", "201.cfg"]),
        "render with a refused override",
    );
}

/// An override that loads (it renders the sample) but fails on one extension's real data is
/// refused on SIGHUP, naming the phone and file: the templates in use keep serving that phone.
/// A good override is taken the same way.
#[tokio::test]
async fn a_template_reload_renders_everything_first() {
    use common::server::{curl, start};
    let server = start().await;
    common::server::boot_from(&server, "127.0.0.1", "0004f214ab38");
    let url = |file: &str| format!("{}/{file}", server.base);
    let before = curl(&url("203.cfg"), &[]);
    assert_eq!(before.status, 200);
    let builtin = include_str!("../../templates/polycom/extension.xml");
    let templates = server.db.dir.path().join("templates");
    let broken = builtin.replace(
        "<polycomConfig>",
        "<polycomConfig>{% if extension.number == \"203\" %}{{ extension.nickname }}{% endif %}",
    );
    write(&templates, "polycom/extension.xml", &broken);
    server.hangup();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.log_lines("template reload refused").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no refusal logged");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let named = server.log_lines("template reload: phone 0004f214ab38, file 203.cfg");
    assert_eq!(named.len(), 1, "{:?}", server.log_lines("template reload"));
    let after = curl(&url("203.cfg"), &[]);
    assert_eq!((after.status, after.body), (200, before.body));

    let good = builtin.replace("<polycomConfig>", "<polycomConfig><!-- reloaded -->");
    write(&templates, "polycom/extension.xml", &good);
    server.hangup();
    while server.log_lines("templates reloaded").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the good override was not taken"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let reloaded = curl(&url("203.cfg"), &[]);
    assert!(String::from_utf8_lossy(&reloaded.body).contains("<!-- reloaded -->"));
}
