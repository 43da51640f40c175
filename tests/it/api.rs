//! The admin API through the real binary and a real client (curl): the token, listing, preview,
//! import and export, edits of extensions, line keys and sites, CSV from a form, and the OpenAPI
//! document (every documented operation exists and answers only documented statuses).

use crate::common;

use common::server::{Server, TOKEN, api, boot_from, curl, golden, json, send_json, start_with};

#[tokio::test]
async fn the_admin_api_needs_the_token() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    assert_eq!(curl(&format!("{}/healthz", server.base), &[]).status, 200);
    for auth in [None, Some("Bearer wrong"), Some("Bearer "), Some(TOKEN)] {
        let mut args = vec![];
        let header;
        if let Some(auth) = auth {
            header = format!("Authorization: {auth}");
            args = vec!["-H", header.as_str()];
        }
        let reply = curl(&format!("{}/api/v1/extensions", server.base), &args);
        assert_eq!(reply.status, 401, "{auth:?}");
        assert_eq!(reply.header("www-authenticate").as_deref(), Some("Bearer"));
        assert!(
            json(&reply)["error"]
                .as_str()
                .unwrap()
                .contains("bearer token")
        );
    }
    assert_eq!(api(&server, "GET", "/extensions", &[]).status, 200);
    let unknown = api(&server, "GET", "/no/such/route", &[]);
    assert_eq!(
        (unknown.status, json(&unknown)["error"].as_str()),
        (404, Some("no such API route"))
    );
}

#[tokio::test]
async fn the_admin_api_lists_previews_imports_and_exports() {
    let server = start_with(&["--admin-token", TOKEN, "--api-body-limit", "2000"]).await;
    let page = json(&api(&server, "GET", "/extensions?limit=2&offset=1", &[]));
    assert_eq!(page["total"], 7);
    let numbers: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["202", "203"]);
    assert!(
        page["items"][0].get("password").is_none(),
        "no passwords in listings"
    );
    let found = json(&api(&server, "GET", "/extensions?q=zo%C3%AB", &[]));
    assert_eq!(found["total"], 2);
    let desk = json(&api(&server, "GET", "/extensions/203", &[]));
    assert_eq!(
        desk["phone"],
        serde_json::json!({"mac": "0004f214ab38", "line": 2})
    );
    assert_eq!(api(&server, "GET", "/extensions/999", &[]).status, 404);

    let phone = json(&api(&server, "GET", "/phones/00:04:F2:14:AB:38", &[]));
    assert_eq!(
        phone["files"],
        // A VVX 400 runs UC Software: the site file in its spelling.
        serde_json::json!([
            "0004f214ab38.cfg",
            "0004f214ab38-settings.cfg",
            "202.cfg",
            "203.cfg",
            "altigen.uc.cfg"
        ])
    );
    assert_eq!(phone["model"], "VVX_400");
    let preview = api(&server, "GET", "/phones/0004f214ab38/files/203.cfg", &[]);
    assert_eq!(
        (preview.status, preview.body),
        (200, golden("polycom/203.cfg"))
    );
    assert_eq!(
        api(&server, "GET", "/phones/0004f214ab38/files/201.cfg", &[]).status,
        404
    );
    assert_eq!(api(&server, "GET", "/phones/0004f2zz1234", &[]).status, 400);
    assert_eq!(api(&server, "GET", "/phones/0004f2999999", &[]).status, 404);
    let sites = json(&api(&server, "GET", "/sites", &[]));
    assert_eq!(sites[0]["name"], "branch");
    assert_eq!(sites[1]["sip_port"], 10060);

    // Import: a bad file is refused with every error, and nothing is written.
    let export_before = api(&server, "GET", "/export", &[]).body;
    let cli_export = server.db.export();
    assert_eq!(
        String::from_utf8(export_before.clone()).unwrap(),
        cli_export
    );
    let bad = "extension,display_name,mac\n299,Bad,0004f2zz1234\n298,\"Two\nLines\",\n";
    let refused = api(
        &server,
        "POST",
        "/import",
        &["-H", "Content-Type: text/csv", "--data-binary", bad],
    );
    assert_eq!(refused.status, 422);
    let body = json(&refused);
    assert_eq!(
        body["details"][0],
        serde_json::json!({"line": 2, "column": "mac", "message": "\"0004f2zz1234\" is not a MAC address", "extension": "299"})
    );
    assert_eq!(body["details"].as_array().unwrap().len(), 2);
    assert_eq!(
        api(
            &server,
            "POST",
            "/import?mode=merge",
            &["--data-binary", "x"]
        )
        .status,
        400
    );
    let too_big = "extension,display_name\n".to_string() + &"1,x\n".repeat(600);
    assert_eq!(
        api(
            &server,
            "POST",
            "/import",
            &["--data-binary", too_big.as_str()]
        )
        .status,
        413
    );
    assert_eq!(
        api(&server, "GET", "/export", &[]).body,
        export_before,
        "nothing written"
    );

    // A dry run reports, an import writes and is served at once.
    let good = "extension,display_name\n201,Alice From The API\n";
    let dry = json(&api(
        &server,
        "POST",
        "/import?dry_run=true",
        &["--data-binary", good],
    ));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        dry["extensions"]["updated"][0]["fields"],
        serde_json::json!(["display_name"])
    );
    let done = json(&api(&server, "POST", "/import", &["--data-binary", good]));
    assert_eq!(done["dry_run"], false);
    assert!(done["revision"].is_number());
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    let served = String::from_utf8(curl(&format!("{}/201.cfg", server.base), &[]).body).unwrap();
    assert!(
        served.contains("Alice From The API"),
        "served right after the import"
    );
}

#[tokio::test]
async fn the_admin_api_edits_extensions_and_line_keys() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let send = |method: &str, path: &str, body: &str| send_json(&server, method, path, body);
    let created = send(
        "POST",
        "/extensions",
        r#"{"number": "401", "display_name": "Lobby Phone", "site": "branch"}"#,
    );
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let view = json(&created);
    assert_eq!(
        (view["home_site"].as_str(), view["password_set"].as_bool()),
        (Some("branch"), Some(true))
    );
    assert_eq!(
        send(
            "POST",
            "/extensions",
            r#"{"number": "401", "display_name": "Again"}"#
        )
        .status,
        409
    );
    let invalid = send(
        "POST",
        "/extensions",
        r#"{"number": "402", "display_name": "", "auth_user": "a b", "site": "nowhere"}"#,
    );
    assert_eq!(invalid.status, 422);
    let fields: Vec<String> = json(&invalid)["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["display_name", "auth_user"]);
    let unknown_site = send(
        "POST",
        "/extensions",
        r#"{"number": "402", "display_name": "X", "site": "nowhere"}"#,
    );
    assert_eq!(
        (
            unknown_site.status,
            json(&unknown_site)["details"][0]["field"].as_str()
        ),
        (422, Some("site"))
    );
    assert_eq!(send("POST", "/extensions", "{not json").status, 400);
    assert_eq!(
        send(
            "POST",
            "/extensions",
            r#"{"number": "403", "display_name": "X", "colour": "red"}"#
        )
        .status,
        400
    );

    let updated = json(&send("PUT", "/extensions/401", r#"{"label": "Lobby"}"#));
    assert_eq!(
        (updated["label"].as_str(), updated["display_name"].as_str()),
        (Some("Lobby"), Some("Lobby Phone"))
    );
    assert_eq!(
        send("PUT", "/extensions/999", r#"{"label": "x"}"#).status,
        404
    );

    // Line keys: 401 joins 201 on the SoundPoint 331 (two keys); a third key does not exist.
    let lines = send(
        "PUT",
        "/phones/0004f214ab37/lines",
        r#"{"lines": {"1": "201", "2": "401"}}"#,
    );
    assert_eq!(
        lines.status,
        200,
        "{}",
        String::from_utf8_lossy(&lines.body)
    );
    assert_eq!(
        json(&lines)["files"],
        serde_json::json!([
            "0004f214ab37.cfg",
            "0004f214ab37-settings.cfg",
            "201.cfg",
            "401.cfg",
            "altigen.cfg"
        ])
    );
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    let file = String::from_utf8(curl(&format!("{}/401.cfg", server.base), &[]).body).unwrap();
    assert!(file.contains("reg.2.label=\"Lobby\""), "{file}");
    let beyond = send(
        "PUT",
        "/phones/0004f214ab37/lines",
        r#"{"lines": {"3": "401"}}"#,
    );
    assert_eq!(
        (beyond.status, json(&beyond)["details"][0]["field"].as_str()),
        (422, Some("line"))
    );
    let missing = send(
        "PUT",
        "/phones/0004f214ab37/lines",
        r#"{"lines": {"1": "999"}}"#,
    );
    assert_eq!(
        (
            missing.status,
            json(&missing)["details"][0]["field"].as_str()
        ),
        (422, Some("lines.1"))
    );

    assert_eq!(api(&server, "DELETE", "/extensions/401", &[]).status, 204);
    let phone = json(&api(&server, "GET", "/phones/0004f214ab37", &[]));
    assert_eq!(
        phone["lines"],
        serde_json::json!([{"line": 1, "extension": "201"}])
    );
    assert_eq!(curl(&format!("{}/401.cfg", server.base), &[]).status, 404);
    assert_eq!(api(&server, "DELETE", "/extensions/401", &[]).status, 404);
    assert_eq!(
        api(&server, "DELETE", "/phones/0004f2aa0001", &[]).status,
        204
    );
    assert_eq!(
        curl(&format!("{}/0004f2aa0001.cfg", server.base), &[]).status,
        404
    );
    assert_eq!(
        api(&server, "DELETE", "/phones/0004f2aa0001", &[]).status,
        404
    );
}

#[tokio::test]
async fn the_admin_api_creates_and_changes_sites() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let send = |method: &str, path: &str, body: &str| send_json(&server, method, path, body);
    let east = send(
        "POST",
        "/sites",
        r#"{"name": "East", "sip_server": "10.30.0.5", "alternate_site": "default", "extension_length": 4}"#,
    );
    assert_eq!(east.status, 201, "{}", String::from_utf8_lossy(&east.body));
    let view = json(&east);
    assert_eq!(view["name"], "east");
    assert_eq!(view["sip_port"], 5060);
    assert_eq!(view["alternate_site"], "default");
    assert_eq!(view["extension_length"], 4);
    assert_eq!(send("POST", "/sites", r#"{"name": "east"}"#).status, 409);
    let invalid = send(
        "POST",
        "/sites",
        r#"{"name": "west", "sip_port": 0, "extension_length": 5, "alternate_site": "nowhere", "sip_server": "a b", "time_zone": "Mars/Olympus", "emergency_numbers": "9x1", "recheck": "25:00", "dial_plan": "0[1-9"}"#,
    );
    assert_eq!(invalid.status, 422);
    let mut fields: Vec<String> = json(&invalid)["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "alternate_site",
            "dial_plan",
            "emergency_numbers",
            "extension_length",
            "recheck",
            "sip_port",
            "sip_server",
            "time_zone"
        ]
    );
    // A new site has no time until given a zone; the zone and the other clock fields show.
    assert!(view["time_zone"].is_null() && view["utc_offset_seconds"].is_null());
    assert_eq!(view["emergency_numbers"], "911,9911");
    assert_eq!(view["recheck"], "02:00");
    let zoned = send(
        "PUT",
        "/sites/east",
        r#"{"time_zone": "America/Chicago", "emergency_numbers": "911", "recheck": "off"}"#,
    );
    assert_eq!(
        zoned.status,
        200,
        "{}",
        String::from_utf8_lossy(&zoned.body)
    );
    let zoned = json(&zoned);
    assert_eq!(zoned["time_zone"], "America/Chicago");
    assert_eq!(zoned["emergency_numbers"], "911");
    assert_eq!(zoned["recheck"], "off");
    assert!(zoned["dial_plan"].is_null(), "the North American plan");
    // A site's own dial plan is kept as given (audited), and "" takes it away.
    let planned = json(&send(
        "PUT",
        "/sites/east",
        r#"{"dial_plan": "[1-7]xxx | 0[1-9]xxxxxxx|00x.T"}"#,
    ));
    assert_eq!(planned["dial_plan"], "[1-7]xxx|0[1-9]xxxxxxx|00x.T");
    let audit = json(&api(&server, "GET", "/audit?limit=1", &[]));
    assert_eq!(
        audit[0]["detail"],
        "dial_plan: - -> [1-7]xxx|0[1-9]xxxxxxx|00x.T"
    );
    let cleared = json(&send("PUT", "/sites/east", r#"{"dial_plan": ""}"#));
    assert!(cleared["dial_plan"].is_null());
    assert_eq!(
        send("PUT", "/sites/nowhere", r#"{"mwi_beep": true}"#).status,
        404
    );

    // A change to the default site's call server is served at once.
    assert_eq!(
        send("PUT", "/sites/default", r#"{"sip_server": "10.10.0.9"}"#).status,
        200
    );
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    let file = String::from_utf8(curl(&format!("{}/201.cfg", server.base), &[]).body).unwrap();
    assert!(
        file.contains("reg.1.server.1.address=\"10.10.0.9\""),
        "{file}"
    );
    // The new site's file, once it has a phone.
    let csv = "extension,display_name,mac,model,site\n5001,East Desk,0004f2ee0001,SPIP_331,east\n";
    assert_eq!(
        api(&server, "POST", "/import", &["--data-binary", csv]).status,
        200
    );
    let site =
        String::from_utf8(curl(&format!("{}/site-east.cfg", server.base), &[]).body).unwrap();
    assert!(site.contains("[1-7]xxx"), "{site}");
    let master =
        String::from_utf8(curl(&format!("{}/0004f2ee0001.cfg", server.base), &[]).body).unwrap();
    // A SoundPoint IP 331 on SIP 3.2 (the AltiGen guide's): its vendor files after ours.
    assert!(
        master.contains(
            r#"CONFIG_FILES="0004f2ee0001-settings.cfg, 5001.cfg, site-east.cfg, phone1.cfg, sip.cfg""#
        ),
        "{master}"
    );
    let desk = String::from_utf8(curl(&format!("{}/5001.cfg", server.base), &[]).body).unwrap();
    assert!(
        desk.contains("reg.1.server.2.address=\"10.10.0.9\""),
        "backup is the alternate: {desk}"
    );
}

#[tokio::test]
async fn the_admin_api_takes_a_csv_file_from_a_form() {
    let server = start_with(&["--admin-token", TOKEN, "--api-body-limit", "2000"]).await;
    let csv = server.db.dir.path().join("form.csv");
    std::fs::write(&csv, "extension,display_name\n601,Form Upload\n").unwrap();
    let form = format!("file=@{}", csv.display());
    let reply = api(
        &server,
        "POST",
        "/import?dry_run=true",
        &["-F", form.as_str()],
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        json(&reply)["extensions"]["created"],
        serde_json::json!(["601"])
    );
    std::fs::write(
        &csv,
        "extension,display_name\n".to_string() + &"1,x\n".repeat(600),
    )
    .unwrap();
    let too_big = api(&server, "POST", "/import", &["-F", form.as_str()]);
    assert_eq!(too_big.status, 413);
    assert!(
        json(&too_big)["error"]
            .as_str()
            .unwrap()
            .contains("--api-body-limit")
    );
    let raw_too_big = api(
        &server,
        "POST",
        "/import",
        &["--data-binary", &"1,x\n".repeat(600)],
    );
    assert_eq!(
        (
            raw_too_big.status,
            json(&raw_too_big)["details"].as_array().map(Vec::len)
        ),
        (413, Some(0))
    );
    assert_eq!(
        api(&server, "POST", "/import", &["-F", "note=hello"]).status,
        400
    );
}

#[tokio::test]
async fn the_phone_detail_lists_uploads_and_serves_them() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let overrides = b"<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity=\"1\"/></PHONE_CONFIG>";
    let file = server.db.dir.path().join("upload");
    std::fs::write(&file, overrides).unwrap();
    boot_from(&server, "127.0.0.1", "0004f214ab37");
    let put = curl(
        &format!("{}/0004f214ab37-phone.cfg", server.base),
        &["-T", file.to_str().unwrap()],
    );
    assert_eq!(put.status, 204);

    let detail = json(&api(&server, "GET", "/phones/00:04:F2:14:AB:37", &[]));
    let uploads = detail["uploads"].as_array().unwrap();
    assert_eq!(uploads.len(), 1, "{detail}");
    assert_eq!(uploads[0]["name"], "0004f214ab37-phone.cfg");
    assert_eq!(uploads[0]["size"], overrides.len());
    assert!(uploads[0]["updated_at_ms"].as_i64().unwrap() > 1_700_000_000_000);

    let content = api(
        &server,
        "GET",
        "/phones/0004f214ab37/uploads/0004f214ab37-phone.cfg",
        &[],
    );
    assert_eq!(
        (content.status, content.body.as_slice()),
        (200, &overrides[..])
    );
    assert_eq!(
        content.header("content-type").as_deref(),
        Some("text/xml; charset=utf-8")
    );
    let missing = api(
        &server,
        "GET",
        "/phones/0004f214ab37/uploads/0004f214ab37-app.log",
        &[],
    );
    assert_eq!(missing.status, 404);
    let other = json(&api(&server, "GET", "/phones/00085d1610de", &[]));
    assert_eq!(other["uploads"].as_array().map(Vec::len), Some(0));
}

/// Everything an admin can see: the export (extensions, phones, passwords) and the sites.
fn everything(server: &Server) -> (Vec<u8>, Vec<u8>) {
    let export = api(server, "GET", "/export?passwords=true", &[]);
    let sites = api(server, "GET", "/sites", &[]);
    assert_eq!((export.status, sites.status), (200, 200));
    (export.body, sites.body)
}

#[tokio::test]
async fn malformed_and_invalid_bodies_change_nothing() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let before = everything(&server);
    let writes = [
        ("POST", "/extensions"),
        ("PUT", "/extensions/201"),
        ("PUT", "/phones/0004f214ab37/lines"),
        ("POST", "/sites"),
        ("PUT", "/sites/branch"),
    ];
    let bodies = [
        ("{not json", 400),
        ("", 400),
        ("[1, 2]", 400),
        ("{\"number\": 201}", 400),
        ("{\"display_name\": \"X\", \"colour\": \"red\"}", 400),
        ("\u{1}\u{2}binary", 400),
    ];
    for (method, path) in writes {
        for (body, status) in bodies {
            let reply = send_json(&server, method, path, body);
            assert_eq!(reply.status, status, "{method} {path} {body:?}");
            assert!(
                json(&reply)["error"].is_string(),
                "{method} {path} {body:?}"
            );
        }
    }
    for (method, path, body) in [
        (
            "POST",
            "/extensions",
            r#"{"number": "401", "display_name": ""}"#,
        ),
        ("PUT", "/extensions/201", r#"{"password": " outer space "}"#),
        (
            "PUT",
            "/phones/0004f214ab37/lines",
            r#"{"lines": {"1": "201", "9": "202"}}"#,
        ),
        ("POST", "/sites", r#"{"name": "new", "sip_port": 0}"#),
        ("PUT", "/sites/branch", r#"{"alternate_site": "nowhere"}"#),
    ] {
        let reply = send_json(&server, method, path, body);
        assert_eq!(reply.status, 422, "{method} {path} {body}");
    }
    let bad_csv = "extension,display_name,mac\n301,Ok,0004f2000301\n302,Bad,not-a-mac\n";
    let import = api(
        &server,
        "POST",
        "/import",
        &["-H", "Content-Type: text/csv", "--data-binary", bad_csv],
    );
    assert_eq!(import.status, 422);
    assert_eq!(everything(&server), before, "nothing was written");
}

/// A value for a path parameter that names nothing, so every operation can be called safely.
fn placeholder(parameter: &str) -> &'static str {
    match parameter {
        "mac" => "0004f2999999",
        "number" => "9999",
        "name" => "nothing.cfg",
        "address" => "192.0.2.254",
        "state" => "sideways",
        other => panic!("no placeholder for path parameter {other}"),
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_truthfully() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let reply = curl(&format!("{}/api/v1/openapi.json", server.base), &[]);
    assert_eq!(reply.status, 200, "public, so tools can read it");
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/json")
    );
    let document = json(&reply);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = document["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    for expected in [
        ("GET", "/api/v1/extensions"),
        ("POST", "/api/v1/extensions"),
        ("PUT", "/api/v1/extensions/{number}"),
        ("DELETE", "/api/v1/extensions/{number}"),
        ("GET", "/api/v1/phones/{mac}"),
        ("PUT", "/api/v1/phones/{mac}/lines"),
        ("GET", "/api/v1/phones/{mac}/files/{name}"),
        ("GET", "/api/v1/phones/{mac}/uploads/{name}"),
        ("PUT", "/api/v1/sites/{name}"),
        ("POST", "/api/v1/import"),
        ("GET", "/api/v1/export"),
    ] {
        assert!(
            operations
                .iter()
                .any(|(m, p, _)| (m.as_str(), p.as_str()) == expected),
            "{expected:?} is documented"
        );
    }
    let mut ids: Vec<&str> = operations
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");

    // Every documented operation exists, and answers a status it documents: with the token and
    // an empty JSON object (names that match nothing, so nothing is changed), and 401 without.
    let before = everything(&server);
    for (method, path, operation) in &operations {
        let documented = operation["responses"].as_object().unwrap();
        assert!(
            documented.contains_key("401"),
            "{method} {path} documents 401"
        );
        let concrete = path
            .split('/')
            .map(|segment| match segment.strip_prefix('{') {
                Some(parameter) => placeholder(parameter.trim_end_matches('}')),
                None => segment,
            })
            .collect::<Vec<_>>()
            .join("/");
        let relative = concrete.strip_prefix("/api/v1").unwrap();
        let reply = match method.as_str() {
            "GET" | "DELETE" => api(&server, method, relative, &[]),
            _ => send_json(&server, method, relative, "{}"),
        };
        assert!(
            documented.contains_key(&reply.status.to_string()),
            "{method} {concrete} answered {} ({}), which is not documented",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
        let anonymous = curl(&format!("{}{concrete}", server.base), &["-X", method]);
        assert_eq!(anonymous.status, 401, "{method} {concrete}");
    }
    assert_eq!(everything(&server), before);
}

/// Call server addresses are host names as RFC 1123 has them or IP addresses, through the API
/// and the CLI alike; a refusal says what to give instead.
#[tokio::test]
async fn call_server_addresses_must_be_hosts() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    for bad in ["...", "-bad", "a..b", "x_y"] {
        let reply = send_json(
            &server,
            "PUT",
            "/sites/default",
            &format!(r#"{{"sip_server": "{bad}"}}"#),
        );
        assert_eq!(reply.status, 422, "{bad}");
        let message = json(&reply)["details"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            message.contains("is not a host name or address: give a name such as pbx.example.com"),
            "{message}"
        );
    }
    let ok = send_json(
        &server,
        "PUT",
        "/sites/default",
        r#"{"call_servers": [{"address": "pbx.example.com"}, {"address": "2001:db8::5"}]}"#,
    );
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let db = server.stop();
    let refused = db.run(&["site", "set", "default", "--server", "x_y"]);
    assert!(!refused.status.success());
    assert!(
        common::stderr(&refused).contains("\"x_y\" is not a host name or address"),
        "{}",
        common::stderr(&refused)
    );
}
