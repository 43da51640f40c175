//! The Poly phones sold today through the real server (issue 31 items 10 and 11): an Edge E and a
//! CCX of no account wait in the inbox with their model (the CCX's user agent carries its MAC as
//! serial number, and one naming another phone is refused); a Poly phone on OBi-based firmware
//! (VVX OBi Edition, D230, Edge B) is refused by name, in the answer, the log and the inbox, is
//! never sent VVX files even once it is in the database, and cannot be adopted.

use crate::common;

use common::server::{Server, TOKEN, api, curl, json, merge_csv, send_json, start_with};
use common::visitor::{Visitor, text};

const EDGE_AGENT: &str =
    "User-Agent: FileTransport PolyEdge-Edge_E450-UA/8.0.0.15602 Type/Application";
const OBI_AGENT: &str = "User-Agent: Poly/PolyEdgeB20-1.1.0.1234 (64167f0b2001)";

fn ccx_agent(serial: &str) -> String {
    format!(
        "User-Agent: FileTransport PolyCCX-CCX_600-UA/8.0.2.3267 (SN:{serial}) Type/Application"
    )
}

fn fetch(server: &Server, name: &str, agent: &str) -> common::server::Reply {
    curl(&format!("{}/{name}", server.base), &["-H", agent])
}

fn inbox_entry(server: &Server, mac: &str) -> serde_json::Value {
    let listed = json(&api(server, "GET", "/unassigned", &[]));
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["mac"] == mac)
        .cloned()
        .unwrap_or_else(|| panic!("{mac} not in the inbox: {listed}"))
}

#[tokio::test]
async fn edge_e_and_ccx_phones_are_known_and_obi_firmware_is_refused_by_name() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    // An Edge E450 and a CCX 600 of no account: listed with their models.
    assert_eq!(fetch(&server, "64167f0e4501.cfg", EDGE_AGENT).status, 404);
    assert_eq!(
        fetch(&server, "482567c60601.cfg", &ccx_agent("482567c60601")).status,
        404
    );
    let edge = inbox_entry(&server, "64167f0e4501");
    assert_eq!(
        (edge["vendor"].as_str(), edge["model"].as_str()),
        (Some("polycom"), Some("Edge_E450"))
    );
    assert_eq!(edge["unsupported"], serde_json::Value::Null);
    assert_eq!(inbox_entry(&server, "482567c60601")["model"], "CCX_600");
    // A CCX whose serial number names another phone is refused.
    assert_eq!(
        fetch(&server, "482567c60602.cfg", &ccx_agent("482567c60699")).status,
        403
    );

    // A Poly phone on OBi-based firmware: refused by name, logged, listed with the reason.
    let refused = fetch(&server, "64167f0b2001.cfg", OBI_AGENT);
    assert_eq!(refused.status, 403);
    let said = String::from_utf8_lossy(&refused.body).to_string();
    assert!(
        said.contains("OBi-based firmware") && said.contains("does not serve"),
        "{said}"
    );
    let logged = server.await_log_lines("OBi-based firmware").await;
    assert!(logged.iter().any(|l| l.contains("EdgeB20")), "{logged:?}");
    let obi = inbox_entry(&server, "64167f0b2001");
    assert_eq!(obi["model"], serde_json::Value::Null, "no VVX model: {obi}");
    assert!(
        obi["unsupported"]
            .as_str()
            .is_some_and(|why| why.contains("OBi-based firmware")),
        "{obi}"
    );
    // It cannot be adopted: its files would never reach it.
    let adopt = send_json(
        &server,
        "POST",
        "/unassigned/64167f0b2001/adopt",
        r#"{"lines": {"1": "201"}}"#,
    );
    assert_eq!(
        adopt.status,
        422,
        "{}",
        String::from_utf8_lossy(&adopt.body)
    );
    assert_eq!(json(&adopt)["details"][0]["field"], "mac");
    // The inbox page says so and offers no adoption.
    let visitor = Visitor::new(&server);
    visitor.log_in();
    let page = text(&visitor.get("/admin/unassigned"));
    assert!(
        page.contains("Not supported: a Poly phone on OBi-based firmware"),
        "{page}"
    );
    assert!(!page.contains("/admin/unassigned/64167f0b2001/adopt"));

    // Even in the database (imported as a VVX 450), it is sent no VVX file.
    merge_csv(
        &server,
        "extension,display_name,mac,model\n299,Obi Desk,64167f0b2001,VVX_450\n",
    );
    for name in ["64167f0b2001.cfg", "64167f0b2001-settings.cfg", "299.cfg"] {
        assert_eq!(fetch(&server, name, OBI_AGENT).status, 403, "{name}");
    }
    // The same phone on VVX firmware gets its files.
    let vvx = "User-Agent: FileTransport PolycomVVX-VVX_450-UA/6.4.6.1234 Type/Application";
    let master = fetch(&server, "64167f0b2001.cfg", vvx);
    assert_eq!(master.status, 200);
    assert!(String::from_utf8_lossy(&master.body).contains(r#"APP_FILE_PATH="uc6/sip.ld""#));
}
