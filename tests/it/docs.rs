//! The user guide stays true to the code: the model table of `docs/csv-format.md` lists exactly the
//! models phoneprov knows, with their line-key limits; the config example of `docs/dhcp.md` is
//! accepted as written, and the sites example of `docs/sites-and-failover.md` applies.

use crate::common;

use phoneprov::domain::MODELS;

#[test]
fn csv_format_lists_every_model_with_its_line_keys() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/csv-format.md"))
        .expect("docs/csv-format.md");
    let table: Vec<(String, u8)> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.trim_matches('`').to_string();
            let lines = cells.get(3)?.parse().ok()?;
            Some((name, lines))
        })
        .collect();
    let models: Vec<(String, u8)> = MODELS
        .iter()
        .map(|m| (m.name.to_string(), m.lines))
        .collect();
    assert_eq!(table, models);
}

#[tokio::test]
async fn csv_format_example_imports() {
    use phoneprov::import::{ImportOptions, import_csv};
    use phoneprov::store::SqlStore;

    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/csv-format.md"))
        .expect("docs/csv-format.md");
    let example: String = doc
        .split("```")
        .nth(1)
        .expect("a first code block")
        .trim_start_matches('\n')
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("doc.db").display());
    let key = phoneprov::store::secrets::SecretKey::load_or_create(dir.path()).unwrap();
    let store = SqlStore::open(&url, key).await.unwrap();
    let report = import_csv(
        &store,
        example.as_bytes(),
        &ImportOptions::by("test"),
        &|_, _| {},
    )
    .await
    .unwrap_or_else(|e| panic!("the documented example does not import: {e:?}"));
    assert_eq!(report.extensions.created.len(), 5);
    assert_eq!(report.phones.created.len(), 3);
    store.close().await;
}

/// The first TOML block of `docs/{page}`.
fn toml_example(page: &str) -> String {
    let path = format!("{}/docs/{page}", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).expect("the page");
    doc.split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block")
        .to_string()
}

/// The config file example of `docs/dhcp.md` is accepted as written: its settings are flags
/// phoneprov knows, and its subnets pass the checks the DHCP server makes at start.
#[test]
fn the_dhcp_config_example_is_valid() {
    let example = toml_example("dhcp.md");
    let example = example.as_str();
    let file = phoneprov::config_file::parse(example).expect("valid TOML");
    let subnets = phoneprov::dhcp::subnet::check_subnets(file.subnets).expect("valid subnets");
    assert_eq!(subnets.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phoneprov.toml");
    std::fs::write(&path, example).unwrap();
    common::create_database(&dir.path().join("data"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .env_remove("PHONEPROV_DATA_DIR")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&path)
        .args(["leases"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The sites config example of `docs/sites-and-failover.md` applies as written: both sites (each
/// the other's alternate) with their call servers, and the central voice mail server.
#[tokio::test]
async fn the_sites_config_example_applies() {
    let example = toml_example("sites-and-failover.md");
    let example = example.as_str();
    let file = phoneprov::config_file::parse(example).expect("valid TOML");
    let db = common::sqlite_db();
    let store = db.open().await;
    let voicemail = file.voicemail.map(|vm| (vm.central, vm.backup));
    let written = phoneprov::site_edit::apply_declared(&store, &file.sites, voicemail, "docs")
        .await
        .expect("applies");
    assert_eq!(written, ["hq", "east", "voicemail"]);
    let sites = phoneprov::store::ProvisioningData::sites(&store)
        .await
        .unwrap();
    let hq = sites.iter().find(|s| s.name.as_str() == "hq").unwrap();
    let east = sites.iter().find(|s| s.name.as_str() == "east").unwrap();
    assert_eq!(
        phoneprov::domain::call_servers_text(&hq.settings.call_servers),
        "10.0.0.5/2,10.0.0.6/1"
    );
    assert_eq!(hq.settings.alternate_site, Some(east.id));
    assert_eq!(east.settings.sip_server(), Some("10.1.0.5"));
    assert_eq!(east.settings.reserved_numbers.to_string(), "200-299");
    store.close().await;
}

/// The catalogue tables of `docs/settings.md` list exactly the parameters each vendor's
/// catalogue checks, with the families that read them.
#[test]
fn the_settings_guide_lists_every_catalogued_parameter() {
    use phoneprov::domain::Vendor;
    use phoneprov::handset::handset;

    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/settings.md"))
        .expect("docs/settings.md");
    for vendor in Vendor::ALL {
        let marker = format!("<!-- catalogue: {vendor} -->");
        let table: Vec<(String, String)> = doc
            .split(&marker)
            .nth(1)
            .unwrap_or_else(|| panic!("{marker}"))
            .lines()
            .skip(3)
            .take_while(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                (cells[1].trim_matches('`').to_string(), cells[3].to_string())
            })
            .collect();
        let catalogue: Vec<(String, String)> = handset(vendor)
            .catalogue()
            .iter()
            .map(|spec| {
                let families = if spec.families.is_empty() {
                    "all".to_string()
                } else {
                    spec.families.join(", ")
                };
                (spec.name.to_string(), families)
            })
            .collect();
        assert_eq!(table, catalogue, "{vendor}");
    }
}

/// The CSV example of `docs/settings.md` imports as written.
#[tokio::test]
async fn the_settings_guide_example_imports() {
    use phoneprov::import::{ImportOptions, import_settings};
    use phoneprov::store::prelude::*;

    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/settings.md"))
        .expect("docs/settings.md");
    let example = doc
        .split("```\nscope,target,parameter,value")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the CSV example");
    let csv = format!("scope,target,parameter,value{example}");
    let db = common::sqlite_db();
    let store = db.open().await;
    common::golden_deployment(&store).await;
    let mut east = phoneprov::domain::SiteSettings::new_site_defaults();
    east.sntp_server = "pool.ntp.org".into();
    store
        .create_site(
            &phoneprov::domain::SiteName::parse("east").unwrap(),
            &east,
            "test",
        )
        .await
        .unwrap();
    let report = import_settings(&store, csv.as_bytes(), &ImportOptions::by("test"))
        .await
        .unwrap();
    assert_eq!(report.set + report.profiles, 7, "{report:?}");
    assert!(report.warnings.is_empty(), "{report:?}");
}
