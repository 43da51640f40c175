//! Yealink phones (issue 30, first part): models as admins write them, the file chain a phone
//! reads and what it applies from it, read the way Yealink documents it, and a phone playing its
//! boot over HTTP with its user agent.
//!
//! How a Yealink phone (firmware 81 or later) reads its files — Yealink Administrator's Guide for
//! SIP-T2/T4/T5 Series IP Phones, "Boot Files" (V81 and later; also the SIP-T5 series and CP
//! series auto-provisioning guides):
//! - it asks for `<mac>.boot` first (the MAC in lowercase), else `y000000000000.boot`, else the
//!   common file `y0000000000NN.cfg` and `<mac>.cfg`;
//! - a boot file's first line is `#!version:1.0.0.1`; each `include:config "<file>"` names a
//!   file by a path relative to the boot file; the files are read top to bottom and "the
//!   parameters in the new downloaded configuration files will override the duplicate
//!   parameters in files downloaded earlier";
//! - `overwrite_mode = 1`: a parameter left blank or removed takes its factory value again.
//!
//! The account parameters and their meaning — the same guide, "Account Settings" and "Server
//! Redundancy": `account.X.sip_server.Y.address`, `.port`, `.expires` (registration expiry in
//! seconds, 30 or more); `account.X.fallback.redundancy_type` 1 = successive registration ("the
//! phone only registers to one server at a time ... in a failure situation, the IP phone
//! registers to the fallback server"), 0 = concurrent; `account.X.fallback.timeout`: the seconds
//! after which the phone tries the working server again (successive registration only).

use crate::common;
use phoneprov::store::prelude::*;

use std::collections::HashMap;

use common::applies::{builtin, content, deployment_of};
use common::server::{TOKEN, api, curl, json, send_json, start_on};
use common::{import, sqlite_db};
use phoneprov::domain::{CallServer, SiteName};
use phoneprov::provision::{Deployment, Provisioner};
use phoneprov::store::SqlStore;

const HEADER: &str = "#!version:1.0.0.1";

/// Two sites: `default` (10.10.0.5, no backup) and `branch` (10.20.0.5 port 5070, its alternate
/// `default` as backup); a T46S with two accounts on the branch, a T54W and a T77U on the default site,
/// their models spelled as admins write them.
async fn yealink_store(store: &SqlStore) {
    let default = SiteName::default_site();
    let mut settings = store.site(&default).await.unwrap().unwrap().settings;
    settings.call_servers = vec![CallServer::at("10.10.0.5")];
    store
        .update_site(&default, &settings, "test")
        .await
        .unwrap();
    let default_id = store.site(&default).await.unwrap().unwrap().id;
    let mut branch = settings.clone();
    branch.call_servers = vec![CallServer::at("10.20.0.5")];
    branch.sip_port = Some(5070);
    branch.alternate_site = Some(default_id);
    store
        .create_site(&SiteName::parse("branch").unwrap(), &branch, "test")
        .await
        .unwrap();
    import(
        store,
        "extension,display_name,password,label,auth_user,mac,model,site,line\n\
         301,Ann Lee,ann-secret,,,00:15:65:aa:00:01,SIP-T46S,branch,1\n\
         302,Bo Chan,bo-secret,Front desk,,001565aa0001,SIP-T46S,branch,2\n\
         303,Cy Diaz,cy-secret,,,44DBD2AA0002,T54W,default,1\n\
         304,Di Eng,di-secret,,,805ec0aa0003,t77u,default,1\n",
    )
    .await;
    // One admin password for every phone (the golden files' own), else each test's secret key
    // would make its own.
    let settings = std::fs::read(common::fixture_path("golden/settings.csv")).unwrap();
    phoneprov::import::import_settings(
        store,
        &settings,
        &phoneprov::import::ImportOptions::by("test"),
    )
    .await
    .unwrap();
}

/// A server over the Yealink store of [`yealink_store`], with `extra` serve arguments.
async fn yealink_server(extra: &[&str]) -> common::server::Server {
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    store.close().await;
    start_on(db, extra)
}

/// What a Yealink phone applies: its boot file, then each file it includes in order, a later
/// value winning; every file starts with the version header.
fn yealink_applies(
    provisioner: &Provisioner,
    deployment: &Deployment,
    mac: &str,
) -> (Vec<String>, HashMap<String, String>) {
    let boot = content(provisioner, deployment, &format!("{mac}.boot")).expect("boot file");
    assert_eq!(boot.lines().next(), Some(HEADER), "{boot}");
    let mut includes = Vec::new();
    let mut boot_values = HashMap::new();
    for line in boot.lines().skip(1) {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(file) = line.strip_prefix("include:config ") {
            includes.push(file.trim_matches('"').to_string());
        } else {
            let (name, value) = line.split_once('=').expect("key = value");
            boot_values.insert(name.trim().to_string(), value.trim().to_string());
        }
    }
    assert_eq!(
        boot_values.get("overwrite_mode").map(String::as_str),
        Some("1"),
        "a blank parameter must take its factory value again"
    );
    let mut applied = HashMap::new();
    for file in &includes {
        let text = content(provisioner, deployment, file).unwrap_or_else(|| panic!("{file}"));
        assert_eq!(text.lines().next(), Some(HEADER), "{file}");
        for line in text.lines().skip(1) {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (name, value) = line.split_once('=').expect("key = value");
            applied.insert(name.trim().to_string(), value.trim().to_string());
        }
    }
    (includes, applied)
}

fn get<'a>(applied: &'a HashMap<String, String>, name: &str) -> &'a str {
    applied.get(name).map_or("(not set)", String::as_str)
}

#[tokio::test]
async fn each_yealink_phone_reads_its_models_common_file_then_its_own_and_registers() {
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();

    // The T46S reads its model's common file (code 66), then its own file.
    let (includes, t46s) = yealink_applies(&provisioner, &deployment, "001565aa0001");
    assert_eq!(includes, ["y000000000066.cfg", "001565aa0001.cfg"]);
    // Its two extensions are its accounts 1 and 2, registered with the branch's server, the
    // default site's server as the backup, one registration at a time.
    for (n, user, password, label) in [
        ("1", "301", "ann-secret", "Ann Lee"),
        ("2", "302", "bo-secret", "Front desk"),
    ] {
        let k = |name: &str| format!("account.{n}.{name}");
        assert_eq!(get(&t46s, &k("enable")), "1");
        assert_eq!(get(&t46s, &k("user_name")), user);
        assert_eq!(get(&t46s, &k("auth_name")), user);
        assert_eq!(get(&t46s, &k("password")), password);
        assert_eq!(get(&t46s, &k("label")), label);
        assert_eq!(get(&t46s, &k("sip_server.1.address")), "10.20.0.5");
        assert_eq!(get(&t46s, &k("sip_server.1.port")), "5070");
        assert_eq!(get(&t46s, &k("sip_server.2.address")), "10.10.0.5");
        assert_eq!(get(&t46s, &k("fallback.redundancy_type")), "1");
        let expires: u32 = get(&t46s, &k("sip_server.1.expires")).parse().unwrap();
        assert!(expires >= 30, "the guide's least expiry is 30 s");
        let timeout: u32 = get(&t46s, &k("fallback.timeout")).parse().unwrap();
        assert!(timeout >= 10, "the guide's least fallback timeout is 10 s");
        assert_eq!(get(&t46s, &k("subscribe_mwi")), "1");
        // Message waiting subscribed at the voice mail number (T2xP guide, "Message Waiting
        // Indicator": "subscribing the MWI messages to the account or the voice mail number";
        // `subscribe_mwi_to_vm` works only with `subscribe_mwi` on and the number set): the
        // branch's voice mail, its call server with no voice mail server of its own.
        assert_eq!(get(&t46s, &k("subscribe_mwi_to_vm")), "1");
        assert_eq!(
            get(&t46s, &format!("voice_mail.number.{n}")),
            "##@10.20.0.5"
        );
    }
    // The phone listens on the branch's SIP port, where check-sync pushes go ("sip.listen_port");
    // a check-sync NOTIFY makes it fetch its files without rebooting unless the event says
    // `reboot=true` (T5 guide, "Rebooting Issues": `sip.notify_reboot_enable` 0; the factory
    // value 1 forces a reboot).
    assert_eq!(get(&t46s, "sip.listen_port"), "5070");
    assert_eq!(get(&t46s, "sip.notify_reboot_enable"), "0");
    // The daily re-check: "weekly" auto provisioning on every day (`dayofweek` digits 0-6,
    // 0 Sunday) between `begin_time` and `end_time` (00:00-23:59), the phone's own minute of the
    // site's default window, 02:00 to 03:59 (T21P E2 guide, "Phone Provisioning").
    assert_eq!(get(&t46s, "static.auto_provision.weekly.enable"), "1");
    assert_eq!(
        get(&t46s, "static.auto_provision.weekly.dayofweek"),
        "0123456"
    );
    let begin = get(&t46s, "static.auto_provision.weekly.begin_time");
    assert!(
        (begin.starts_with("02:") || begin.starts_with("03:")) && begin.len() == 5,
        "{begin}"
    );
    assert_eq!(get(&t46s, "static.auto_provision.weekly.end_time"), begin);
    // Emergency numbers dialled even with the phone locked, and dialled at once: a dial-now rule
    // each ("x" any digit, "[1-7]" a range; T4 guide, "Dial Plan"), for every account (line 0).
    assert_eq!(get(&t46s, "phone_setting.emergency.number"), "911,9911");
    assert_eq!(get(&t46s, "dialplan.dialnow.rule.1"), "911");
    assert_eq!(get(&t46s, "dialplan.dialnow.rule.2"), "9911");
    assert_eq!(get(&t46s, "dialplan.dialnow.line_id.1"), "0");
    let rules: Vec<&str> = (1..=20)
        .map(|n| get(&t46s, &format!("dialplan.dialnow.rule.{n}")))
        .take_while(|rule| *rule != "(not set)")
        .collect();
    assert!(rules.contains(&"[1-7]xx"), "3-digit extensions: {rules:?}");
    assert!(
        rules.contains(&"9[2-9]xxxxxx"),
        "9 + 7-digit local: {rules:?}"
    );
    // The web page's admin login is not the factory `admin` (the guide's
    // `static.security.user_password = <user>:<password>`).
    assert_eq!(get(&t46s, "static.security.user_password"), "admin:7391");
    assert_eq!(get(&t46s, "account.3.enable"), "(not set)");

    // A site without a backup leaves the second server blank: the factory value (none) again.
    let (includes, t54w) = yealink_applies(&provisioner, &deployment, "44dbd2aa0002");
    assert_eq!(includes, ["y000000000096.cfg", "44dbd2aa0002.cfg"]);
    assert_eq!(get(&t54w, "account.1.sip_server.1.address"), "10.10.0.5");
    assert_eq!(get(&t54w, "account.1.sip_server.2.address"), "");

    // The T77U's common file is not its firmware's first number (185): an explicit code, 188.
    let (includes, _) = yealink_applies(&provisioner, &deployment, "805ec0aa0003");
    assert_eq!(includes, ["y000000000188.cfg", "805ec0aa0003.cfg"]);

    // The same data renders the same bytes (the phone skips a file whose MD5 it applied).
    let again = builtin();
    for file in ["001565aa0001.boot", "y000000000066.cfg", "001565aa0001.cfg"] {
        assert_eq!(
            content(&provisioner, &deployment, file),
            content(&again, &deployment, file),
            "{file}"
        );
    }
    // No common boot file, and no file of a phone phoneprov does not know.
    assert_eq!(
        content(&provisioner, &deployment, "y000000000000.boot"),
        None
    );
    assert_eq!(
        content(&provisioner, &deployment, "001565ffffff.boot"),
        None
    );
    assert_eq!(content(&provisioner, &deployment, "001565ffffff.cfg"), None);
    store.close().await;
}

#[tokio::test]
async fn a_yealink_phone_boots_over_http_and_an_unknown_one_waits_in_the_inbox() {
    let server = yealink_server(&["--admin-token", TOKEN]).await;
    let agent = "User-Agent: Yealink SIP-T46S 66.86.0.15 00:15:65:aa:00:01";
    let fetch = |name: &str, agent: &str| curl(&format!("{}/{name}", server.base), &["-H", agent]);
    // Its own file before its boot file is not given out.
    assert_eq!(fetch("001565aa0001.cfg", agent).status, 404);
    let boot = fetch("001565aa0001.boot", agent);
    assert_eq!(boot.status, 200);
    let boot = String::from_utf8(boot.body).unwrap();
    for include in boot
        .lines()
        .filter_map(|l| l.strip_prefix("include:config "))
    {
        let reply = fetch(include.trim_matches('"'), agent);
        assert_eq!(reply.status, 200, "{include}");
        assert!(String::from_utf8(reply.body).unwrap().starts_with(HEADER));
    }
    // Another phone's user agent cannot fetch this phone's files.
    let other = "User-Agent: Yealink SIP-T54W 96.86.0.100 44:db:d2:aa:00:02";
    assert_eq!(fetch("001565aa0001.boot", other).status, 403);

    // A Yealink phone of no account: no boot file, then its own file, and it is in the inbox
    // with what its user agent says (the MAC without colons, lower-case vendor).
    let stranger = "User-Agent: yealink SIP-T54W 96.86.0.100 001565bb0009";
    assert_eq!(fetch("001565bb0009.boot", stranger).status, 404);
    assert_eq!(fetch("001565bb0009.cfg", stranger).status, 404);
    let inbox = json(&api(&server, "GET", "/unassigned", &[]));
    let listed = inbox
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["mac"] == "001565bb0009")
        .unwrap_or_else(|| panic!("{inbox}"));
    assert_eq!(listed["vendor"], "yealink");
    assert_eq!(listed["model"], "T54W");
    assert_eq!(listed["firmware"], "96.86.0.100");

    // Adopted with a new extension on its first account, it boots with its files, and the
    // status (the dashboard's counts) counts it with the other Yealink phones.
    let added = send_json(
        &server,
        "POST",
        "/extensions",
        r#"{"number": "306", "display_name": "New Desk", "password": "new-secret-306"}"#,
    );
    assert_eq!(
        added.status,
        201,
        "{}",
        String::from_utf8_lossy(&added.body)
    );
    let adopted = send_json(
        &server,
        "POST",
        "/unassigned/001565bb0009/adopt",
        r#"{"lines": {"1": "306"}}"#,
    );
    assert_eq!(
        adopted.status,
        200,
        "{}",
        String::from_utf8_lossy(&adopted.body)
    );
    assert_eq!(fetch("001565bb0009.boot", stranger).status, 200);
    let own = fetch("001565bb0009.cfg", stranger);
    assert_eq!(own.status, 200);
    let own = String::from_utf8(own.body).unwrap();
    assert!(
        own.lines().any(|l| l == "account.1.user_name = 306"),
        "{own}"
    );
    let status = json(&api(&server, "GET", "/status", &[]));
    assert_eq!(
        status["phones_by_vendor"],
        serde_json::json!({"aastra": 0, "polycom": 0, "yealink": 4}),
        "{status}"
    );
}

#[tokio::test]
async fn yealink_models_are_known_by_every_spelling_and_listed() {
    use phoneprov::domain::{Model, Vendor};
    for (text, name) in [
        ("SIP-T46S", "T46S"),
        ("T46S", "T46S"),
        ("t46s", "T46S"),
        ("Yealink SIP-T58W", "T58W"),
        ("sip-t31g", "T31G"),
    ] {
        let model = Model::find(text).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(
            (model.name, model.vendor),
            (name, Vendor::Yealink),
            "{text}"
        );
    }
    // `phoneprov models` lists them.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .arg("models")
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    for name in ["T31G", "T46S", "T54W", "T77U", "T88W"] {
        assert!(listed.contains(name), "{name} in {listed}");
    }
}

/// `docs/phone-parameters.md` lists exactly the parameters of the Yealink files.
#[tokio::test]
async fn the_yealink_parameter_tables_match_the_rendered_files() {
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let documented = crate::field::documented_parameters();
    for (kind, files) in [
        ("yealink-boot", ["001565aa0001.boot", "44dbd2aa0002.boot"]),
        ("yealink-phone", ["001565aa0001.cfg", "44dbd2aa0002.cfg"]),
    ] {
        let mut rendered = std::collections::BTreeSet::new();
        for file in files {
            let text = content(&provisioner, &deployment, file).expect(file);
            rendered.extend(
                text.lines()
                    .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                    .filter(|l| !l.starts_with("include:config "))
                    .map(|l| {
                        let name = l.split_once('=').expect("key = value").0.trim();
                        crate::field::placeholder_name(kind, name)
                    }),
            );
        }
        assert_eq!(&rendered, &documented[kind], "{kind}");
    }
    store.close().await;
}

/// Five sites' clocks as a Yealink phone applies them. Yealink T4X administrator guide,
/// appendix: `local_time.time_zone` (the offset from UTC in hours, `+5:30` style),
/// `local_time.summer_time` 0 disabled / 1 enabled, `local_time.dst_time_type` 1 = by week,
/// `local_time.start_time`/`end_time` as `Month/Week of Month/Day of Week/Hour of Day` with week
/// 5 = the last week and day 1 = Monday ... 7 = Sunday, `local_time.offset_time` in minutes. The
/// rules are the zones' laws (see `field.rs`): New York the second Sunday of March 2:00 to the
/// first Sunday of November 2:00; Phoenix none; Berlin the last Sunday of March 2:00 to the last
/// Sunday of October 3:00 (the guides' AutoDST example writes such a zone `3/5/7/2`,
/// `10/5/7/3`); Sydney the first Sunday of October 2:00 to the first Sunday of April 3:00;
/// Kolkata UTC+5:30, none.
#[tokio::test]
async fn each_yealink_phone_applies_its_own_sites_clock_and_time_server() {
    use phoneprov::domain::{SiteSettings, ZoneName};
    // (zone, time server, local_time.time_zone, daylight saving's start and end)
    type Zone = (
        &'static str,
        &'static str,
        &'static str,
        Option<(&'static str, &'static str)>,
    );
    let zones: [Zone; 5] = [
        (
            "America/New_York",
            "ntp-nyc.example.net",
            "-5",
            Some(("3/2/7/2", "11/1/7/2")),
        ),
        ("America/Phoenix", "ntp-phx.example.net", "-7", None),
        (
            "Europe/Berlin",
            "ntp-ber.example.net",
            "+1",
            Some(("3/5/7/2", "10/5/7/3")),
        ),
        (
            "Australia/Sydney",
            "ntp-syd.example.net",
            "+10",
            Some(("10/1/7/2", "4/1/7/3")),
        ),
        ("Asia/Kolkata", "ntp-ccu.example.net", "+5:30", None),
    ];
    let db = sqlite_db();
    let store = db.open().await;
    let mut csv =
        String::from("extension,display_name,password,label,auth_user,mac,model,site,line\n");
    for (i, (zone, sntp, _, _)) in zones.iter().enumerate() {
        let mut settings = SiteSettings::new_site_defaults();
        settings.call_servers = vec![CallServer::at("10.50.0.5")];
        settings.time_zone = Some(ZoneName::parse(zone).unwrap());
        settings.sntp_server = (*sntp).to_string();
        let name = format!("site{i}");
        store
            .create_site(&SiteName::parse(&name).unwrap(), &settings, "test")
            .await
            .unwrap();
        csv.push_str(&format!(
            "40{i},User {i},secret-yealink-{i},,,001565cc000{i},T54W,{name},1\n"
        ));
    }
    import(&store, &csv).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    for (i, (zone, sntp, offset, dst)) in zones.iter().enumerate() {
        let (_, applied) = yealink_applies(&provisioner, &deployment, &format!("001565cc000{i}"));
        assert_eq!(get(&applied, "local_time.ntp_server1"), *sntp, "{zone}");
        assert_eq!(get(&applied, "local_time.time_zone"), *offset, "{zone}");
        match dst {
            Some((start, end)) => {
                assert_eq!(get(&applied, "local_time.summer_time"), "1", "{zone}");
                assert_eq!(get(&applied, "local_time.dst_time_type"), "1", "{zone}");
                assert_eq!(get(&applied, "local_time.start_time"), *start, "{zone}");
                assert_eq!(get(&applied, "local_time.end_time"), *end, "{zone}");
                assert_eq!(get(&applied, "local_time.offset_time"), "60", "{zone}");
            }
            None => {
                assert_eq!(get(&applied, "local_time.summer_time"), "0", "{zone}");
                assert_eq!(
                    get(&applied, "local_time.start_time"),
                    "(not set)",
                    "{zone}"
                );
            }
        }
    }
    store.close().await;
}

/// The files of a T46S (two accounts, a backup server, the branch's port), a T54W (no backup)
/// and a T77U, byte for byte (`fixtures/golden/yealink/`, reviewed by eye; regenerate with
/// `PHONEPROV_UPDATE_GOLDEN=1` after a deliberate template change), on SQLite and PostgreSQL.
#[tokio::test]
async fn yealink_golden_files_match_byte_for_byte() {
    let update = std::env::var_os("PHONEPROV_UPDATE_GOLDEN").is_some();
    for db in common::databases().await {
        let store = db.open().await;
        yealink_store(&store).await;
        let deployment = deployment_of(&store).await;
        let provisioner = builtin();
        for name in [
            "001565aa0001.boot",
            "001565aa0001.cfg",
            "y000000000066.cfg",
            "44dbd2aa0002.boot",
            "44dbd2aa0002.cfg",
            "y000000000096.cfg",
            "805ec0aa0003.boot",
            "805ec0aa0003.cfg",
            "y000000000188.cfg",
        ] {
            let rendered = content(&provisioner, &deployment, name).expect(name);
            let path = common::fixture_path(&format!("golden/yealink/{name}"));
            if update {
                std::fs::write(&path, &rendered).unwrap();
            }
            let golden = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{} missing", path.display()));
            assert_eq!(rendered, golden, "{name} on {:?}", db.backend);
        }
        store.close().await;
    }
}

/// A Yealink phone uploads the changes made on it as `<mac>-local.cfg` (Administrator's Guide for
/// SIP-T2/T4/T5 Series, "MAC-local CFG File": made only with
/// `static.auto_provision.custom.protect` on, uploaded "each time the file updates" and read back
/// at provisioning with `static.auto_provision.custom.sync` on, where it keeps the user's
/// settings): it is stored without what would redirect or log in the phone, shown with the
/// phone, read back by that phone only, and without what the phone's own file sets, so the
/// server's values still apply where the admin set them.
#[tokio::test]
async fn a_yealink_phones_own_changes_are_kept_for_it_alone_and_the_servers_values_still_win() {
    let server = yealink_server(&["--admin-token", TOKEN]).await;
    let agent = "User-Agent: Yealink SIP-T46S 66.86.0.15 00:15:65:aa:00:01";
    let url = |name: &str| format!("{}/{name}", server.base);
    let from = |source: &str, name: &str| curl(&url(name), &["--interface", source, "-H", agent]);
    assert_eq!(from("127.0.0.1", "001565aa0001.boot").status, 200);
    let phone_file = String::from_utf8(from("127.0.0.1", "001565aa0001.cfg").body).unwrap();
    for line in [
        "static.auto_provision.custom.protect = 1",
        "static.auto_provision.custom.sync = 1",
    ] {
        assert!(phone_file.lines().any(|l| l == line), "{line}");
    }

    let changes = "#!version:1.0.0.1\n\
        phone_setting.backlight_time = 60\n\
        local_time.time_zone = +8\n\
        account.1.sip_server.1.address = 203.0.113.9\n\
        account.1.password = planted\n";
    let file = server.db.dir.path().join("local.cfg");
    std::fs::write(&file, changes).unwrap();
    let put_from = |source: &str| {
        curl(
            &url("001565aa0001-local.cfg"),
            &[
                "--interface",
                source,
                "-H",
                agent,
                "-T",
                file.to_str().unwrap(),
            ],
        )
    };
    let put = put_from("127.0.0.1");
    assert_eq!(put.status, 204, "{}", String::from_utf8_lossy(&put.body));

    // Stored without the server and the password; shown with the phone.
    let detail = json(&api(&server, "GET", "/phones/001565aa0001", &[]));
    let uploads = detail["uploads"].as_array().unwrap();
    assert_eq!(uploads.len(), 1, "{detail}");
    assert_eq!(uploads[0]["name"], "001565aa0001-local.cfg");
    let stored = api(
        &server,
        "GET",
        "/phones/001565aa0001/uploads/001565aa0001-local.cfg",
        &[],
    );
    assert_eq!(
        String::from_utf8(stored.body).unwrap(),
        "#!version:1.0.0.1\nphone_setting.backlight_time = 60\nlocal_time.time_zone = +8\n"
    );

    // The phone reads back its own change, not the time zone its site sets.
    let read_back = from("127.0.0.1", "001565aa0001-local.cfg");
    assert_eq!(read_back.status, 200);
    assert_eq!(
        String::from_utf8(read_back.body).unwrap(),
        "#!version:1.0.0.1\nphone_setting.backlight_time = 60\n"
    );
    // Another address gets nothing, nor can it plant one.
    assert_eq!(from("127.0.0.2", "001565aa0001-local.cfg").status, 404);
    let planted = put_from("127.0.0.2");
    assert_ne!(planted.status, 204);
    // What is not a configuration file is refused, and the stored one stays.
    std::fs::write(&file, "not a configuration\n").unwrap();
    let bad = put_from("127.0.0.1");
    assert_eq!(bad.status, 403);
    assert_eq!(
        String::from_utf8(from("127.0.0.1", "001565aa0001-local.cfg").body).unwrap(),
        "#!version:1.0.0.1\nphone_setting.backlight_time = 60\n"
    );
}

/// Yealink phones carry a unique device certificate naming their MAC, and a generic one every
/// Yealink shares, sent when no unique one exists ("Using Security Certificates on Yealink IP
/// Phones", V83; Yealink CP960 administrator's guide, "Device Certificates"): only a certificate
/// naming the phone's own MAC is its identity. The generic certificate (its subject names no
/// MAC; here `O=Yealink Network Technology, CN=Yealink Generic Device Certificate`) gets no
/// phone's files, neither its boot file nor its accounts, and neither does another phone's.
#[tokio::test]
async fn the_generic_yealink_certificate_is_no_phones_identity() {
    let pki = common::pki::Pki::new();
    pki.client_with_subject(
        "yealink-unique",
        "/O=Yealink Network Technology/CN=001565aa0001",
    );
    pki.client_with_subject(
        "yealink-generic",
        "/O=Yealink Network Technology/CN=Yealink Generic Device Certificate",
    );
    pki.client_with_subject(
        "yealink-other",
        "/O=Yealink Network Technology/CN=44dbd2aa0002",
    );
    let ca = pki.path("ca.pem");
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    store.close().await;
    let args = pki.https_serve_args(TOKEN, &["--tls-client-ca", &ca]);
    let server = start_on(db, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let https = server.https.clone().expect("HTTPS started");
    let with = |certificate: &str, file: &str| {
        let (c, k) = (
            pki.path(&format!("{certificate}.pem")),
            pki.path(&format!("{certificate}.key")),
        );
        curl(
            &format!("{https}/{file}"),
            &["--cacert", &ca, "--cert", &c, "--key", &k],
        )
        .status
    };
    for certificate in ["yealink-generic", "yealink-other"] {
        for file in ["001565aa0001.boot", "001565aa0001.cfg"] {
            assert_eq!(with(certificate, file), 404, "{certificate}: {file}");
        }
    }
    assert_eq!(with("yealink-unique", "001565aa0001.boot"), 200);
    assert_eq!(with("yealink-unique", "001565aa0001.cfg"), 200);
    // A file of no phone (the model's common file) goes to any verified client.
    assert_eq!(with("yealink-generic", "y000000000066.cfg"), 200);
    assert!(
        !server
            .await_log_lines("the client certificate names no phone")
            .await
            .is_empty(),
        "the refusal says why"
    );
}

/// Keys on Yealink phones as the guides spell them (Administrator's Guide for SIP-T5 Series,
/// "BLF Key Configuration": `linekey.X.type=16`, `linekey.X.line=1`, `linekey.X.value=1001`,
/// `linekey.X.label=Bill`; SIP-T2/T4 Series guide, "DSS Keys": "The digit 5 stands for the key
/// type DND", 13 speed dial, 15 line; expansion-module keys `expansion_module.X.key.Y.*` with
/// the same codes): a T46S's 27 line keys, then its EXP40 modules' keys; a T31G (2 line keys,
/// no module) refuses a third key, and a key kind Yealink lacks is refused, with line and column.
#[tokio::test]
async fn yealink_keys_are_written_with_yealinks_type_codes_and_refused_where_the_model_lacks_them()
{
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    import(
        &store,
        "extension,display_name,mac,model,line\n305,Lobby,001565aa0031,T31G,1\n",
    )
    .await;
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| common::write_file(dir.path(), name, text);
    let keys = "mac,key,type,value,label\n\
        001565aa0001,3,blf,303,Cy\n\
        001565aa0001,4,speeddial,5551234,Taxi\n\
        001565aa0001,5,park,700,Park 1\n\
        001565aa0001,6,pickup,304,Di\n\
        001565aa0001,7,dnd,,\n\
        001565aa0001,8,line,2,Second\n\
        001565aa0001,28,blf,304,Di\n\
        001565aa0001,68,speeddial,5550000,\n";
    let refused = db.run(&[
        "keys",
        "import",
        &write(
            "bad.csv",
            &format!(
                "{keys}001565aa0031,3,blf,301,\n001565aa0001,9,voicemail,301,\n\
                 001565aa0001,10,line,17,\n"
            ),
        ),
    ]);
    assert!(!refused.status.success());
    let said = common::stderr(&refused);
    for expected in [
        "line 10, column key: key 3 is beyond the 2 keys of a T31G: 2 line keys (it takes no expansion module)",
        "line 11, column type: Yealink phones have no transfer-to-voice-mail key",
        "line 12, column value: a line key takes an account number from 1 to 16 on a T46S, not \"17\"",
    ] {
        assert!(said.contains(expected), "{expected}\n{said}");
    }
    let imported = db.run(&["keys", "import", &write("keys.csv", keys)]);
    common::assert_success(&imported, "keys import");

    let store = db.open().await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let (_, t46s) = yealink_applies(&provisioner, &deployment, "001565aa0001");
    for (name, value) in [
        ("linekey.3.type", "16"),
        ("linekey.3.line", "1"),
        ("linekey.3.value", "303"),
        ("linekey.3.label", "Cy"),
        ("linekey.4.type", "13"),
        ("linekey.4.value", "5551234"),
        ("linekey.5.type", "10"),
        ("linekey.5.value", "700"),
        ("linekey.6.type", "9"),
        ("linekey.6.value", "304"),
        ("linekey.7.type", "5"),
        ("linekey.8.type", "15"),
        ("linekey.8.line", "2"),
        ("expansion_module.1.key.1.type", "16"),
        ("expansion_module.1.key.1.value", "304"),
        ("expansion_module.2.key.1.type", "13"),
        ("expansion_module.2.key.1.value", "5550000"),
    ] {
        assert_eq!(get(&t46s, name), value, "{name}");
    }
    assert_eq!(
        get(&t46s, "linekey.7.value"),
        "(not set)",
        "DND takes no value"
    );
    // Keys not programmed are left out: the phone keeps its factory line keys there.
    assert_eq!(get(&t46s, "linekey.1.type"), "(not set)");
    store.close().await;
}

/// Settings for Yealink phones: a raw Yealink parameter is checked against the Yealink catalogue
/// (`sip.notify_reboot_enable` takes 0, 1 or 2: Yealink T5 guide, "Rebooting Issues"), and
/// `@codecs` is written on every account of the phone (`account.X.codec.<codec>.enable` and
/// `.priority`, as the peers' templates for firmware 82 and later write them; the index form
/// `account.X.codec.Y.*` is "only applicable to the IP phones running firmware version 81 or
/// prior", SIP-T2 Series guide), the codecs left out disabled.
#[tokio::test]
async fn yealink_settings_are_checked_against_the_catalogue_and_codecs_go_on_every_account() {
    use phoneprov::import::{ImportOptions, import_settings};
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    let refused = import_settings(
        &store,
        b"scope,target,parameter,value\nvendor,yealink,yealink:sip.notify_reboot_enable,5\n",
        &ImportOptions::by("test"),
    )
    .await
    .expect_err("out of range");
    let phoneprov::import::ImportError::Rejected(errors) = refused else {
        panic!("{refused}");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 2);
    assert!(errors[0].message.contains("0 to 2"), "{errors:?}");
    import_settings(
        &store,
        b"scope,target,parameter,value\n\
          vendor,yealink,@codecs,\"g722,pcmu\"\n\
          vendor,yealink,yealink:features.pickup.direct_pickup_code,*97\n",
        &ImportOptions::by("test"),
    )
    .await
    .unwrap();
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let (_, t46s) = yealink_applies(&provisioner, &deployment, "001565aa0001");
    for n in ["1", "2"] {
        let k = |rest: &str| format!("account.{n}.codec.{rest}");
        assert_eq!(get(&t46s, &k("g722.enable")), "1");
        assert_eq!(get(&t46s, &k("g722.priority")), "1");
        assert_eq!(get(&t46s, &k("pcmu.enable")), "1");
        assert_eq!(get(&t46s, &k("pcmu.priority")), "2");
        assert_eq!(get(&t46s, &k("pcma.enable")), "0");
        assert_eq!(get(&t46s, &k("g729.enable")), "0");
    }
    assert_eq!(get(&t46s, "account.3.codec.g722.enable"), "(not set)");
    assert_eq!(get(&t46s, "features.pickup.direct_pickup_code"), "*97");
    store.close().await;
}

/// Files that need an absolute URL name phoneprov's web URL as phones reach it: the phone book
/// (Yealink T5 guide, "Remote Phone Book": `remote_phonebook.data.X.url`, the URL of the
/// `YealinkIPPhoneDirectory` file, and `.name`), served to that phone alone like every
/// directory; and the image the admin pinned for the model (`static.firmware.url`: the access
/// URL of the firmware file, T4 guide, "Firmware Upgrade"), fetched from the firmware folder.
#[tokio::test]
async fn a_yealink_phone_is_pointed_at_its_phone_book_and_its_pinned_firmware_by_url() {
    let server = yealink_server(&[
        "--admin-token",
        TOKEN,
        "--server-address",
        "127.0.0.1",
        "--firmware-pin",
        "T46S=yealink/T46S-66.86.0.15.rom",
    ])
    .await;
    let image: Vec<u8> = (0..40_000u32).map(|i| (i % 253) as u8).collect();
    let firmware = server.db.dir.path().join("firmware/yealink");
    std::fs::create_dir_all(&firmware).unwrap();
    std::fs::write(firmware.join("T46S-66.86.0.15.rom"), &image).unwrap();
    let agent = "User-Agent: Yealink SIP-T46S 66.86.0.15 00:15:65:aa:00:01";
    let from = |source: &str, url: &str| curl(url, &["--interface", source, "-H", agent]);
    let web = format!("http://127.0.0.1:{}/", server.http_port());
    assert_eq!(
        from("127.0.0.1", &format!("{web}001565aa0001.boot")).status,
        200
    );
    let own = from("127.0.0.1", &format!("{web}001565aa0001.cfg"));
    assert_eq!(own.status, 200);
    let own = String::from_utf8(own.body).unwrap();
    let value = |key: &str| {
        own.lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{key} in {own}"))
            .to_string()
    };
    let book = value("remote_phonebook.data.1.url");
    assert_eq!(book, format!("{web}001565aa0001-phonebook.xml"));
    assert_eq!(value("remote_phonebook.data.1.name"), "Company");
    let listed = from("127.0.0.1", &book);
    assert_eq!(listed.status, 200);
    let listed = String::from_utf8(listed.body).unwrap();
    assert!(listed.contains("<YealinkIPPhoneDirectory>"), "{listed}");
    assert!(listed.contains("<Telephone>303</Telephone>"), "{listed}");
    assert_eq!(from("127.0.0.2", &book).status, 404, "another address");

    let url = value("static.firmware.url");
    assert_eq!(url, format!("{web}yealink/T46S-66.86.0.15.rom"));
    let fetched = from("127.0.0.1", &url);
    assert_eq!((fetched.status, fetched.body.len()), (200, image.len()));
    // A model with no pin keeps its firmware: no URL at all.
    let t54w_agent = "User-Agent: Yealink SIP-T54W 96.86.0.100 44:db:d2:aa:00:02";
    let t54w = |name: &str| {
        curl(
            &format!("{web}{name}"),
            &["--interface", "127.0.0.1", "-H", t54w_agent],
        )
    };
    assert_eq!(t54w("44dbd2aa0002.boot").status, 200);
    let t54w = String::from_utf8(t54w("44dbd2aa0002.cfg").body).unwrap();
    assert!(!t54w.contains("static.firmware.url"), "{t54w}");
}

/// `publish` sends a Yealink phone's files (its boot file, its model's common file, its own
/// file) byte for byte as phoneprov renders them, and `check` renders them: a template override
/// that fails on one phone's data is reported, naming that phone's file.
#[tokio::test]
async fn publish_sends_yealink_files_and_check_renders_them() {
    let db = sqlite_db();
    let store = db.open().await;
    yealink_store(&store).await;
    let deployment = deployment_of(&store).await;
    store.close().await;
    let provisioner = builtin();
    let folder = tempfile::tempdir().unwrap();
    let target = format!("dir:{}", folder.path().display());
    let out = db.run(&["publish", &target]);
    common::assert_success(&out, "publish");
    for file in [
        "001565aa0001.boot",
        "y000000000066.cfg",
        "001565aa0001.cfg",
        "805ec0aa0003.boot",
        "y000000000188.cfg",
    ] {
        let published = std::fs::read_to_string(folder.path().join(file))
            .unwrap_or_else(|e| panic!("{file} published: {e}"));
        assert_eq!(
            Some(published),
            content(&provisioner, &deployment, file),
            "{file}"
        );
    }

    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    common::assert_success(&out, "check");
    let templates = db.dir.path().join("templates/yealink");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("phone.cfg"),
        "#!version:1.0.0.1\nbackup = {{ accounts[0].backup.address }}\n",
    )
    .unwrap();
    // The override renders the sample (which has a backup server) but not a phone of a site
    // without one: check renders every phone's files and names the one that fails.
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    let said = format!("{}{}", common::stdout(&out), common::stderr(&out));
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("44dbd2aa0002.cfg"), "{said}");
    assert!(
        !said.contains("001565aa0001.cfg"),
        "its site has a backup: {said}"
    );
}

/// A Yealink phone's account file follows the rules every vendor's credential file follows: only
/// inside the provisioning networks, only to the address its boot file (its master file) went
/// to under trust on first use, and behind its phone login (Digest over plain HTTP); its boot
/// file, which holds no secret, goes anywhere.
#[tokio::test]
async fn a_yealink_account_file_follows_the_rules_of_every_credential_file() {
    let server = yealink_server(&[
        "--admin-token",
        TOKEN,
        "--provisioning-network",
        "127.0.0.0/30",
    ])
    .await;
    let trust = send_json(
        &server,
        "PUT",
        "/sites/branch",
        r#"{"trust_first_address": true}"#,
    );
    assert_eq!(
        trust.status,
        200,
        "{}",
        String::from_utf8_lossy(&trust.body)
    );
    let agent = "User-Agent: Yealink SIP-T46S 66.86.0.15 00:15:65:aa:00:01";
    let from = |source: &str, name: &str, extra: &[&str]| {
        let mut args = vec!["--interface", source, "-H", agent];
        args.extend_from_slice(extra);
        curl(&format!("{}/{name}", server.base), &args).status
    };
    // Outside the provisioning networks: the boot file, never the accounts, and no binding.
    assert_eq!(from("127.0.0.9", "001565aa0001.boot", &[]), 200);
    assert_eq!(from("127.0.0.9", "001565aa0001.cfg", &[]), 404);
    // Inside: the first address to fetch the boot file is the phone's.
    assert_eq!(from("127.0.0.2", "001565aa0001.boot", &[]), 200);
    assert_eq!(from("127.0.0.2", "001565aa0001.cfg", &[]), 200);
    assert_eq!(from("127.0.0.3", "001565aa0001.boot", &[]), 200);
    assert_eq!(
        from("127.0.0.3", "001565aa0001.cfg", &[]),
        404,
        "bound elsewhere"
    );
    // With a phone login, the account file needs it (Digest over plain HTTP).
    let login = send_json(
        &server,
        "PUT",
        "/phones/001565aa0001/login",
        r#"{"username": "t46s-desk", "passwords": ["desk-password-1"]}"#,
    );
    assert_eq!(
        login.status,
        204,
        "{}",
        String::from_utf8_lossy(&login.body)
    );
    assert_eq!(from("127.0.0.2", "001565aa0001.cfg", &[]), 401);
    assert_eq!(
        from(
            "127.0.0.2",
            "001565aa0001.cfg",
            &["--digest", "-u", "t46s-desk:desk-password-1"]
        ),
        200
    );
    assert_eq!(
        from(
            "127.0.0.2",
            "001565aa0001.cfg",
            &["--digest", "-u", "t46s-desk:guessed"]
        ),
        401
    );
}
