//! The admin web page over real HTTP with curl (no browser; `tests/e2e` drives Chromium): login
//! with the admin token, the session cookie's flags, CSRF on every form (login included), every
//! page rendering over the golden deployment without a reference to another host, changes
//! made through forms landing in the data, the import preview and apply, and logout.

use crate::common;

use common::server::{TOKEN, api, curl, json, start_with};
use common::visitor::{Visitor, csrf_of, text};

/// Every `src=`, `href=` and `action=` of a page points at this server.
fn assert_only_local_references(path: &str, html: &str) {
    for attribute in ["src=\"", "href=\"", "action=\""] {
        for (at, _) in html.match_indices(attribute) {
            let value = html[at + attribute.len()..].split('"').next().unwrap_or("");
            assert!(
                value.starts_with('/') || value.starts_with('#') || value.is_empty(),
                "{path}: {attribute}{value}"
            );
        }
    }
    assert!(!html.contains("//"), "{path} names another host:\n{html}");
}

#[tokio::test]
async fn login_sessions_csrf_and_every_page() {
    let server = start_with(&["--admin-token", TOKEN, "--ban-after", "2"]).await;
    let visitor = Visitor::new(&server);

    // Logged out: every page sends to the login page, which sets a protected cookie.
    let away = visitor.get("/admin/phones");
    assert_eq!(away.status, 303);
    assert_eq!(away.header("location").as_deref(), Some("/admin/login"));
    let login = visitor.get("/admin/login");
    assert_eq!(login.status, 200);
    let cookie = login.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let policy = login.header("content-security-policy").unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let csrf = csrf_of(&login);

    // A wrong token, and a right token without the form's CSRF token, get nowhere.
    let wrong = visitor.post("/admin/login", &[("csrf", &csrf), ("token", "guess")]);
    assert_eq!(wrong.status, 401);
    assert!(text(&wrong).contains("not the admin token"));
    let forged = visitor.post("/admin/login", &[("csrf", "forged"), ("token", TOKEN)]);
    assert_eq!(forged.status, 403);
    assert_eq!(visitor.get("/admin").status, 303, "still logged out");
    let before_login = std::fs::read_to_string(visitor.jar.path()).unwrap();

    let csrf = visitor.log_in();
    let after_login = std::fs::read_to_string(visitor.jar.path()).unwrap();
    assert_ne!(before_login, after_login, "a new session id on login");

    let dashboard = visitor.get("/admin");
    assert_eq!(dashboard.status, 200);
    let html = text(&dashboard);
    assert!(html.contains(r#"id="count-extensions">"#), "{html}");
    // Phones per vendor: the golden deployment's four Polycom and one Aastra phone, no Yealink.
    for (vendor, count) in [("aastra", 1), ("polycom", 4), ("yealink", 0)] {
        assert!(
            html.contains(&format!(r#"id="count-{vendor}">{count}</span>"#)),
            "{vendor}: {html}"
        );
    }
    // The failed login is among the recent problems.
    assert!(html.contains("admin web login failed"), "{html}");

    // Two guessed phone files ban this address; the dashboard lists the ban and lifts it.
    for guess in ["0004f2000001.cfg", "0004f2000002.cfg"] {
        curl(&format!("{}/{guess}", server.base), &[]);
    }
    let html = text(&visitor.get("/admin"));
    assert!(html.contains("<td>127.0.0.1</td>"), "{html}");
    let lifted = visitor.post(
        "/admin/bans/lift",
        &[("csrf", &csrf), ("address", "127.0.0.1")],
    );
    assert_eq!(lifted.status, 303);
    let html = text(&visitor.get(lifted.header("location").as_deref().unwrap_or("/admin")));
    assert!(html.contains("The ban of 127.0.0.1 is lifted."), "{html}");
    assert!(
        json(&api(&server, "GET", "/bans", &[]))
            .as_array()
            .unwrap()
            .is_empty()
    );

    for path in [
        "/admin",
        "/admin/import",
        "/admin/extensions",
        "/admin/extensions?q=Alice",
        "/admin/extensions/201",
        "/admin/phones",
        "/admin/phones/0004f214ab37",
        "/admin/phones/0004f214ab37/files/0004f214ab37.cfg",
        "/admin/sites",
        "/admin/sites/default",
        "/admin/sites/branch/switchover",
    ] {
        let page = visitor.get(path);
        assert_eq!(page.status, 200, "{path}: {}", text(&page));
        assert_only_local_references(path, &text(&page));
    }
    let preview = text(&visitor.get("/admin/phones/0004f214ab37/files/201.cfg"));
    assert!(preview.contains("reg.1.auth.userId"), "{preview}");
    assert!(visitor.get("/admin/static/admin.css").status == 200);

    // A form without the session's token changes nothing; with it, the change lands.
    let forged = visitor.post(
        "/admin/extensions/201",
        &[
            ("csrf", "forged"),
            ("display_name", "Mallory"),
            ("label", ""),
            ("auth_user", ""),
            ("password", ""),
            ("site", "default"),
        ],
    );
    assert_eq!(forged.status, 403);
    let saved = visitor.post(
        "/admin/extensions/201",
        &[
            ("csrf", &csrf),
            ("display_name", "Alice Jones"),
            ("label", "Alice"),
            ("auth_user", ""),
            ("password", ""),
            ("site", "default"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", text(&saved));
    let stored = json(&api(&server, "GET", "/extensions/201", &[]));
    assert_eq!(stored["display_name"], "Alice Jones");
    let bad = visitor.post(
        "/admin/extensions/201",
        &[
            ("csrf", &csrf),
            ("display_name", ""),
            ("label", ""),
            ("auth_user", "a b"),
            ("password", ""),
            ("site", "default"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(text(&bad).contains("auth_user"), "{}", text(&bad));

    // Line keys from the phone page.
    let keys = visitor.post(
        "/admin/phones/0004f214ab38/lines",
        &[("csrf", &csrf), ("line_1", "203"), ("line_2", "202")],
    );
    assert_eq!(keys.status, 303, "{}", text(&keys));
    let phone = json(&api(&server, "GET", "/phones/0004f214ab38", &[]));
    assert_eq!(phone["lines"][0]["extension"], "203");

    // Logging out ends the session for good.
    assert_eq!(
        visitor.post("/admin/logout", &[("csrf", &csrf)]).status,
        303
    );
    assert_eq!(visitor.get("/admin").status, 303);
}

#[tokio::test]
async fn an_import_is_previewed_with_its_errors_then_applied() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let visitor = Visitor::new(&server);
    let csrf = visitor.log_in();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "extension,display_name,mac,model\n701,Lobby,0004f2000701,VVX_400\n702,Dock,not-a-mac,VVX_400\n",
    )
    .unwrap();
    let refused = visitor.post_file("/admin/import", &csrf, &bad);
    assert_eq!(refused.status, 422);
    let html = text(&refused);
    assert!(
        html.contains("line 3 (extension 702), column mac"),
        "{html}"
    );
    assert!(!html.contains(r#"id="apply""#), "nothing to apply");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "extension,display_name,mac,model\n701,Lobby,0004f2000701,VVX_400\n702,Dock,0004f2000702,VVX_400\n",
    )
    .unwrap();
    let preview = visitor.post_file("/admin/import", &csrf, &good);
    assert_eq!(preview.status, 200, "{}", text(&preview));
    let html = text(&preview);
    assert!(
        html.contains("Preview: what the import would change"),
        "{html}"
    );
    assert!(html.contains("create extension 702"), "{html}");
    assert_eq!(
        api(&server, "GET", "/extensions/702", &[]).status,
        404,
        "a preview writes nothing"
    );
    let id_at = html.find(r#"name="preview" value=""#).unwrap() + r#"name="preview" value=""#.len();
    let preview_id = html[id_at..].split('"').next().unwrap().to_string();
    let applied = visitor.post(
        "/admin/import/apply",
        &[
            ("csrf", &csrf),
            ("preview", &preview_id),
            ("mode", "upsert"),
        ],
    );
    assert_eq!(applied.status, 200, "{}", text(&applied));
    assert!(text(&applied).contains("Imported"));
    assert_eq!(api(&server, "GET", "/extensions/702", &[]).status, 200);
    let again = visitor.post(
        "/admin/import/apply",
        &[
            ("csrf", &csrf),
            ("preview", &preview_id),
            ("mode", "upsert"),
        ],
    );
    assert!(
        text(&again).contains("That preview is gone"),
        "applied once"
    );

    let export = visitor.get("/admin/export.csv");
    assert_eq!(export.status, 200);
    assert!(text(&export).contains("702,Dock"));
}

#[tokio::test]
async fn an_upload_over_the_limit_says_the_limit_and_what_to_do() {
    let server = start_with(&["--admin-token", TOKEN, "--api-body-limit", "1048576"]).await;
    let visitor = Visitor::new(&server);
    let csrf = visitor.log_in();
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut csv = String::from("extension,display_name\n");
    for i in 0..120_000 {
        csv.push_str(&format!("{},Someone {i}\n", 10_000 + i));
    }
    std::fs::write(&big, &csv).unwrap();
    let refused = visitor.post_file("/admin/import", &csrf, &big);
    assert_eq!(refused.status, 413, "{}", text(&refused));
    let html = text(&refused);
    assert!(
        html.contains("larger than the upload limit of 1 MiB") && html.contains("--api-body-limit"),
        "{html}"
    );
}

#[tokio::test]
async fn a_large_import_preview_is_paged() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let visitor = Visitor::new(&server);
    let csrf = visitor.log_in();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.csv");
    let mut csv = String::from("extension,display_name\n");
    for i in 0..450 {
        csv.push_str(&format!("{},Person {i}\n", 5000 + i));
    }
    std::fs::write(&file, &csv).unwrap();
    let preview = visitor.post_file("/admin/import", &csrf, &file);
    assert_eq!(preview.status, 200, "{}", text(&preview));
    let html = text(&preview);
    assert!(html.contains("(1 to 200 of 450)"), "{html}");
    assert_eq!(html.matches("<li>create extension").count(), 200);
    assert!(html.contains("<li>create extension 5000</li>"));
    assert!(!html.contains("<li>create extension 5200</li>"));
    let start = html
        .find("/admin/import/changes?")
        .expect("a next-page link");
    let link = html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(link.contains("offset=200"), "{link}");
    let next = visitor.get(&link);
    assert_eq!(next.status, 200);
    let html = text(&next);
    assert!(html.contains("(201 to 400 of 450)"), "{html}");
    assert!(html.contains("<li>create extension 5200</li>"));
    assert!(
        html.contains(r#"id="apply""#),
        "the preview can still be applied"
    );
    assert_eq!(
        api(&server, "GET", "/extensions/5000", &[]).status,
        404,
        "nothing written"
    );
}

#[tokio::test]
async fn the_line_key_form_offers_the_model_s_keys() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let visitor = Visitor::new(&server);
    visitor.log_in();
    // As in the model table of docs/csv-format.md: SPIP_331 2, VVX_400 12.
    for (mac, keys) in [("0004f214ab37", 2), ("0004f214ab38", 12)] {
        let page = text(&visitor.get(&format!("/admin/phones/{mac}")));
        assert_eq!(page.matches(r#"name="line_"#).count(), keys, "{mac}");
        assert!(page.contains(&format!(r#"name="line_{keys}""#)), "{mac}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_last_publish_of_each_target() {
    let folder = tempfile::tempdir().unwrap();
    let target = format!("dir:{}", folder.path().join("boot").display());
    let server = start_with(&[
        "--admin-token",
        TOKEN,
        "--publish",
        &target,
        "--publish-debounce",
        "0",
    ])
    .await;
    let visitor = Visitor::new(&server);
    visitor.log_in();
    let mut page = String::new();
    for _ in 0..100 {
        page = text(&visitor.get("/admin"));
        if page.contains(r#"id="publish-status""#) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("Published to boot servers"), "{page}");
    let row = &page[page.find(r#"id="publish-status""#).unwrap()..];
    assert!(row.contains(&target), "{row}");
}

/// Issue 28: a phone's upload shows as untrusted on its page until the admin accepts it there.
#[tokio::test]
async fn an_upload_shows_as_untrusted_until_the_admin_accepts_it() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    common::server::boot_from(&server, "127.0.0.1", "0004f214ab37");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("override");
    std::fs::write(
        &file,
        br#"<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity="1"/></PHONE_CONFIG>"#,
    )
    .unwrap();
    let put = curl(
        &format!("{}/0004f214ab37-phone.cfg", server.base),
        &["-T", file.to_str().unwrap()],
    );
    assert_eq!(put.status, 204);
    std::thread::sleep(std::time::Duration::from_millis(500));

    let visitor = Visitor::new(&server);
    let csrf = visitor.log_in();
    let page = text(&visitor.get("/admin/phones/0004f214ab37"));
    assert!(page.contains("untrusted"), "{page}");
    let action = "/admin/phones/0004f214ab37/uploads/0004f214ab37-phone.cfg/accept";
    assert!(page.contains(action), "{page}");
    let accepted = visitor.post(action, &[("csrf", &csrf)]);
    assert_eq!(accepted.status, 303, "{}", text(&accepted));
    let page = text(&visitor.get("/admin/phones/0004f214ab37"));
    assert!(!page.contains("untrusted"), "{page}");
    assert!(page.contains("accepted"), "{page}");
}

/// Every page names its icon, which the server serves, so browsers ask for no `/favicon.ico`
/// (a 404 on every page otherwise).
#[tokio::test]
async fn pages_name_an_icon_that_is_served() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let login = curl(&format!("{}/admin/login", server.base), &[]);
    assert!(
        text(&login).contains(r#"<link rel="icon" href="/admin/static/favicon.svg""#),
        "{}",
        text(&login)
    );
    let icon = curl(&format!("{}/admin/static/favicon.svg", server.base), &[]);
    assert_eq!(icon.status, 200);
    assert_eq!(
        icon.header("content-type").as_deref(),
        Some("image/svg+xml")
    );
    assert!(text(&icon).starts_with("<svg"));
}

/// A generated SIP password can be shown on the extension's page, for the call server that needs
/// the same one (issue 32 item 9); each showing is audited.
#[tokio::test]
async fn an_extensions_sip_password_is_shown_on_request_and_audited() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let by_api = json(&api(&server, "GET", "/extensions/201/password", &[]));
    let password = by_api["password"].as_str().unwrap().to_string();
    assert!(password.len() >= 8, "{by_api}");
    assert_eq!(
        api(&server, "GET", "/extensions/999/password", &[]).status,
        404
    );
    let visitor = Visitor::new(&server);
    let csrf = visitor.log_in();
    let page = text(&visitor.get("/admin/extensions/201"));
    assert!(page.contains(r#"id="show-password""#), "{page}");
    assert!(!page.contains(&password), "not shown before asked");
    let shown = visitor.post("/admin/extensions/201/password", &[("csrf", &csrf)]);
    assert_eq!(shown.status, 200);
    assert!(
        text(&shown).contains(&format!("<code>{password}</code>")),
        "{}",
        text(&shown)
    );
    let forged = visitor.post("/admin/extensions/201/password", &[("csrf", "forged")]);
    assert_eq!(forged.status, 403);
    let audit = json(&api(&server, "GET", "/audit", &[]));
    let shown_count = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "password-shown" && e["subject"] == "201")
        .count();
    assert_eq!(shown_count, 2, "{audit}");
}

/// Issue 32 item 6: site and model settings and the directory flag are set from the web page,
/// checked like the CLI's (a neutral name without its `@` is refused, naming the one meant),
/// and the phones' effective settings follow.
#[tokio::test]
async fn site_and_model_settings_and_the_directory_flag_are_set_from_the_web_page() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let visitor = Visitor::new(&server);
    let csrf = visitor.log_in();
    let effective = |mac: &str| {
        json(&api(
            &server,
            "GET",
            &format!("/phones/{mac}/settings"),
            &[],
        ))
    };

    // A site's VLAN, from its page.
    let site_page = text(&visitor.get("/admin/sites/branch"));
    assert!(
        site_page.contains(r#"id="site-setting-form""#),
        "{site_page}"
    );
    let set = visitor.post(
        "/admin/sites/branch/setting",
        &[("csrf", &csrf), ("parameter", "@vlan"), ("value", "30")],
    );
    assert_eq!(set.status, 303, "{}", text(&set));
    let site_page = text(&visitor.get("/admin/sites/branch"));
    assert!(
        site_page.contains("<code>@vlan</code></td><td>30</td>"),
        "{site_page}"
    );
    let branch_phone = effective("0004f2aa0001");
    assert!(
        branch_phone["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["parameter"] == "device.net.vlanId" && s["value"] == "30"),
        "{branch_phone}"
    );
    // Without its @ it is refused on the page, naming the name meant; nothing is stored.
    let refused = visitor.post(
        "/admin/sites/branch/setting",
        &[("csrf", &csrf), ("parameter", "vlan"), ("value", "40")],
    );
    assert_eq!(refused.status, 422);
    assert!(
        text(&refused).contains("write it @vlan"),
        "{}",
        text(&refused)
    );
    let forged = visitor.post(
        "/admin/sites/branch/setting",
        &[("csrf", "forged"), ("parameter", "@vlan"), ("value", "40")],
    );
    assert_eq!(forged.status, 403);

    // A model's setting, from the settings page.
    let page = text(&visitor.get("/admin/settings"));
    assert!(page.contains(r#"id="setting-form""#), "{page}");
    let set = visitor.post(
        "/admin/settings",
        &[
            ("csrf", &csrf),
            ("scope", "model"),
            ("target", "VVX_410"),
            ("parameter", "@codecs"),
            ("value", "G722,PCMU"),
        ],
    );
    assert_eq!(set.status, 303, "{}", text(&set));
    let stored = json(&api(&server, "GET", "/settings", &[]));
    assert!(
        stored["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["scope"] == "model"
                && s["target"] == "VVX_410"
                && s["parameter"] == "@codecs"
                && s["value"] == "G722,PCMU"),
        "{stored}"
    );
    let page = text(&visitor.get("/admin/settings"));
    assert!(
        page.contains("<td>VVX_410</td><td><code>@codecs</code></td><td>G722,PCMU</td>"),
        "{page}"
    );
    // Removed with an empty value (the row's Remove button).
    let removed = visitor.post(
        "/admin/settings",
        &[
            ("csrf", &csrf),
            ("scope", "model"),
            ("target", "VVX_410"),
            ("parameter", "@codecs"),
            ("value", ""),
        ],
    );
    assert_eq!(removed.status, 303);
    let stored = json(&api(&server, "GET", "/settings", &[]));
    assert!(
        !stored["settings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["target"] == "VVX_410"),
        "{stored}"
    );

    // The directory flag, from the extension's page.
    let page = text(&visitor.get("/admin/extensions/201"));
    assert!(page.contains(r#"id="in-directory" checked"#), "{page}");
    let unlisted = visitor.post("/admin/extensions/201/directory", &[("csrf", &csrf)]);
    assert_eq!(unlisted.status, 303);
    assert_eq!(
        json(&api(&server, "GET", "/extensions/201", &[]))["in_directory"],
        false
    );
    let page = text(&visitor.get("/admin/extensions/201"));
    assert!(!page.contains(r#"id="in-directory" checked"#));
    let listed = visitor.post(
        "/admin/extensions/201/directory",
        &[("csrf", &csrf), ("listed", "on")],
    );
    assert_eq!(listed.status, 303);
    assert_eq!(
        json(&api(&server, "GET", "/extensions/201", &[]))["in_directory"],
        true
    );
}

/// Issue 32 item 9: the backup server an extension's page and the API show is the one its
/// phone's files name (a one-server site's backup is its alternate's first server), and the
/// sites page explains the `default` site.
#[tokio::test]
async fn the_backup_server_shown_is_the_one_the_files_name() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let file = api(&server, "GET", "/phones/0004f2aa0001/files/3001.cfg", &[]);
    let file = String::from_utf8_lossy(&file.body).into_owned();
    let value = |name: &str| {
        let start = file
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("{name} in {file}"))
            + name.len()
            + 2;
        file[start..start + file[start..].find('"').unwrap()].to_string()
    };
    let backup = format!(
        "{}:{}",
        value("reg.1.server.2.address"),
        value("reg.1.server.2.port")
    );
    let primary = format!(
        "{}:{}",
        value("reg.1.server.1.address"),
        value("reg.1.server.1.port")
    );
    assert_eq!(backup, "10.10.0.5:10060", "{file}");
    let extension = json(&api(&server, "GET", "/extensions/3001", &[]));
    assert_eq!(extension["registers_to"], primary.as_str(), "{extension}");
    assert_eq!(
        extension["registers_backup"],
        backup.as_str(),
        "{extension}"
    );
    let visitor = Visitor::new(&server);
    visitor.log_in();
    let page = text(&visitor.get("/admin/extensions/3001"));
    assert!(
        page.contains(&format!("name {primary}, backup {backup}")),
        "{page}"
    );
    let list = text(&visitor.get("/admin/extensions?q=3001"));
    assert!(list.contains(&format!("<td>{backup}</td>")), "{list}");
    let sites = text(&visitor.get("/admin/sites"));
    assert!(sites.contains(r#"id="default-site-explained""#), "{sites}");
}
