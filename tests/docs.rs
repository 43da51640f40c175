//! The user guide stays true to the code: the model table of `docs/csv-format.md` lists exactly the
//! models phoneprov knows, with their line-key limits; the config example of `docs/dhcp.md` is
//! accepted as written.

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
    let store = SqlStore::open(&url).await.unwrap();
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

/// The config file example of `docs/dhcp.md` is accepted as written: its settings are flags
/// phoneprov knows, and its subnets pass the checks the DHCP server makes at start.
#[test]
fn the_dhcp_config_example_is_valid() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/dhcp.md"))
        .expect("docs/dhcp.md");
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block");
    let file = phoneprov::config_file::parse(example).expect("valid TOML");
    let subnets = phoneprov::dhcp::subnet::check_subnets(file.subnets).expect("valid subnets");
    assert_eq!(subnets.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phoneprov.toml");
    std::fs::write(&path, example).unwrap();
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
