//! Registration distribution through the real binary: a site with 3 call servers and 1,000
//! extensions imported as CSV spreads them evenly (primary and backup), the rendered Polycom,
//! Aastra and Yealink files carry both, the assignments survive a restart and a re-import, a 4th server takes
//! exactly its share from the others and nobody else moves, and a rebalance after deletions
//! moves only the surplus. Also the CLI (`phoneprov site add|set|show|rebalance`).

use crate::common;

use std::collections::{BTreeMap, HashMap};

use common::server::{Server, TOKEN, api, boot_every_phone, curl, json, send_json, start_with};

const SERVERS: [&str; 4] = ["10.40.0.1", "10.40.0.2", "10.40.0.3", "10.40.0.4"];
const POLYCOM: &str = "0004f2aa0001";
const AASTRA: &str = "00085daa0002";
const YEALINK: &str = "001565aa0003";

/// The first `count` call servers as a JSON array.
fn servers_json(count: usize) -> String {
    let servers: Vec<String> = SERVERS[..count]
        .iter()
        .map(|a| format!(r#"{{"address": "{a}"}}"#))
        .collect();
    format!("[{}]", servers.join(","))
}

/// 1,000 extensions 3000-3999 at site `pool`; 3000 on a Polycom phone, 3001 on an Aastra, 3002
/// on a Yealink.
fn pool_csv(dir: &std::path::Path) -> String {
    let mut csv =
        String::from("extension,display_name,password,label,auth_user,mac,model,site,line\n");
    for n in 3000..4000 {
        let (mac, model) = match n {
            3000 => (POLYCOM, "VVX_400"),
            3001 => (AASTRA, "6757i"),
            3002 => (YEALINK, "SIP-T46S"),
            _ => ("", ""),
        };
        let line = if mac.is_empty() { "" } else { "1" };
        csv.push_str(&format!(
            "{n},User {n},secret-{n},,,{mac},{model},pool,{line}\n"
        ));
    }
    let path = dir.join("pool.csv");
    std::fs::write(&path, csv).unwrap();
    path.to_string_lossy().into_owned()
}

fn import(server: &Server, path: &str) -> serde_json::Value {
    let data = format!("@{path}");
    let reply = api(
        server,
        "POST",
        "/import",
        &["-H", "Content-Type: text/csv", "--data-binary", &data],
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    json(&reply)
}

/// Primary and backup (`address:port`) of every extension of site `pool`.
fn assignments(server: &Server) -> BTreeMap<String, (String, String)> {
    let mut all = BTreeMap::new();
    for offset in (0..).step_by(1000) {
        let page = json(&api(
            server,
            "GET",
            &format!("/extensions?limit=1000&offset={offset}"),
            &[],
        ));
        let items = page["items"].as_array().unwrap();
        for e in items.iter().filter(|e| e["current_site"] == "pool") {
            all.insert(
                e["number"].as_str().unwrap().to_string(),
                (
                    e["primary_server"].as_str().unwrap_or_default().to_string(),
                    e["backup_server"].as_str().unwrap_or_default().to_string(),
                ),
            );
        }
        if items.len() < 1000 {
            break;
        }
    }
    all
}

fn primary_counts(all: &BTreeMap<String, (String, String)>) -> Vec<usize> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (primary, _) in all.values() {
        *counts.entry(primary).or_default() += 1;
    }
    counts.into_values().collect()
}

fn moved_primaries(
    before: &BTreeMap<String, (String, String)>,
    after: &BTreeMap<String, (String, String)>,
) -> Vec<(String, String)> {
    before
        .iter()
        .filter(|(n, (p, _))| after.get(*n).is_some_and(|(q, _)| q != p))
        .map(|(n, _)| (n.clone(), after[n].0.clone()))
        .collect()
}

/// A rendered file's value for `key` (Polycom `key="v"`, Aastra `key: v`).
fn value(server: &Server, file: &str, key: &str) -> String {
    boot_every_phone(server);
    let reply = curl(&format!("{}/{file}", server.base), &[]);
    assert_eq!(reply.status, 200, "{file}");
    let text = String::from_utf8(reply.body).unwrap();
    text.lines()
        .find_map(|line| {
            line.trim().strip_prefix(key).map(|rest| {
                rest.trim_start_matches(['=', ':', ' '])
                    .trim_matches(['"', '/', '>', ' '])
                    .to_string()
            })
        })
        .unwrap_or_else(|| panic!("{file} has no {key}:\n{text}"))
}

fn address(key: &str) -> &str {
    key.rsplit_once(':').map_or(key, |(address, _)| address)
}

#[tokio::test]
async fn extensions_spread_evenly_stay_put_and_move_minimally() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let created = send_json(
        &server,
        "POST",
        "/sites",
        &format!(
            r#"{{"name": "pool", "sip_port": 5060, "call_servers": {}}}"#,
            servers_json(3)
        ),
    );
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert_eq!(json(&created)["call_servers"].as_array().unwrap().len(), 3);
    let csv = pool_csv(server.db.dir.path());
    import(&server, &csv);

    // Even: 334/333/333, every backup another server of the site, backups even per primary.
    let first = assignments(&server);
    assert_eq!(first.len(), 1000);
    let mut counts = primary_counts(&first);
    counts.sort();
    assert_eq!(counts, vec![333, 333, 334]);
    let mut backups: HashMap<(&str, &str), usize> = HashMap::new();
    for (primary, backup) in first.values() {
        assert_ne!(primary, backup);
        assert!(SERVERS[..3].contains(&address(backup)), "{backup}");
        *backups.entry((primary, backup)).or_default() += 1;
    }
    assert_eq!(
        backups.len(),
        6,
        "each primary's backups use both other servers"
    );
    for ((primary, _), count) in &backups {
        let group = first.values().filter(|(p, _)| p == primary).count();
        assert!(count.abs_diff(group / 2) <= 1, "{backups:?}");
    }

    // The files carry primary and backup.
    let (primary, backup) = &first["3000"];
    assert_eq!(
        value(&server, "3000.cfg", "reg.1.server.1.address"),
        address(primary)
    );
    assert_eq!(
        value(&server, "3000.cfg", "reg.1.server.2.address"),
        address(backup)
    );
    let aastra = format!("{}.cfg", AASTRA.to_uppercase());
    let (primary, backup) = &first["3001"];
    assert_eq!(
        value(&server, &aastra, "sip line1 proxy ip"),
        address(primary)
    );
    assert_eq!(
        value(&server, &aastra, "sip line1 registrar ip"),
        address(primary)
    );
    assert_eq!(
        value(&server, &aastra, "sip line1 backup proxy ip"),
        address(backup)
    );
    assert_eq!(
        value(&server, &aastra, "sip line1 backup registrar ip"),
        address(backup)
    );

    // Yealink: account 1's first server is the primary, its second the backup.
    let yealink = format!("{YEALINK}.cfg");
    let (primary, backup) = &first["3002"];
    assert_eq!(
        value(&server, &yealink, "account.1.sip_server.1.address"),
        address(primary)
    );
    assert_eq!(
        value(&server, &yealink, "account.1.sip_server.2.address"),
        address(backup)
    );

    // Stable across a restart and a re-import.
    let server = server.restart();
    assert_eq!(assignments(&server), first);
    let again = import(&server, &csv);
    assert_eq!(again["extensions"]["unchanged"], 1000, "{again}");
    assert_eq!(assignments(&server), first);

    // A 4th server takes exactly its share (250) from the others; nobody else moves.
    let reply = send_json(
        &server,
        "PUT",
        "/sites/pool",
        &format!(r#"{{"call_servers": {}}}"#, servers_json(4)),
    );
    assert_eq!(reply.status, 200);
    let second = assignments(&server);
    assert_eq!(primary_counts(&second), vec![250, 250, 250, 250]);
    let moved = moved_primaries(&first, &second);
    assert_eq!(moved.len(), 250);
    assert!(moved.iter().all(|(_, to)| address(to) == SERVERS[3]));
    assert!(second.values().all(|(p, b)| p != b && !b.is_empty()));

    // Deleting 60 of one server's extensions leaves it short; placing a new extension fills
    // the emptiest server, and a rebalance moves only the surplus of the others.
    let emptied = &second["3000"].0;
    let gone: Vec<&String> = second
        .iter()
        .filter(|(n, (p, _))| p == emptied && *n != "3000")
        .map(|(n, _)| n)
        .take(60)
        .collect();
    for number in &gone {
        let reply = api(&server, "DELETE", &format!("/extensions/{number}"), &[]);
        assert_eq!(reply.status, 204, "{number}");
    }
    let added = send_json(
        &server,
        "POST",
        "/extensions",
        r#"{"number": "4000", "display_name": "New", "password": "new-secret-4000", "site": "pool"}"#,
    );
    assert_eq!(
        added.status,
        201,
        "{}",
        String::from_utf8_lossy(&added.body)
    );
    let third = assignments(&server);
    assert_eq!(
        &third["4000"].0, emptied,
        "a new extension goes to the emptiest server"
    );
    let rebalanced = api(&server, "POST", "/sites/pool/rebalance", &[]);
    assert_eq!(rebalanced.status, 200);
    let fourth = assignments(&server);
    let mut counts = primary_counts(&fourth);
    counts.sort();
    assert_eq!(counts, vec![235, 235, 235, 236]);
    let moved = moved_primaries(&third, &fourth);
    // 941 over 4: the one extra stays where there is one already; 14 + 15 + 15 move.
    assert_eq!(moved.len(), 44, "only the surplus moves");
    assert!(moved.iter().all(|(_, to)| to == emptied));
    let again = json(&api(&server, "POST", "/sites/pool/rebalance", &[]));
    assert_eq!(again["moved"], 0, "balanced stays balanced");

    let audit = json(&api(&server, "GET", "/audit?limit=5", &[]));
    assert_eq!(audit[0]["action"], "rebalance");
    assert_eq!(audit[0]["subject"], "pool");
    assert_eq!(
        audit[0]["detail"],
        "0 extension(s) moved over 4 call server(s)"
    );
}

#[tokio::test]
async fn the_cli_manages_sites_and_their_call_servers() {
    let db = common::sqlite_db();
    let run = |args: &[&str]| db.command().args(args).output().unwrap();
    let out = run(&[
        "site",
        "add",
        "cli-site",
        "--server",
        "10.50.0.1",
        "--server",
        "10.50.0.2:5070",
        "--sip-port",
        "5060",
        "--utc-offset-seconds",
        "-18000",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = run(&["site", "show", "cli-site"]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(shown.contains("10.50.0.1,10.50.0.2:5070"), "{shown}");
    assert!(shown.contains("-18000"), "{shown}");
    assert!(shown.contains("server 10.50.0.2:5070"), "{shown}");

    // Bad values are named and change nothing.
    let out = run(&["site", "set", "cli-site", "--server", "10.50.0.1/0"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("\"10.50.0.1/0\""),
        "{}",
        common::stderr(&out)
    );
    let out = run(&[
        "site", "set", "cli-site", "--server", "a/2", "--server", "b",
    ]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("capacity"),
        "{}",
        common::stderr(&out)
    );
    let out = run(&["site", "set", "nowhere", "--sip-port", "5060"]);
    assert!(
        common::stderr(&out).contains("no site nowhere"),
        "{}",
        common::stderr(&out)
    );

    let out = run(&[
        "site",
        "set",
        "cli-site",
        "--server",
        "10.50.0.9/1",
        "--server",
        "10.50.0.8/3",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = run(&["site", "rebalance", "cli-site"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains("site cli-site rebalanced: 0 extension(s) moved"),
        "{said}"
    );
    let out = run(&["site", "list"]);
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(listed.contains("10.50.0.9/1,10.50.0.8/3"), "{listed}");

    let store = db.open().await;
    let audit = phoneprov::store::FailoverStore::audit(&store, 10)
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["rebalance", "site-update", "site-create"]);
    assert!(audit[0].actor.starts_with("cli:"));
    assert!(
        audit[1]
            .detail
            .contains("call_servers: 10.50.0.1,10.50.0.2:5070 -> 10.50.0.9/1,10.50.0.8/3"),
        "{}",
        audit[1].detail
    );
    store.close().await;
}
