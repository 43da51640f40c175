//! A new admin's first day (issue 21): what they try first answers helpfully.

use crate::common;

use common::server::{TOKEN, api, curl, json, start_with};
use common::stdout;

#[tokio::test]
async fn the_server_address_opens_the_admin_page_and_a_mac_is_found_in_any_notation() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let front = curl(&format!("{}/", server.base), &[]);
    assert_eq!(front.status, 303);
    assert_eq!(front.header("location").as_deref(), Some("/admin"));
    for notation in [
        "00-04-f2-14-ab-37",
        "00:04:F2:14:AB:37",
        "0004.f214.ab37",
        "0004f214",
    ] {
        let found = json(&api(&server, "GET", &format!("/phones?q={notation}"), &[]));
        let macs: Vec<&str> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["mac"].as_str())
            .collect();
        assert!(
            macs.iter().any(|m| m.replace(':', "") == "0004f214ab37"),
            "{notation}: {macs:?}"
        );
    }
}

#[test]
fn an_empty_lease_list_says_so() {
    let db = common::sqlite_db();
    let out = db.run(&["leases"]);
    common::assert_success(&out, "leases");
    assert!(
        stdout(&out).starts_with("no DHCP leases"),
        "{}",
        stdout(&out)
    );
}

/// `phoneprov templates dump` gives the built-in templates to start an override from, without
/// opening a database, and never overwrites an admin's file unless told to.
#[test]
fn the_built_in_templates_can_be_dumped() {
    let db = common::sqlite_db();
    let out = db.run(&["templates", "dump"]);
    common::assert_success(&out, "templates dump");
    let folder = db.dir.path().join("templates");
    for template in phoneprov::render::templates() {
        assert_eq!(
            std::fs::read_to_string(folder.join(template.name)).unwrap(),
            template.text,
            "{}",
            template.name
        );
    }
    assert!(
        !db.dir.path().join("phoneprov.db").exists(),
        "no database opened"
    );
    let again = db.run(&["templates", "dump"]);
    assert!(!again.status.success());
    let said = common::stderr(&again);
    assert!(
        said.contains("already holds") && said.contains("polycom/master.xml"),
        "{said}"
    );
    common::assert_success(&db.run(&["templates", "dump", "--force"]), "--force");
}

/// `site list` lines its columns up under a header, whatever the lengths of names and servers.
#[test]
fn the_site_list_lines_up() {
    let db = common::sqlite_db();
    let long = "a-very-long-site-name-of-thirty";
    common::assert_success(
        &db.run(&[
            "site",
            "add",
            long,
            "--server",
            "pbx-one.example.com",
            "--server",
            "pbx-two.example.com:5070",
        ]),
        "site add",
    );
    let listed = stdout(&db.run(&["site", "list"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    let column = lines[0].find("CALL SERVERS").unwrap();
    assert!(
        lines[1][column..].starts_with("pbx-one.example.com"),
        "{listed}"
    );
    assert!(
        lines[2][column..].starts_with("(phoneprov's address)"),
        "{listed}"
    );
    let state = lines[0].find("STATE").unwrap();
    assert!(lines[1][state..].starts_with("home"), "{listed}");
}

/// A command's help puts the options every command takes under their own heading.
#[test]
fn global_options_have_their_own_heading() {
    let db = common::sqlite_db();
    let help = stdout(&db.run(&["serve", "--help"]));
    let own = help.find("Options:").expect("the command's options");
    let global = help
        .find("Global options:")
        .expect("a heading of their own");
    let data_dir = help.find("--data-dir").unwrap();
    let http = help.find("--http-listen").unwrap();
    assert!(own < http && http < global && global < data_dir, "{help}");
}

/// The CLI lists extensions and phones, as the page does.
#[test]
fn extensions_and_phones_are_listed_on_the_command_line() {
    let db = common::sqlite_db();
    common::assert_success(&db.run(&["site", "add", "branch"]), "site add");
    common::assert_success(&db.import("golden/deployment.csv", &[]), "import");
    let extensions = stdout(&db.run(&["extension", "list"]));
    let lines: Vec<&str> = extensions.lines().collect();
    assert!(lines[0].starts_with("EXTENSION"), "{extensions}");
    assert_eq!(lines.len(), 8, "{extensions}");
    assert!(
        lines.iter().any(|l| l.starts_with("203")
            && l.contains("0004f214ab38 key 2")
            && l.ends_with("yes")),
        "{extensions}"
    );
    let phones = stdout(&db.run(&["phone", "list"]));
    assert!(
        phones.lines().next().unwrap().starts_with("MAC"),
        "{phones}"
    );
    assert!(
        phones.lines().any(|l| l.starts_with("0004f214ab38")
            && l.contains("VVX_400")
            && l.contains("1:202 2:203")
            && l.contains("never")),
        "{phones}"
    );
}

#[tokio::test]
async fn the_start_says_where_the_admin_page_is_and_that_the_defaults_are_maxcs() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let said = server.await_log_lines("AltiGen MAXCS").await;
    let told = |needle: &str| server.log_lines(needle).join("\n");
    assert!(
        told("Admin page: ").contains(&format!("{}/admin", server.base)),
        "{}",
        told("")
    );
    // The golden deployment gives the default site its call server.
    assert!(
        !told("Phones of site default will register to 10.10.0.5").is_empty(),
        "{}",
        told("")
    );
    let maxcs = said.join("\n");
    assert!(
        maxcs.contains("SIP port 10060") && maxcs.contains("altigen.cfg"),
        "{maxcs}"
    );
    assert!(
        maxcs.contains("phoneprov site set default --server ADDRESS --sip-port 5060"),
        "{maxcs}"
    );
}

#[tokio::test]
async fn a_user_agent_naming_another_model_is_warned_about_once() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    // 0004f214ab37 is stored as a SPIP_331; it says it is a VVX 400.
    let agent = "User-Agent: FileTransport PolycomVVX-VVX_400-UA/6.4.0.1234";
    for _ in 0..3 {
        let reply = curl(&format!("{}/0004f214ab37.cfg", server.base), &["-H", agent]);
        assert_eq!(reply.status, 200);
    }
    let warned = server
        .await_log_lines("says it is a VVX_400 but is stored as a SPIP_331")
        .await;
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("correct the model"), "{warned:?}");
}
