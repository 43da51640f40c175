//! The inbox of unassigned phones through the real server (issue 21 item 4): a phone of no
//! account asking for its master file over HTTP (with its user agent) or TFTP shows up with its
//! vendor, model, firmware, address and files; a scanner's guesses (a browser's user agent,
//! another vendor's agent, a MAC of no phone vendor, another file name) leave nothing; one
//! address cannot flood it; adoption through the API (extensions on keys, a profile, the model
//! from the user agent) makes the phone boot with its files; the CSV is ready to import.

use crate::common;

use common::server::{Server, TOKEN, api, curl, json, send_json, start_with};

const VVX_AGENT: &str = "User-Agent: FileTransport PolycomVVX-VVX_400-UA/6.4.0.1234";

fn fetch(server: &Server, name: &str, agent: Option<&str>) -> u16 {
    let extra: Vec<&str> = agent.map(|a| vec!["-H", a]).unwrap_or_default();
    curl(&format!("{}/{name}", server.base), &extra).status
}

fn inbox(server: &Server) -> Vec<serde_json::Value> {
    json(&api(server, "GET", "/unassigned", &[]))
        .as_array()
        .unwrap()
        .clone()
}

fn macs(server: &Server) -> Vec<String> {
    inbox(server)
        .iter()
        .map(|e| e["mac"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn unknown_phones_are_listed_and_scanners_are_not() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    assert!(inbox(&server).is_empty());
    // A VVX of no account boots.
    assert_eq!(fetch(&server, "0004f2cc0001.cfg", Some(VVX_AGENT)), 404);
    // What a scanner does leaves nothing.
    assert_eq!(
        fetch(&server, "0004f2cc0002.cfg", Some("User-Agent: Mozilla/5.0")),
        404
    );
    assert_eq!(fetch(&server, "0004f2cc0003.cfg", None), 404);
    let aastra = "User-Agent: Aastra6757i MAC:00-08-5D-CC-00-04 V:3.3.1.4322-SIP";
    assert_eq!(fetch(&server, "0004f2cc0004.cfg", Some(aastra)), 403);
    assert_eq!(fetch(&server, "020000cc0005.cfg", Some(VVX_AGENT)), 404);
    assert_eq!(
        fetch(&server, "0004f2cc0006-phone.cfg", Some(VVX_AGENT)),
        404
    );
    // An Aastra phone of no account, over TFTP (no user agent: its MAC's vendor counts).
    let tftp = curl(&format!("tftp://{}/00085DCC0007.cfg", server.tftp), &[]);
    assert_ne!(tftp.status, 200);
    let listed = inbox(&server);
    let found: Vec<&str> = listed.iter().map(|e| e["mac"].as_str().unwrap()).collect();
    assert_eq!(found.len(), 2, "{listed:?}");
    let vvx = listed.iter().find(|e| e["vendor"] == "polycom").unwrap();
    assert_eq!(vvx["model"], "VVX_400");
    assert_eq!(vvx["firmware"], "6.4.0.1234");
    assert_eq!(vvx["address"], "127.0.0.1");
    assert_eq!(vvx["transport"], "http");
    assert_eq!(vvx["files"], serde_json::json!(["0004f2cc0001.cfg"]));
    let aastra = listed.iter().find(|e| e["vendor"] == "aastra").unwrap();
    assert_eq!(aastra["transport"], "tftp");
    // The shared files it asks for next are listed with it.
    assert_eq!(fetch(&server, "0004f2cc0001.cfg", Some(VVX_AGENT)), 404);
    assert_eq!(fetch(&server, "altigen.cfg", Some(VVX_AGENT)), 200);
    let inbox_now = inbox(&server);
    let vvx = inbox_now.iter().find(|e| e["vendor"] == "polycom").unwrap();
    assert_eq!(vvx["requests"], 2);
    assert_eq!(
        vvx["files"],
        serde_json::json!(["0004f2cc0001.cfg", "altigen.cfg"])
    );

    // One address cannot flood it.
    for i in 0..60 {
        fetch(&server, &format!("0004f2bb{i:04x}.cfg"), Some(VVX_AGENT));
    }
    let from_one: Vec<String> = macs(&server);
    assert!(from_one.len() <= 32, "{} entries", from_one.len());

    // Dismissing drops one.
    let mac = &from_one[0];
    assert_eq!(
        api(&server, "DELETE", &format!("/unassigned/{mac}"), &[]).status,
        204
    );
    assert!(!macs(&server).contains(mac));
    assert_eq!(
        api(&server, "DELETE", &format!("/unassigned/{mac}"), &[]).status,
        404
    );
}

#[tokio::test]
async fn an_adopted_phone_boots_with_its_files() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    assert_eq!(fetch(&server, "0004f2cc0101.cfg", Some(VVX_AGENT)), 404);
    // The CSV lists it ready to be filled in.
    let csv = String::from_utf8(api(&server, "GET", "/unassigned.csv", &[]).body).unwrap();
    assert_eq!(
        csv,
        "extension,display_name,mac,model,line\n,,0004f2cc0101,VVX_400,1\n"
    );
    // Adoption needs an extension; a bad profile name refuses it whole.
    let refused = send_json(
        &server,
        "POST",
        "/unassigned/0004f2cc0101/adopt",
        r#"{"lines": {}}"#,
    );
    assert_eq!(refused.status, 422);
    assert_eq!(json(&refused)["details"][0]["field"], "lines");
    let refused = send_json(
        &server,
        "POST",
        "/unassigned/0004f2cc0101/adopt",
        r#"{"lines": {"1": "201"}, "profile": "no spaces allowed"}"#,
    );
    assert_eq!(
        refused.status,
        422,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    assert_eq!(
        api(&server, "GET", "/phones/0004f2cc0101", &[]).status,
        404,
        "nothing written"
    );
    let adopted = send_json(
        &server,
        "POST",
        "/unassigned/0004f2cc0101/adopt",
        r#"{"lines": {"1": "201"}, "profile": "lobby"}"#,
    );
    assert_eq!(
        adopted.status,
        200,
        "{}",
        String::from_utf8_lossy(&adopted.body)
    );
    let phone = json(&api(&server, "GET", "/phones/0004f2cc0101", &[]));
    assert_eq!(phone["model"], "VVX_400", "{phone}");
    let settings = json(&api(&server, "GET", "/phones/0004f2cc0101/settings", &[]));
    assert_eq!(settings["profile"], "lobby");
    assert!(inbox(&server).is_empty());
    // It boots with its files.
    let master = curl(
        &format!("{}/0004f2cc0101.cfg", server.base),
        &["-H", VVX_AGENT],
    );
    assert_eq!(master.status, 200);
    assert!(String::from_utf8_lossy(&master.body).contains("201.cfg"));
    assert_eq!(fetch(&server, "201.cfg", Some(VVX_AGENT)), 200);
}

/// Issue 32 item 7: a building's VVX 411 shows up in the inbox with its model, and adopting it
/// with a number that does not exist yet creates the extension (display name, site, a generated
/// SIP password) in the same transaction; without a display name, or with a bad site, nothing
/// is written and the field is named.
#[tokio::test]
async fn adoption_creates_the_extension_it_names() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let agent = "User-Agent: FileTransport PolycomVVX-VVX_411-UA/6.4.6.2010";
    assert_eq!(fetch(&server, "0004f2cc0411.cfg", Some(agent)), 404);
    let listed = inbox(&server);
    assert_eq!(listed[0]["model"], "VVX_411", "{listed:?}");
    assert_eq!(api(&server, "GET", "/extensions/377", &[]).status, 404);

    let path = "/unassigned/0004f2cc0411/adopt";
    let refused = send_json(&server, "POST", path, r#"{"lines": {"1": "377"}}"#);
    assert_eq!(refused.status, 422);
    let detail = &json(&refused)["details"][0];
    assert_eq!(detail["field"], "lines.1", "{detail}");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("give its display name"),
        "{detail}"
    );
    let refused = send_json(
        &server,
        "POST",
        path,
        r#"{"lines": {"1": "377"}, "new_extensions": {"377": {"display_name": "Lobby", "site": "no spaces"}}}"#,
    );
    assert_eq!(refused.status, 422);
    assert_eq!(
        json(&refused)["details"][0]["field"],
        "new_extensions.377.site"
    );
    assert_eq!(api(&server, "GET", "/extensions/377", &[]).status, 404);
    assert_eq!(api(&server, "GET", "/phones/0004f2cc0411", &[]).status, 404);

    let adopted = send_json(
        &server,
        "POST",
        path,
        r#"{"lines": {"1": "377"}, "new_extensions": {"377": {"display_name": "Lobby phone"}}}"#,
    );
    assert_eq!(
        adopted.status,
        200,
        "{}",
        String::from_utf8_lossy(&adopted.body)
    );
    let extension = json(&api(&server, "GET", "/extensions/377", &[]));
    assert_eq!(extension["display_name"], "Lobby phone", "{extension}");
    assert_eq!(extension["home_site"], "default", "{extension}");
    let password = json(&api(&server, "GET", "/extensions/377/password", &[]));
    let password = password["password"].as_str().unwrap().to_string();
    assert!(password.len() >= 12, "a generated password: {password}");
    let phone = json(&api(&server, "GET", "/phones/0004f2cc0411", &[]));
    assert_eq!(phone["model"], "VVX_411", "{phone}");
    assert!(inbox(&server).is_empty());
    // It boots with the new extension's registration.
    let master = curl(&format!("{}/0004f2cc0411.cfg", server.base), &["-H", agent]);
    assert_eq!(master.status, 200);
    assert!(String::from_utf8_lossy(&master.body).contains("377.cfg"));
    let line_file = curl(&format!("{}/377.cfg", server.base), &["-H", agent]);
    assert_eq!(line_file.status, 200);
    let text = String::from_utf8_lossy(&line_file.body);
    assert!(text.contains("reg.1.address=\"377\""), "{text}");
}
