//! Switchover, switchback and relocation through the real binary (admin API and CLI) over the
//! golden deployment (and a Yealink phone added to it): the rendered Polycom, Aastra and Yealink
//! files follow the alternate site and come
//! home; conflicts refuse a switchover with the numbers listed; relocation wins over switchover
//! until the extension is home; a switchover of 1,000 extensions whose server (or CLI) is killed
//! with SIGKILL leaves all or none switched; every action is in the audit log.

use crate::common;

use std::time::Duration;

use common::server::{
    Server, TOKEN, api, boot_every_phone, curl, json, merge_csv, send_json, start_on, start_with,
};

async fn start() -> Server {
    start_with(&["--admin-token", TOKEN]).await
}

/// The primary (and backup) call server address of `file` as served.
fn servers(server: &Server, file: &str) -> (String, String) {
    boot_every_phone(server);
    let reply = curl(&format!("{}/{file}", server.base), &[]);
    assert_eq!(reply.status, 200, "{file}");
    let text = String::from_utf8(reply.body).unwrap();
    let value = |key: &str| {
        text.lines()
            .find_map(|line| {
                let line = line.trim();
                line.strip_prefix(key).map(|rest| {
                    rest.trim_start_matches(['=', ':', ' '])
                        .trim_matches(['"', '/', '>', ' '])
                        .to_string()
                })
            })
            .unwrap_or_default()
    };
    if file == YEALINK {
        (
            value("account.1.sip_server.1.address"),
            value("account.1.sip_server.2.address"),
        )
    } else if file.ends_with(".cfg") && file.starts_with("000") && file.len() == 16 {
        (
            value("sip line1 proxy ip"),
            value("sip line1 backup proxy ip"),
        )
    } else {
        (
            value("reg.1.server.1.address"),
            value("reg.1.server.2.address"),
        )
    }
}

fn post(server: &Server, path: &str) -> common::server::Reply {
    api(server, "POST", path, &[])
}

const HOME: &str = "10.10.0.5";
const BRANCH: &str = "10.20.0.5";
const AASTRA: &str = "00085D1610DE.cfg";
/// The `<mac>.cfg` of the Yealink T46S [`add_yealink`] puts extension 207 on.
const YEALINK: &str = "001565aa0207.cfg";

/// Extension 207 on a Yealink T46S at the default site.
fn add_yealink(server: &Server) {
    merge_csv(
        server,
        "extension,display_name,password,mac,model,site,line\n\
         207,Yealink Desk,yealink-secret-207,001565aa0207,SIP-T46S,default,1\n",
    );
}

fn exclude(server: &Server, number: &str) -> common::server::Reply {
    send_json(
        server,
        "PUT",
        &format!("/extensions/{number}/switchover"),
        r#"{"enabled": false}"#,
    )
}

/// Every extension of a site follows its switchover unless excluded (issue 32 item 1): one
/// switchover moves the whole branch, an excluded extension stays, and switchback returns them.
#[tokio::test]
async fn switchover_moves_every_extension_but_the_excluded_and_switchback_returns_them() {
    let server = start().await;
    // The default site has no alternate yet: nothing to switch over to.
    assert_eq!(post(&server, "/sites/default/switchover").status, 409);

    let reply = send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"alternate_site": "branch"}"#,
    );
    assert_eq!(reply.status, 200);
    add_yealink(&server);
    // 202 is excluded; every other extension of the default site follows without a step.
    assert_eq!(exclude(&server, "202").status, 200);
    assert_eq!(servers(&server, "201.cfg").0, HOME);

    let switched = post(&server, "/sites/default/switchover");
    assert_eq!(switched.status, 200);
    // 201, 203, 204, 205, 206 and 207: the default site's extensions but the excluded 202.
    assert_eq!(json(&switched)["extensions"], 6);
    // Polycom: the alternate's server, home as backup; Aastra line 1 (204) and Yealink account
    // 1 (207) likewise.
    assert_eq!(servers(&server, "201.cfg"), (BRANCH.into(), HOME.into()));
    assert_eq!(servers(&server, AASTRA), (BRANCH.into(), HOME.into()));
    assert_eq!(servers(&server, YEALINK), (BRANCH.into(), HOME.into()));
    assert_eq!(servers(&server, "202.cfg").0, HOME, "excluded: stays");
    let site = json(&api(&server, "GET", "/sites/default", &[]));
    assert_eq!(site["switched_over"], true);
    assert_eq!(
        post(&server, "/sites/default/switchover").status,
        409,
        "once"
    );

    assert_eq!(post(&server, "/sites/default/switchback").status, 200);
    assert_eq!(servers(&server, "201.cfg").0, HOME);
    assert_eq!(servers(&server, AASTRA).0, HOME);
    assert_eq!(servers(&server, YEALINK).0, HOME);
    assert_eq!(
        post(&server, "/sites/default/switchback").status,
        409,
        "once"
    );

    let audit = json(&api(&server, "GET", "/audit", &[]));
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "switchback",
            "switchover",
            "switchover-disable",
            "change",
            "site-update",
            // The test's own setup of the golden deployment: its settings, its extensions.
            "settings",
            "change",
            "site-create",
            "site-update",
        ]
    );
    assert_eq!(audit[0]["actor"], "api");
    assert_eq!(audit[4]["detail"], "alternate_site: - -> branch");
    assert_eq!(audit[1]["detail"], "6 extension(s) to branch");

    // The bulk action: every extension of the site excluded, then following again.
    let all = |enabled: bool| {
        send_json(
            &server,
            "PUT",
            "/sites/default/extensions-switchover",
            &format!(r#"{{"enabled": {enabled}}}"#),
        )
    };
    let excluded = all(false);
    assert_eq!(excluded.status, 200);
    assert_eq!(json(&excluded)["changed"], 6);
    let switched = post(&server, "/sites/default/switchover");
    assert_eq!(json(&switched)["extensions"], 0, "every one excluded");
    assert_eq!(post(&server, "/sites/default/switchback").status, 200);
    assert_eq!(json(&all(true))["changed"], 7);
    assert_eq!(
        json(&post(&server, "/sites/default/switchover"))["extensions"],
        7
    );
}

/// A number the alternate's call server uses itself (its reserved numbers) stays home at a
/// switchover, which goes ahead for every other extension and says which stayed; following is
/// never refused for it.
#[tokio::test]
async fn numbers_the_alternate_uses_itself_stay_home_at_a_switchover() {
    let server = start().await;
    send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"alternate_site": "branch"}"#,
    );
    // The branch call server turns out to use 201-202 itself.
    let reply = send_json(
        &server,
        "PUT",
        "/sites/branch",
        r#"{"reserved_numbers": "200-202, 500"}"#,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(json(&reply)["reserved_numbers"], "200-202,500");
    // The preview (what the web confirmation shows) is the split the switchover makes: the
    // excluded stay, the reserved stay home, the rest move.
    assert_eq!(exclude(&server, "205").status, 200);
    let preview = json(&api(
        &server,
        "GET",
        "/sites/default/switchover-preview",
        &[],
    ));
    assert_eq!(preview["alternate_site"], "branch", "{preview}");
    assert_eq!(
        preview["moving"],
        serde_json::json!(["203", "204", "206"]),
        "{preview}"
    );
    assert_eq!(preview["excluded"], serde_json::json!(["205"]), "{preview}");
    assert_eq!(
        preview["staying"],
        serde_json::json!(["201", "202"]),
        "{preview}"
    );
    assert_eq!(
        api(&server, "GET", "/sites/nowhere/switchover-preview", &[]).status,
        404
    );
    let switched = post(&server, "/sites/default/switchover");
    assert_eq!(json(&switched)["extensions"], 3, "as the preview said");
    let back = post(&server, "/sites/default/switchback");
    assert_eq!(back.status, 200);
    send_json(
        &server,
        "PUT",
        "/extensions/205/switchover",
        r#"{"enabled": true}"#,
    );
    let switched = post(&server, "/sites/default/switchover");
    assert_eq!(switched.status, 200);
    // 203 to 206 of the golden deployment's default site move; 201 and 202 stay (206 is on
    // line key 1 of its phone, so its file's registration is reg.1).
    assert_eq!(json(&switched)["extensions"], 4);
    assert_eq!(
        servers(&server, "201.cfg").0,
        HOME,
        "reserved at branch: stays"
    );
    assert_eq!(servers(&server, "206.cfg").0, BRANCH);
    let audit = json(&api(&server, "GET", "/audit", &[]));
    let detail = audit[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("201, 202 stay home (numbers site branch uses itself)"),
        "{detail}"
    );
    // Following stays allowed for a reserved number (it just stays home); a bad list is a
    // field error.
    assert_eq!(
        send_json(
            &server,
            "PUT",
            "/extensions/201/switchover",
            r#"{"enabled": true}"#,
        )
        .status,
        200
    );
    let refused = send_json(
        &server,
        "PUT",
        "/sites/branch",
        r#"{"reserved_numbers": "299-200"}"#,
    );
    assert_eq!(refused.status, 422);
}

#[tokio::test]
async fn relocation_wins_over_switchover_until_the_extension_is_home() {
    let server = start().await;
    let reply = send_json(
        &server,
        "POST",
        "/sites",
        r#"{"name": "east", "sip_server": "10.30.0.5"}"#,
    );
    assert_eq!(reply.status, 201);
    send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"alternate_site": "east"}"#,
    );
    let relocate_extension = |number: &str, site: &str| {
        send_json(
            &server,
            "POST",
            &format!("/extensions/{number}/relocate"),
            &format!(r#"{{"site": "{site}"}}"#),
        )
        .status
    };
    let relocate = |site: &str| relocate_extension("201", site);
    assert_eq!(relocate("branch"), 200);
    assert_eq!(servers(&server, "201.cfg").0, BRANCH);
    assert_eq!(post(&server, "/sites/default/switchover").status, 200);
    assert_eq!(
        servers(&server, "201.cfg").0,
        BRANCH,
        "relocated: no switchover"
    );
    let extension = json(&api(&server, "GET", "/extensions/201", &[]));
    assert_eq!(extension["current_site"], "branch");
    assert_eq!(extension["switchover_enabled"], true, "kept");
    assert_eq!(relocate("default"), 200);
    assert_eq!(
        servers(&server, "201.cfg").0,
        "10.30.0.5",
        "home: switched over again"
    );
    assert_eq!(post(&server, "/sites/default/switchback").status, 200);
    assert_eq!(servers(&server, "201.cfg").0, HOME);
    assert_eq!(relocate("nowhere"), 404);

    // A Yealink phone's extension is relocated the same way: its account follows, then comes home.
    add_yealink(&server);
    let relocate_yealink = |site: &str| relocate_extension("207", site);
    assert_eq!(servers(&server, YEALINK).0, HOME);
    assert_eq!(relocate_yealink("branch"), 200);
    assert_eq!(servers(&server, YEALINK).0, BRANCH, "relocated");
    assert_eq!(relocate_yealink("default"), 200);
    assert_eq!(servers(&server, YEALINK).0, HOME, "home again");
    let audit = json(&api(&server, "GET", "/audit?limit=10", &[]));
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "relocate" && e["detail"] == "from branch home to default"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_switchover_killed_midway_is_all_or_nothing() {
    let db = common::sqlite_db();
    let mut csv = String::from("extension,display_name,site\n");
    for n in 0..1000 {
        csv.push_str(&format!("{},User {n},default\n", 5000 + n));
    }
    let path = db.dir.path().join("many.csv");
    std::fs::write(&path, csv).unwrap();
    common::assert_success(&db.run(&["import", path.to_str().unwrap()]), "import");
    let store = db.open().await;
    common::golden_deployment(&store).await;
    store.close().await;
    let enable_all = "UPDATE extensions SET switchover_enabled = 1";
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE sites SET alternate_site_id = (SELECT id FROM sites WHERE name = 'branch') WHERE name = 'default'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(enable_all).execute(&pool).await.unwrap();
    pool.close().await;

    // Kill the server while the API's switchover (or switchback) runs, then the CLI's, at
    // different moments; each time the store must hold all 1,000 extensions on one side, and the
    // audit log must agree with the flag.
    let mut db = db;
    let rounds = [0u64, 2, 5, 10, 20, 40];
    for (round, delay_ms) in rounds.into_iter().chain(rounds).enumerate() {
        let action = if round % 2 == 0 {
            "switchover"
        } else {
            "switchback"
        };
        if round < rounds.len() {
            let server = start_on(db, &["--admin-token", TOKEN]);
            let base = server.base.clone();
            let request = std::thread::spawn(move || {
                let auth = format!("Authorization: Bearer {TOKEN}");
                curl(
                    &format!("{base}/api/v1/sites/default/{action}"),
                    &["-X", "POST", "-H", &auth],
                )
            });
            std::thread::sleep(Duration::from_millis(delay_ms));
            db = server.stop();
            let _ = request.join();
        } else {
            let mut child = db
                .command()
                .args(["site", action, "default"])
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(delay_ms));
            let _ = child.kill();
            let _ = child.wait();
        }
        let store = db.open().await;
        let snapshot = phoneprov::store::ProvisioningData::snapshot(&store)
            .await
            .unwrap();
        let deployment =
            phoneprov::provision::Deployment::new(snapshot, "192.0.2.1".into()).unwrap();
        let switched: Vec<bool> = (0..1000)
            .map(|n| {
                let number =
                    phoneprov::domain::ExtensionNumber::parse(&(5000 + n).to_string()).unwrap();
                let extension = deployment.extension(&number).unwrap();
                deployment.servers_of(extension).0.address == BRANCH
            })
            .collect();
        let all = switched.iter().all(|s| *s);
        let none = switched.iter().all(|s| !*s);
        assert!(all || none, "round {round}: a partial switchover");
        let default = deployment
            .site_named(&phoneprov::domain::SiteName::default_site())
            .unwrap();
        assert_eq!(default.switched_over, all, "round {round}");
        let audit = phoneprov::store::FailoverStore::audit(&store, 100)
            .await
            .unwrap();
        let overs = audit.iter().filter(|e| e.action == "switchover").count();
        let backs = audit.iter().filter(|e| e.action == "switchback").count();
        assert_eq!(overs - backs == 1, all, "round {round}: the log agrees");
        store.close().await;
    }
}

#[tokio::test]
async fn the_cli_relocates_extensions_and_sets_their_switchover() {
    let db = common::golden_sqlite_db().await;
    let run = |args: &[&str]| db.command().args(args).output().unwrap();
    let out = run(&["extension", "relocate", "201", "branch"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("extension 201 is served by site branch")
    );
    // Following switchover needs no alternate yet: it follows once the site has one.
    let out = run(&["extension", "switchover", "201", "off"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = run(&["extension", "switchover-site", "default", "on"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        common::stdout(&out),
        "site default: switchover on for every extension (1 changed)\n"
    );
    let out = run(&["extension", "relocate", "201", "nowhere"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("site nowhere"),
        "{}",
        common::stderr(&out)
    );
    let out = run(&["extension", "relocate", "201", "default"]);
    assert!(out.status.success(), "{}", common::stderr(&out));

    let out = run(&[
        "voicemail",
        "set",
        "--central",
        "10.92.0.1",
        "--backup",
        "10.92.0.2",
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = run(&["voicemail", "down"]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("go to 10.92.0.2"), "{said}");
    let out = run(&["voicemail", "set", "--central", "a b"]);
    assert!(!out.status.success());

    let store = db.open().await;
    let audit = phoneprov::store::FailoverStore::audit(&store, 6)
        .await
        .unwrap();
    let done: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        done,
        [
            ("voicemail-down", "MWI and call-back to 10.92.0.2"),
            (
                "voicemail-set",
                "central (none) -> 10.92.0.1, backup (none) -> 10.92.0.2"
            ),
            ("relocate", "from branch home to default"),
            ("switchover-enable-site", "1 extension(s) follow"),
            ("switchover-disable", ""),
            ("relocate", "from default to branch"),
        ]
    );
    assert!(audit.iter().all(|e| e.actor.starts_with("cli:")));
    store.close().await;
}
