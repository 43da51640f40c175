//! Settings without templates (issue 20): one parameter set at each scope (deployment, site,
//! vendor, model, profile, phone) and the value each phone *applies* after reading its whole file
//! set as its vendor documents it (`common::applies`: Polycom first occurrence across
//! `CONFIG_FILES` wins, Aastra last value wins), on SQLite and PostgreSQL; neutral settings as
//! each vendor's parameters; the generated admin password; the CSV's errors by line and column;
//! values that try to inject; the API, the config file, and who may fetch a settings file.
//!
//! Expected values come from the vendors' documents: the parameter names and ranges of the
//! catalogues (`src/handset/*/catalogue.rs`, sources listed in `docs/settings.md`), Polycom's
//! `<device/>` rule (`device.set` and `device.xxx.set` must be 1, UC Software administrator
//! guide) and Aastra's admin password range (digits only, 0-4294967295, Aastra guide
//! 41-001343-02, appendix A).

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::applies::{
    aastra_applies, assert_xmllint_accepts, builtin, content, deployment_of, get, polycom_applies,
};
use common::server::{TOKEN, api, boot_from, curl, fetch_from, json, send_json, start_with};
use common::{KillOnDrop, assert_success, databases, golden_deployment, stdout};
use phoneprov::import::{ImportOptions, import_settings};
use phoneprov::store::SqlStore;

/// `POST /settings/import` of the settings CSV `csv`.
fn import_through_api(server: &common::server::Server, csv: &str) -> common::server::Reply {
    api(
        server,
        "POST",
        "/settings/import",
        &["-H", "Content-Type: text/csv", "--data-binary", csv],
    )
}

async fn set(store: &SqlStore, csv: &str) {
    common::import_settings_csv(store, csv).await;
}

/// The golden deployment's phones: Polycom 0004f214ab37 (IP 331, SIP 3.2, site default),
/// 0004f214ab38 (VVX 400, UC Software), 0004f2aa0001 (IP 550, site branch), 0004f2ac0206 (IP 601,
/// SIP 3.1); Aastra 00085d1610de (6757i, site default).
const EVERY_SCOPE: &str = "scope,target,parameter,value
deployment,,polycom:up.backlight.idleIntensity,0
site,branch,polycom:up.backlight.idleIntensity,1
vendor,polycom,up.idleTimeout,30
model,SPIP_331,up.backlight.idleIntensity,2
profile,lobby,polycom:up.backlight.idleIntensity,3
profile,lobby,polycom:up.backlight.onIntensity,3
phone,0004f214ab38,@profile,lobby
phone,0004f214ab38,up.backlight.onIntensity,1
phone,0004f2aa0001,tcpIpApp.sntp.address,ntp.branch.example
deployment,,aastra:time format,0
vendor,aastra,time format,1
site,default,aastra:tone set,Germany
model,6757i,call waiting,0
profile,desk,aastra:call waiting,1
phone,00085d1610de,@profile,desk
phone,00085d1610de,time server1,ntp.phone.example
";

#[tokio::test]
async fn each_scope_wins_where_it_is_the_most_specific_on_both_vendors() {
    for db in databases().await {
        let store = db.open().await;
        golden_deployment(&store).await;
        set(&store, EVERY_SCOPE).await;
        let deployment = deployment_of(&store).await;
        let provisioner = builtin();
        let polycom = |mac: &str| polycom_applies(&provisioner, &deployment, mac).applied;
        let backlight = |mac: &str| {
            let applied = polycom(mac);
            (
                get(&applied, "up.backlight.idleIntensity").map(str::to_string),
                get(&applied, "up.idleTimeout").map(str::to_string),
            )
        };
        let pair = |idle: &str| (Some(idle.to_string()), Some("30".to_string()));
        let on = db.backend;
        assert_eq!(backlight("0004f2ac0206"), pair("0"), "deployment ({on:?})");
        assert_eq!(backlight("0004f2aa0001"), pair("1"), "site branch ({on:?})");
        assert_eq!(
            backlight("0004f214ab37"),
            pair("2"),
            "model SPIP_331 ({on:?})"
        );
        assert_eq!(
            backlight("0004f214ab38"),
            pair("3"),
            "profile lobby ({on:?})"
        );
        assert_eq!(
            get(&polycom("0004f214ab38"), "up.backlight.onIntensity"),
            Some("1"),
            "the phone beats its profile ({on:?})"
        );
        // The settings file comes first in CONFIG_FILES, so a phone's own value wins over its
        // site file's (first occurrence wins).
        let site_file = content(&provisioner, &deployment, "site-branch.cfg").unwrap();
        assert!(site_file.contains(r#"tcpIpApp.sntp.address="pool.ntp.org""#));
        assert_eq!(
            get(&polycom("0004f2aa0001"), "tcpIpApp.sntp.address"),
            Some("ntp.branch.example"),
            "{on:?}"
        );

        // Aastra: settings are last in <MAC>.cfg, the last file read, so they win.
        let aastra = aastra_applies(&provisioner, &deployment, "00085d1610de", "6757i");
        assert_eq!(
            get(&aastra, "time format"),
            Some("1"),
            "vendor beats deployment"
        );
        assert_eq!(get(&aastra, "tone set"), Some("Germany"), "site");
        assert_eq!(
            get(&aastra, "call waiting"),
            Some("1"),
            "profile beats model"
        );
        assert_eq!(
            get(&aastra, "time server1"),
            Some("ntp.phone.example"),
            "the phone's own value beats its site's time server"
        );
        assert_eq!(get(&aastra, "admin password"), Some("7391"));
        // No vendor's parameter reaches the other's phones.
        assert_eq!(get(&aastra, "up.idletimeout"), None);
        assert_eq!(get(&polycom("0004f214ab37"), "time format"), None);
    }
}

#[tokio::test]
async fn neutral_settings_become_each_vendors_own_parameters() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    set(
        &store,
        "scope,target,parameter,value
site,branch,@language,de-de
deployment,,@codecs,\"G.722,pcmu\"
model,6757i,@vlan,20
vendor,polycom,@lldp,0
phone,00085d1610de,@language,fr
",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let polycom = |mac: &str| polycom_applies(&provisioner, &deployment, mac).applied;
    let branch = polycom("0004f2aa0001");
    assert_eq!(get(&branch, "lcl.ml.lang"), Some("German_Germany"));
    // SIP 3.2 spells the codecs G711Mu/G711A/G729AB, UC Software G711_Mu/G711_A/G729_AB;
    // 1 is the first choice, 0 off.
    let sip = polycom("0004f214ab37");
    for (codec, priority) in [
        ("G722", "1"),
        ("G711Mu", "2"),
        ("G711A", "0"),
        ("G729AB", "0"),
    ] {
        assert_eq!(
            get(&sip, &format!("voice.codecPref.{codec}")),
            Some(priority),
            "{codec}"
        );
    }
    let uc = polycom("0004f214ab38");
    for (codec, priority) in [
        ("G722", "1"),
        ("G711_Mu", "2"),
        ("G711_A", "0"),
        ("G729_AB", "0"),
    ] {
        assert_eq!(
            get(&uc, &format!("voice.codecPref.{codec}")),
            Some(priority),
            "{codec}"
        );
    }
    // <device/> parameters apply only with device.set and their own .set at 1.
    for (name, value) in [
        ("device.set", "1"),
        ("device.net.lldpEnabled.set", "1"),
        ("device.net.lldpEnabled", "0"),
    ] {
        assert_eq!(get(&uc, name), Some(value), "{name}");
    }
    let aastra = aastra_applies(&provisioner, &deployment, "00085d1610de", "6757i");
    assert_eq!(get(&aastra, "tagging enabled"), Some("1"));
    assert_eq!(get(&aastra, "vlan id"), Some("20"));
    assert_eq!(get(&aastra, "language"), Some("1"));
    assert_eq!(get(&aastra, "language 1"), Some("lang_fr.txt"));
    assert_eq!(
        get(&aastra, "sip customized codec"),
        Some("payload=9;ptime=20;silsupp=off,payload=0;ptime=20;silsupp=off"),
        "G.722 is RTP payload 9, PCMU 0"
    );
    assert_eq!(get(&aastra, "lldp"), None, "the LLDP setting was Polycom's");
}

/// Without an `@admin_password`, each phone gets nine digits derived from the secret key and its
/// MAC (issue 28: one per site let one leaked file open every phone of the site): never the
/// factory 456 (Polycom) or 22222 (Aastra), within Aastra's range, the same after a restart,
/// another for every other phone, the same site's included; shown to admins with the phone's
/// settings.
#[tokio::test]
async fn every_phone_gets_its_own_generated_admin_password() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    set(
        &store,
        "scope,target,parameter,value\ndeployment,,@admin_password,\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let password_of = |deployment: &phoneprov::provision::Deployment, mac: &str| {
        polycom_applies(&provisioner, deployment, mac).applied["device.auth.localAdminPassword"]
            .clone()
    };
    let first = password_of(&deployment, "0004f214ab37");
    let same_site = password_of(&deployment, "0004f214ab38");
    let branch = password_of(&deployment, "0004f2aa0001");
    let aastra = aastra_applies(&provisioner, &deployment, "00085d1610de", "6757i");
    let aastra = get(&aastra, "admin password")
        .expect("an Aastra admin password")
        .to_string();
    for password in [&first, &same_site, &branch, &aastra] {
        assert_eq!(password.len(), 9, "{password}");
        assert!(password.parse::<u64>().unwrap() <= 4_294_967_295);
        assert_ne!(password, "456");
        assert_ne!(password, "22222");
    }
    let distinct: std::collections::BTreeSet<&String> =
        [&first, &same_site, &branch, &aastra].into_iter().collect();
    assert_eq!(distinct.len(), 4, "one password per phone");
    store.close().await;
    let again = deployment_of(&db.open().await).await;
    assert_eq!(password_of(&again, "0004f214ab37"), first, "stable");

    // Shown to admins with the phone's settings (where the value comes from included).
    let out = db.run(&["settings", "show", "0004f214ab37"]);
    let shown = common::stdout(&out);
    assert!(shown.contains(&first), "{shown}");
    assert!(shown.contains("(generated)"), "{shown}");
}

#[test]
fn the_settings_csv_names_each_error_by_line_and_column_and_writes_nothing() {
    let db = common::sqlite_db();
    assert_success(&db.run(&["site", "add", "branch"]), "site add");
    assert_success(&db.import("golden/deployment.csv", &[]), "import");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "scope,target,parameter,value\n\
         deployment,,up.backlight.idleIntensity,1\n\
         model,6757i,polycom:up.backlight.idleIntensity,1\n\
         site,default,up.backlight.onIntensity,high\n\
         phone,00085d1610de,aastra:language,\"1\nsip line1 password: stolen\"\n\
         planet,earth,a.b,1\n",
    )
    .unwrap();
    let out = db.run(&["settings", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = common::stderr(&out);
    for expected in [
        "line 3, column parameter: polycom:up.backlight.idleIntensity is a polycom parameter, but model 6757i is aastra's",
        "line 4, column value: \"high\" is not a valid value of up.backlight.onIntensity: it takes a whole number from 0 to 3",
        "line 5, column value: \"1\\nsip line1 password: stolen\" holds a control character",
        "line 7, column scope: \"planet\" is not a scope",
    ] {
        assert!(said.contains(expected), "{expected}\n---\n{said}");
    }
    let listed = stdout(&db.run(&["settings", "list"]));
    assert_eq!(
        listed.trim(),
        "scope,target,parameter,value",
        "nothing written"
    );

    // A good file: an unknown parameter is set with a warning; --dry-run writes nothing.
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "scope,target,parameter,value\n\
         deployment,,up.backlight.idleIntensity,1\n\
         vendor,polycom,feature.made.up,1\n",
    )
    .unwrap();
    let dry = db.run(&["settings", "import", "--dry-run", good.to_str().unwrap()]);
    assert_success(&dry, "dry run");
    assert!(stdout(&dry).contains("dry run"), "{}", stdout(&dry));
    assert_eq!(
        stdout(&db.run(&["settings", "list"])).trim(),
        "scope,target,parameter,value"
    );
    let applied = db.run(&["settings", "import", good.to_str().unwrap()]);
    assert_success(&applied, "import");
    let report = stdout(&applied);
    assert!(report.contains("settings: 2 set"), "{report}");
    assert!(
        report.contains(
            "warning: line 3, column parameter: polycom:feature.made.up is not in the polycom catalogue"
        ),
        "{report}"
    );
    let check = stdout(&db.run(&["check"]));
    assert!(
        check.contains(
            "setting polycom:feature.made.up (vendor polycom) is not in the polycom catalogue"
        ),
        "{check}"
    );
    let shown = stdout(&db.run(&["settings", "show", "00:04:f2:14:ab:37"]));
    assert!(
        shown.contains("up.backlight.idleIntensity = 1    (deployment)"),
        "{shown}"
    );
}

/// A value is always one attribute value (Polycom, escaped) or the rest of one line (Aastra: a
/// line break is refused), however it is set.
#[tokio::test]
async fn a_value_cannot_inject_another_parameter() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    let attack = r#"1" reg.1.auth.password="stolen"/><x y="#;
    set(
        &store,
        &format!(
            "scope,target,parameter,value\nphone,0004f214ab37,feature.label,\"{}\"\n",
            attack.replace('"', "\"\"")
        ),
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let file = content(&provisioner, &deployment, "0004f214ab37-settings.cfg").unwrap();
    assert_xmllint_accepts(&file);
    let applied = polycom_applies(&provisioner, &deployment, "0004f214ab37").applied;
    assert_eq!(
        get(&applied, "feature.label"),
        Some(attack),
        "the literal value"
    );
    assert_eq!(
        get(&applied, "reg.1.auth.password"),
        Some("alice-secret-201"),
        "the extension's own password, not the injected one"
    );
    // Aastra: a line break cannot get in, through the CSV or the API.
    let refused = import_settings(
        &store,
        b"scope,target,parameter,value\nphone,00085d1610de,time format,\"1\ndhcp: 0\"\n",
        &ImportOptions::by("test"),
    )
    .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn the_api_sets_lists_and_shows_settings_and_profiles() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let put = |body: &str| send_json(&server, "PUT", "/settings", body);
    let ok = put(
        r#"{"scope":"model","target":"VVX 400","parameter":"up.backlight.idleIntensity","value":"2"}"#,
    );
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    // Beyond a vendor, model or phone scope, a vendor parameter names its vendor.
    let vendorless = put(r#"{"scope":"deployment","parameter":"feature.made.up","value":"1"}"#);
    assert_eq!(vendorless.status, 422);
    assert_eq!(json(&vendorless)["details"][0]["field"], "parameter");
    let unknown =
        put(r#"{"scope":"deployment","parameter":"polycom:feature.made.up","value":"1"}"#);
    assert_eq!(unknown.status, 200);
    assert!(
        json(&unknown)["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not in the polycom catalogue")
    );
    let bad = put(
        r#"{"scope":"phone","target":"00085d1610de","parameter":"time format","value":"1\ndhcp: 0"}"#,
    );
    assert_eq!(bad.status, 422);
    assert_eq!(json(&bad)["details"][0]["field"], "value");
    let profile = send_json(
        &server,
        "PUT",
        "/phones/0004f214ab38/profile",
        r#"{"profile":"Lobby"}"#,
    );
    assert_eq!(profile.status, 200);
    put(
        r#"{"scope":"profile","target":"lobby","parameter":"polycom:up.backlight.idleIntensity","value":"3"}"#,
    );

    let shown = json(&api(&server, "GET", "/phones/0004f214ab38/settings", &[]));
    assert_eq!(shown["profile"], "lobby");
    let idle = shown["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["parameter"] == "up.backlight.idleIntensity")
        .unwrap();
    assert_eq!(
        (&idle["value"], &idle["origin"]),
        (&"3".into(), &"profile lobby".into())
    );
    // The phone's file follows at once.
    boot_from(&server, "127.0.0.1", "0004f214ab38");
    let file = curl(&format!("{}/0004f214ab38-settings.cfg", server.base), &[]);
    assert!(String::from_utf8_lossy(&file.body).contains(r#"up.backlight.idleIntensity="3""#));
    // Listing leaves password values out.
    let listed = json(&api(&server, "GET", "/settings", &[]));
    let password = listed["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["parameter"] == "@admin_password")
        .unwrap();
    assert!(password["value"].is_null());
    // A CSV import through the API: errors with line and column, status 422.
    let import = import_through_api(
        &server,
        "scope,target,parameter,value\nsite,nowhere,a.b,1\n",
    );
    assert_eq!(import.status, 422);
    assert_eq!(json(&import)["details"][0]["line"], 2);
    assert_eq!(json(&import)["details"][0]["column"], "target");
    // An import that makes two codecs share a priority says so in its report (Polycom SIP 1.4
    // guide 4.6.1.6.1.1: "give each codec a unique priority").
    let import = import_through_api(
        &server,
        "scope,target,parameter,value\ndeployment,,@codecs,\"g722,pcma\"\nvendor,polycom,voice.codecPref.G711_Mu,1\n",
    );
    assert_eq!(
        import.status,
        200,
        "{}",
        String::from_utf8_lossy(&import.body)
    );
    let limits = json(&import)["limits"].clone();
    assert!(
        limits.as_array().is_some_and(|l| l
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("share priority 1")))),
        "{limits}"
    );
}

/// A phone's settings file is one of its own files: like its extension files, it goes only to
/// an address its master file went to (it holds the admin password).
#[tokio::test]
async fn a_settings_file_follows_its_master_file() {
    let server = start_with(&[]).await;
    assert_eq!(
        fetch_from(&server, "127.0.0.2", "0004f214ab37-settings.cfg"),
        404
    );
    boot_from(&server, "127.0.0.2", "0004f214ab37");
    assert_eq!(
        fetch_from(&server, "127.0.0.2", "0004f214ab37-settings.cfg"),
        200
    );
    assert_eq!(
        fetch_from(&server, "127.0.0.3", "0004f214ab37-settings.cfg"),
        404
    );
    // An Aastra phone's settings are in its <MAC>.cfg: no settings file.
    boot_from(&server, "127.0.0.2", "00085d1610de");
    assert_eq!(
        fetch_from(&server, "127.0.0.2", "00085d1610de-settings.cfg"),
        404
    );
}

#[test]
fn the_config_files_settings_are_applied_at_start_and_only_once() {
    let db = common::sqlite_db();
    assert_success(&db.run(&["site", "add", "branch"]), "site add");
    assert_success(&db.import("golden/deployment.csv", &[]), "import");
    let config = db.dir.path().join("phoneprov.toml");
    let write = |text: &str| std::fs::write(&config, text).unwrap();
    let serve = || {
        let mut child = KillOnDrop(
            db.command()
                .args(["serve", "--config", config.to_str().unwrap()])
                .args(["--http-listen", "127.0.0.1:0", "--ftp-listen", "off"])
                .args([
                    "--tftp-listen",
                    "127.0.0.1:0",
                    "--dhcp-listen",
                    "127.0.0.1:0",
                ])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let stderr = child.0.stderr.take().unwrap();
        let lines: Vec<String> = BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .take_while(|l| !l.contains("phoneprov is running"))
            .collect();
        (child, lines)
    };
    write(
        "[[setting]]\nscope = \"vendor\"\ntarget = \"aastra\"\nparameter = \"time format\"\nvalue = \"1\"\n",
    );
    let (first, lines) = serve();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("applied the config file's settings")),
        "{lines:?}"
    );
    drop(first);
    let (second, lines) = serve();
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("applied the config file's settings")),
        "the same file writes nothing again: {lines:?}"
    );
    drop(second);
    let listed = stdout(&db.run(&["settings", "list"]));
    assert!(
        listed.contains("vendor,aastra,aastra:time format,1"),
        "{listed}"
    );

    write(
        "[[setting]]\nscope = \"site\"\ntarget = \"nowhere\"\nparameter = \"a.b\"\nvalue = \"1\"\n",
    );
    // A refused setting stops the start, naming the table and the field.
    let (_refused, said) = serve();
    let line = said
        .iter()
        .find(|l| l.contains("[[setting]]"))
        .unwrap_or_else(|| panic!("no [[setting]] error: {said:?}"));
    assert!(
        line.contains("[[setting]] number 1, target: no site \"nowhere\""),
        "{said:?}"
    );
}

/// One setting from the command line, checked like an imported row (issue 32 item 6), and a
/// neutral setting's name without its `@` refused with the name meant.
#[tokio::test]
async fn settings_set_sets_one_and_a_neutral_name_needs_its_at() {
    let db = common::golden_sqlite_db().await;
    let set = |args: &[&str]| {
        let mut all = vec!["settings", "set"];
        all.extend_from_slice(args);
        db.run(&all)
    };
    assert_success(&set(&["--site", "branch", "@vlan", "20"]), "settings set");
    assert_success(&set(&["@codecs", "g722,pcmu"]), "deployment");
    let listed = stdout(&db.run(&["settings", "list"]));
    assert!(listed.contains("site,branch,@vlan,20"), "{listed}");
    assert!(
        listed.contains("deployment,,@codecs,\"g722,pcmu\""),
        "{listed}"
    );

    let refused = set(&["--site", "branch", "vlan", "20"]);
    assert!(!refused.status.success());
    let said = common::stderr(&refused);
    assert!(
        said.contains("setting refused: parameter: \"vlan\" is a setting every vendor's phones get: write it @vlan"),
        "{said}"
    );
    let refused = set(&["--site", "branch", "@vlan", "5000"]);
    assert!(
        common::stderr(&refused).contains("setting refused: value:"),
        "{}",
        common::stderr(&refused)
    );
    // The same in a file: refused by line and column.
    let dir = tempfile::tempdir().unwrap();
    let file = common::write_file(
        dir.path(),
        "typo.csv",
        "scope,target,parameter,value\nsite,branch,vlan,20\n",
    );
    let out = db.run(&["settings", "import", &file, "--dry-run"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("line 2, column parameter: \"vlan\" is a setting every vendor's phones get: write it @vlan"),
        "{}",
        common::stderr(&out)
    );
    // An empty value removes it.
    assert_success(&set(&["--site", "branch", "@vlan", ""]), "remove");
    assert!(!stdout(&db.run(&["settings", "list"])).contains("@vlan"));
}
