//! Central voice mail and sites from the config file, through the real binary. MWI subscription
//! and call-back go to the central voice mail server (even where a site has its own), to its
//! backup while it is marked down, and back when marked up; the mark survives a restart and a
//! switchover does not move voice mail. `[[site]]` and `[voicemail]` in the config file are
//! applied at start (audited once, not again on an unchanged restart); a bad one stops the
//! server naming the site and field.

use crate::common;

use common::server::{
    Server, TOKEN, api, boot_every_phone, curl, json, merge_csv, send_json, start_on, start_with,
    yealink_value,
};

/// `(subscribe, callBack)` of line 1 in a Polycom extension file.
fn mwi(server: &Server, file: &str) -> (String, String) {
    boot_every_phone(server);
    let reply = curl(&format!("{}/{file}", server.base), &[]);
    assert_eq!(reply.status, 200, "{file}");
    let text = String::from_utf8(reply.body).unwrap();
    let value = |key: &str| {
        let prefix = format!("{key}=\"");
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix.as_str()))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{file} has no {key}"))
            .to_string()
    };
    (value("msg.mwi.1.subscribe"), value("msg.mwi.1.callBack"))
}

fn targets(server: &Server) -> [String; 2] {
    [mwi(server, "201.cfg").0, mwi(server, "3001.cfg").0]
}

/// The Yealink T46S [`central_voicemail_and_its_backup_while_marked_down`] puts branch extension
/// 3002 on: its message key and message-waiting subscription go to `voice_mail.number.1`.
const YEALINK: &str = "001565aa3002.cfg";

/// Where the Yealink phone's account 1 subscribes for message waiting (and its message key dials).
fn yealink_voicemail(server: &Server) -> String {
    boot_every_phone(server);
    assert_eq!(
        yealink_value(server, YEALINK, "account.1.subscribe_mwi_to_vm"),
        "1"
    );
    yealink_value(server, YEALINK, "voice_mail.number.1")
}

#[tokio::test]
async fn central_voicemail_and_its_backup_while_marked_down() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    merge_csv(
        &server,
        "extension,display_name,password,mac,model,site,line\n\
         3002,Branch Yealink,branch-secret-3002,001565aa3002,SIP-T46S,branch,1\n",
    );
    // No central server: each site's own (default: its call server; branch: 10.20.0.6).
    assert_eq!(targets(&server), ["201@10.10.0.5", "3001@10.20.0.6"]);
    assert_eq!(yealink_voicemail(&server), "##@10.20.0.6");
    assert_eq!(
        api(&server, "POST", "/voicemail/down", &[]).status,
        409,
        "nothing to mark"
    );

    let set = send_json(
        &server,
        "PUT",
        "/voicemail",
        r#"{"central": "10.90.0.1", "backup": "10.90.0.2"}"#,
    );
    assert_eq!(set.status, 200);
    assert_eq!(json(&set)["in_use"], "10.90.0.1");
    assert_eq!(targets(&server), ["201@10.90.0.1", "3001@10.90.0.1"]);
    assert_eq!(mwi(&server, "201.cfg").1, "##@10.90.0.1");
    assert_eq!(yealink_voicemail(&server), "##@10.90.0.1");

    let down = api(&server, "POST", "/voicemail/down", &[]);
    assert_eq!(down.status, 200);
    assert_eq!(json(&down)["in_use"], "10.90.0.2");
    assert_eq!(targets(&server), ["201@10.90.0.2", "3001@10.90.0.2"]);
    assert_eq!(mwi(&server, "3001.cfg").1, "##@10.90.0.2");
    assert_eq!(yealink_voicemail(&server), "##@10.90.0.2", "the backup");
    assert_eq!(
        api(&server, "POST", "/voicemail/down", &[]).status,
        409,
        "once"
    );

    // The mark is in the database.
    let server = server.restart();
    assert_eq!(targets(&server), ["201@10.90.0.2", "3001@10.90.0.2"]);
    assert_eq!(
        json(&api(&server, "GET", "/voicemail", &[]))["central_down"],
        true
    );

    // A switchover moves registration, never voice mail.
    send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"alternate_site": "branch"}"#,
    );
    send_json(
        &server,
        "PUT",
        "/extensions/201/switchover",
        r#"{"enabled": true}"#,
    );
    assert_eq!(
        api(&server, "POST", "/sites/default/switchover", &[]).status,
        200
    );
    assert_eq!(mwi(&server, "201.cfg").0, "201@10.90.0.2");

    let up = api(&server, "POST", "/voicemail/up", &[]);
    assert_eq!(up.status, 200);
    assert_eq!(targets(&server), ["201@10.90.0.1", "3001@10.90.0.1"]);
    assert_eq!(yealink_voicemail(&server), "##@10.90.0.1", "back");

    let bad = send_json(&server, "PUT", "/voicemail", r#"{"central": "a b"}"#);
    assert_eq!(bad.status, 422);
    assert_eq!(api(&server, "POST", "/voicemail/sideways", &[]).status, 404);
    let audit = json(&api(&server, "GET", "/audit?limit=20", &[]));
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| a.starts_with("voicemail"))
        .collect();
    assert_eq!(actions, ["voicemail-up", "voicemail-down", "voicemail-set"]);
}

const CONFIG: &str = r#"
admin_token = "test-admin-token-0123456789"
firmware_pin = ["VVX_400=vvx/5.9.7/sip.ld"]

[voicemail]
central = "10.91.0.1"
backup = "10.91.0.2"

[[site]]
name = "north"
sip_port = 5060
call_servers = [{ address = "10.70.0.1" }, { address = "10.70.0.2", port = 5070 }]
alternate_site = "south"

[[site]]
name = "south"
sip_server = "10.71.0.1"
alternate_site = "north"
time_zone = "Australia/Sydney"
recheck = "off"
"#;

fn config_actions(server: &Server) -> Vec<String> {
    json(&api(server, "GET", "/audit?limit=50", &[]))
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "config-file")
        .map(|e| {
            format!(
                "{} {}",
                e["action"].as_str().unwrap(),
                e["subject"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn sites_and_voicemail_come_from_the_config_file() {
    let db = common::sqlite_db();
    let path = db.dir.path().join("phoneprov.toml");
    std::fs::write(&path, CONFIG).unwrap();
    let config = path.to_str().unwrap().to_string();
    let server = start_on(db, &["--config", &config]);
    let north = json(&api(&server, "GET", "/sites/north", &[]));
    assert_eq!(north["call_servers"][1]["address"], "10.70.0.2");
    assert_eq!(north["call_servers"][1]["port"], 5070);
    assert_eq!(north["alternate_site"], "south");
    let south = json(&api(&server, "GET", "/sites/south", &[]));
    assert_eq!(south["sip_server"], "10.71.0.1");
    assert_eq!(south["alternate_site"], "north");
    assert_eq!(south["time_zone"], "Australia/Sydney");
    assert_eq!(south["recheck"], "off");
    // A firmware pin from the file: the default master names the VVX 400's pinned image.
    let vvx = curl(&format!("{}/000000000000.cfg", server.base), &[]);
    assert!(
        String::from_utf8_lossy(&vvx.body).contains(r#"APP_FILE_PATH_VVX400="vvx/5.9.7/sip.ld""#),
        "{}",
        String::from_utf8_lossy(&vvx.body)
    );
    assert_eq!(
        json(&api(&server, "GET", "/voicemail", &[]))["central"],
        "10.91.0.1"
    );
    let applied = config_actions(&server);
    assert_eq!(
        applied,
        [
            "voicemail-set voicemail",
            "site-update south",
            "site-update north",
            "site-create south",
            "site-create north",
        ]
    );

    // An admin's change stands until the file says otherwise; an unchanged file writes nothing.
    let server = server.restart();
    assert_eq!(config_actions(&server), applied);
    let db = server.stop();

    for (bad, says) in [
        (
            "[[site]]\nname = \"x\"\ncall_servers = [{ address = \"a b\" }]\n",
            "config file site x: invalid site settings: call_servers: \"a b\" is not a host name or address",
        ),
        (
            "[[site]]\nname = \"x\"\nsip_prot = 5060\n",
            "unknown field `sip_prot`",
        ),
        (
            "[[site]]\nname = \"bad name\"\n",
            "config file [[site]] number 1",
        ),
        (
            "[[site]]\nname = \"x\"\ntime_zone = \"Nowhere/X\"\n",
            "config file site x: invalid site settings: time_zone: \"Nowhere/X\" is not a time zone",
        ),
        (
            "firmware_pin = [\"VVX_999=x.ld\"]\n",
            "firmware pin \"VVX_999=x.ld\": no model",
        ),
        (
            "[voicemail]\ncentral = \"a/b\"\n",
            "\"a/b\" is not a host name or address",
        ),
    ] {
        let path = db.dir.path().join("bad.toml");
        std::fs::write(&path, bad).unwrap();
        let out = db
            .command()
            .args([
                "serve",
                "--config",
                path.to_str().unwrap(),
                "--http-listen",
                "127.0.0.1:0",
            ])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad}");
        let message = common::stderr(&out);
        assert!(message.contains(says), "{bad}: {message}");
    }
}
