//! The store on SQLite and PostgreSQL: the default site, sites, optimistic change sets, batched
//! sightings, uploads, DHCP leases, and reopening an existing database.

use crate::common;
use phoneprov::store::prelude::*;

use std::collections::BTreeMap;

use common::databases;
use phoneprov::domain::{
    ClientKey, Extension, ExtensionNumber, Lease, LeaseState, Mac, Phone, Sighting, SightingBatch,
    SiteName, SiteSettings, Transport, Upload, UploadWrite, Vendor, hardware_text,
};
use phoneprov::store::{ChangeSet, SqlStore, StoreError};

fn mac(m: &str) -> Mac {
    Mac::parse(m).unwrap()
}

async fn seed_phone(store: &SqlStore, m: &str, number: &str) {
    let default_site = store
        .site(&SiteName::default_site())
        .await
        .unwrap()
        .unwrap();
    let number = ExtensionNumber::parse(number).unwrap();
    let changes = ChangeSet {
        expected_revision: store.revision().await.unwrap(),
        upsert_extensions: vec![Extension {
            number: number.clone(),
            display_name: "Seed".into(),
            label: None,
            auth_user: None,
            password: "seed-password".into(),
            home_site: default_site.id,
            current_site: default_site.id,
            switchover_enabled: false,
            in_directory: true,
            registration: None,
        }],
        upsert_phones: vec![Phone {
            mac: mac(m),
            vendor: Vendor::Polycom,
            vendor_pinned: false,
            model: Some("SPIP_331".into()),
            lines: BTreeMap::new(),
            last_seen: None,
        }],
        lines_of_new_phones: vec![(mac(m), BTreeMap::from([(1, number)]))],
        ..ChangeSet::default()
    };
    store.apply(&changes, "test", &|_, _| {}).await.unwrap();
}

fn sighting(m: &str, at_ms: i64, file: &str, transport: Transport) -> Sighting {
    Sighting {
        mac: mac(m),
        at_ms,
        ip: format!("192.0.2.{}", at_ms % 250),
        user_agent: Some("FileTransport PolycomSoundPointIP-SPIP_331-UA/3.2.7.0198".into()),
        firmware: Some("3.2.7.0198".into()),
        file: file.into(),
        transport,
    }
}

#[tokio::test]
async fn default_site_exists_with_the_guide_settings() {
    for db in databases().await {
        let store = db.open().await;
        let sites = store.sites().await.unwrap();
        assert_eq!(sites.len(), 1);
        assert_eq!(sites[0].name.as_str(), "default");
        assert_eq!(sites[0].settings, SiteSettings::maxcs_defaults());
        store.close().await;
        // Opening again runs no migration twice and keeps the data.
        let again = db.open().await;
        assert_eq!(again.sites().await.unwrap(), sites);
        again.close().await;
    }
}

#[tokio::test]
async fn sites_are_created_and_updated_with_clear_errors() {
    for db in databases().await {
        let store = db.open().await;
        let name = SiteName::parse("east").unwrap();
        let mut settings = SiteSettings::maxcs_defaults();
        settings.call_servers = vec![phoneprov::domain::CallServer::at("10.1.0.5")];
        let site = store.create_site(&name, &settings, "test").await.unwrap();
        assert_eq!(site.settings, settings);
        assert!(matches!(
            store.create_site(&name, &settings, "test").await,
            Err(StoreError::AlreadyExists(_))
        ));
        let default_id = store
            .site(&SiteName::default_site())
            .await
            .unwrap()
            .unwrap()
            .id;
        settings.sip_port = Some(5080);
        settings.alternate_site = Some(default_id);
        settings.registration_expiry = Some(600);
        settings.dial_plan =
            Some(phoneprov::domain::DialPlan::parse("[1-7]xxx|0[1-9]xxxxxxx|00x.T").unwrap());
        store.update_site(&name, &settings, "test").await.unwrap();
        assert_eq!(store.site(&name).await.unwrap().unwrap().settings, settings);
        settings.dial_plan = None;
        store.update_site(&name, &settings, "test").await.unwrap();
        assert_eq!(store.site(&name).await.unwrap().unwrap().settings, settings);
        let missing = SiteName::parse("nowhere").unwrap();
        assert!(matches!(
            store.update_site(&missing, &settings, "test").await,
            Err(StoreError::NotFound(_))
        ));
        store.close().await;
    }
}

#[tokio::test]
async fn a_change_set_planned_from_stale_data_is_refused_whole() {
    for db in databases().await {
        let store = db.open().await;
        let stale = store.revision().await.unwrap();
        seed_phone(&store, "0004f2000001", "201").await;
        let revision = store.revision().await.unwrap();
        assert!(revision > stale);
        let changes = ChangeSet {
            expected_revision: stale,
            delete_phones: vec![mac("0004f2000001")],
            ..ChangeSet::default()
        };
        assert!(matches!(
            store.apply(&changes, "test", &|_, _| {}).await,
            Err(StoreError::Conflict)
        ));
        assert_eq!(store.revision().await.unwrap(), revision);
        assert!(store.phone(&mac("0004f2000001")).await.unwrap().is_some());
        store.close().await;
    }
}

#[tokio::test]
async fn sightings_are_recorded_in_batches_latest_wins() {
    for db in databases().await {
        let store = db.open().await;
        seed_phone(&store, "0004f2000001", "201").await;
        let batch = vec![
            sighting("0004f2000001", 1_000, "0004f2000001.cfg", Transport::Ftp),
            sighting("0004f2000001", 3_000, "201.cfg", Transport::Http),
            sighting("0004f2000001", 2_000, "0004f2000001.cfg", Transport::Http),
            sighting("0004f2999999", 5_000, "0004f2999999.cfg", Transport::Http),
        ];
        store
            .record_sightings(&batch.into_iter().collect())
            .await
            .unwrap();
        let phone = store.phone(&mac("0004f2000001")).await.unwrap().unwrap();
        let seen = phone.last_seen.expect("seen");
        assert_eq!((seen.at_ms, seen.file.as_str()), (3_000, "201.cfg"));
        assert_eq!(seen.transport, Transport::Http);
        assert_eq!(seen.firmware.as_deref(), Some("3.2.7.0198"));

        // An older batch arriving late does not move last-seen back, but its fetches count.
        store
            .record_sightings(
                &[sighting("0004f2000001", 500, "201.cfg", Transport::Tftp)]
                    .into_iter()
                    .collect(),
            )
            .await
            .unwrap();
        let phone = store.phone(&mac("0004f2000001")).await.unwrap().unwrap();
        assert_eq!(phone.last_seen.unwrap().at_ms, 3_000);
        let fetches = store.fetches(&mac("0004f2000001")).await.unwrap();
        let summary: Vec<(&str, i64, i64, Transport)> = fetches
            .iter()
            .map(|f| (f.file.as_str(), f.count, f.last_at_ms, f.transport))
            .collect();
        assert_eq!(
            summary,
            [
                ("0004f2000001.cfg", 2, 2_000, Transport::Http),
                ("201.cfg", 2, 3_000, Transport::Http),
            ]
        );
        // Unknown MACs are ignored.
        assert!(store.phone(&mac("0004f2999999")).await.unwrap().is_none());
        assert!(
            store
                .fetches(&mac("0004f2999999"))
                .await
                .unwrap()
                .is_empty()
        );
        store.close().await;
    }
}

/// A phone's home is the latest address its credential files went to: a later fetch of its
/// master file from elsewhere (anyone's) moves its last-seen address, not its home; an older
/// batch does not move it back; an admin's reset (unbind) clears it.
#[tokio::test]
async fn a_phone_home_is_where_its_credentials_went_and_a_reset_clears_it() {
    for db in databases().await {
        let store = db.open().await;
        seed_phone(&store, "0004f2000001", "201").await;
        let at = |at_ms: i64, ip: &str, file: &str| Sighting {
            ip: ip.into(),
            ..sighting("0004f2000001", at_ms, file, Transport::Http)
        };
        let mut batch = SightingBatch::default();
        batch.add_credentials(at(2_000, "10.1.1.20", "201.cfg"));
        batch.add(at(3_000, "203.0.113.66", "0004f2000001.cfg"));
        store.record_sightings(&batch).await.unwrap();
        let mut late = SightingBatch::default();
        late.add_credentials(at(1_000, "10.9.9.9", "201.cfg"));
        store.record_sightings(&late).await.unwrap();
        let home: (Mac, std::net::IpAddr) = (mac("0004f2000001"), "10.1.1.20".parse().unwrap());
        assert_eq!(store.phone_homes().await.unwrap(), [home]);
        let phone = store.phone(&mac("0004f2000001")).await.unwrap().unwrap();
        assert_eq!(phone.last_seen.unwrap().ip, "203.0.113.66");
        store
            .unbind_phone(&mac("0004f2000001"), "test")
            .await
            .unwrap();
        assert!(store.phone_homes().await.unwrap().is_empty());
        store.close().await;
    }
}

/// Settings stored before a parameter named its vendor get the vendor the spelling rule gave
/// them (dotted without spaces: Polycom; else Aastra/Mitel), without loss: each row read back
/// with its vendor, the same value (a sealed one still opens), neutral settings untouched. The
/// migration's own SQL is run again over rows written as the older schema held them.
#[tokio::test]
async fn settings_stored_before_their_vendor_was_named_migrate_without_loss() {
    for db in databases().await {
        let store = db.open().await;
        seed_phone(&store, "0004f2000001", "201").await;
        store.close().await;
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        for (scope, target, parameter, value) in [
            ("deployment", "", "up.backlight.idleIntensity", "1"),
            ("site", "default", "time format", "0"),
            (
                "phone",
                "0004f2000001",
                "lcl.ml.lang",
                "Deutsch_Deutschland",
            ),
            ("deployment", "", "@vlan", "20"),
            ("vendor", "aastra", "tone set", "Germany"),
        ] {
            sqlx::query(
                "INSERT INTO settings (scope, target, parameter, value) VALUES ($1, $2, $3, $4)",
            )
            .bind(scope)
            .bind(target)
            .bind(parameter)
            .bind(value)
            .execute(&pool)
            .await
            .unwrap();
        }
        let migration = include_str!("../../migrations/sqlite/0013_settings_vendor.sql");
        assert_eq!(
            migration,
            include_str!("../../migrations/postgres/0013_settings_vendor.sql"),
            "one statement for both backends"
        );
        sqlx::raw_sql(migration).execute(&pool).await.unwrap();
        // Run twice, it changes nothing more.
        sqlx::raw_sql(migration).execute(&pool).await.unwrap();
        pool.close().await;
        let store = db.open().await;
        let mut listed: Vec<String> = store
            .settings()
            .await
            .unwrap()
            .settings()
            .iter()
            .map(|s| {
                format!(
                    "{},{},{},{}",
                    s.scope.kind(),
                    s.scope.target(),
                    s.parameter,
                    s.value
                )
            })
            .collect();
        listed.sort();
        assert_eq!(
            listed,
            [
                "deployment,,@vlan,20",
                "deployment,,polycom:up.backlight.idleIntensity,1",
                "phone,0004f2000001,polycom:lcl.ml.lang,Deutsch_Deutschland",
                "site,default,aastra:time format,0",
                "vendor,aastra,aastra:tone set,Germany",
            ],
            "{:?}",
            db.backend
        );
        store.close().await;
    }
}

/// An upload that replaces the stored file.
fn replace(upload: &Upload) -> UploadWrite {
    UploadWrite {
        upload: upload.clone(),
        log_keep: None,
    }
}

#[tokio::test]
async fn uploads_are_kept_per_phone_and_go_with_it() {
    for db in databases().await {
        let store = db.open().await;
        seed_phone(&store, "0004f2000001", "201").await;
        let upload = Upload {
            mac: mac("0004f2000001"),
            name: "0004f2000001-phone.cfg".into(),
            content: b"<PHONE_CONFIG><ALL up.backlight.idleIntensity=\"1\"/></PHONE_CONFIG>\0\xff"
                .to_vec(),
            updated_at_ms: 42,
        };
        assert_eq!(
            store.put_uploads(&[replace(&upload)]).await.unwrap(),
            [true]
        );
        assert_eq!(
            store
                .upload(&upload.mac, &upload.name)
                .await
                .unwrap()
                .as_ref(),
            Some(&upload)
        );
        let replaced = Upload {
            content: b"second".to_vec(),
            updated_at_ms: 43,
            ..upload.clone()
        };
        assert_eq!(
            store.put_uploads(&[replace(&replaced)]).await.unwrap(),
            [true]
        );
        assert_eq!(
            store.upload(&upload.mac, &upload.name).await.unwrap(),
            Some(replaced.clone())
        );
        // A log is appended to, in order, within one batch too, keeping its newest bytes.
        let log = |byte: u8| UploadWrite {
            upload: Upload {
                name: "0004f2000001-app.log".into(),
                content: vec![byte; 600],
                ..upload.clone()
            },
            log_keep: Some(1000),
        };
        assert_eq!(
            store.put_uploads(&[log(1), log(2)]).await.unwrap(),
            [true, true]
        );
        let mut expected = vec![1u8; 400];
        expected.extend([2u8; 600]);
        let stored = store
            .upload(&upload.mac, "0004f2000001-app.log")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.content, expected, "{:?}", db.backend);
        let listed: Vec<(String, i64, i64)> = store
            .uploads(&upload.mac)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.name, u.size, u.updated_at_ms))
            .collect();
        assert_eq!(
            listed,
            [
                ("0004f2000001-app.log".to_string(), 1000, 42),
                ("0004f2000001-phone.cfg".to_string(), 6, 43),
            ],
            "{:?}",
            db.backend
        );
        let stranger = Upload {
            mac: mac("0004f2999999"),
            ..upload.clone()
        };
        // An unknown phone's upload is not stored; the others of its batch are.
        assert_eq!(
            store
                .put_uploads(&[replace(&stranger), replace(&replaced)])
                .await
                .unwrap(),
            [false, true]
        );
        assert_eq!(
            store.upload(&stranger.mac, &stranger.name).await.unwrap(),
            None
        );
        // Deleting the phone deletes its uploads.
        let changes = ChangeSet {
            expected_revision: store.revision().await.unwrap(),
            delete_phones: vec![upload.mac],
            ..ChangeSet::default()
        };
        store.apply(&changes, "test", &|_, _| {}).await.unwrap();
        assert_eq!(store.upload(&upload.mac, &upload.name).await.unwrap(), None);
        assert_eq!(store.uploads(&upload.mac).await.unwrap(), []);
        store.close().await;
    }
}

fn lease(address: &str, client: u8, state: LeaseState) -> Lease {
    let hardware = [0x00, 0x04, 0xf2, 0x00, 0x00, client];
    Lease {
        address: address.parse().unwrap(),
        client: ClientKey::new(None, 1, &hardware),
        hardware: hardware_text(&hardware),
        subnet: "10.20.0.0/24".into(),
        state,
        expires_at_ms: 1_000_000 + i64::from(client),
        hostname: (client == 1).then(|| "desk-201".to_string()),
    }
}

/// `lease` at `address` for `client`, held for an hour from now.
fn held(address: &str, client: u8) -> Lease {
    Lease {
        expires_at_ms: phoneprov::clock::now_ms() + 3_600_000,
        ..lease(address, client, LeaseState::Leased)
    }
}

#[tokio::test]
async fn a_lease_another_client_holds_is_refused_with_the_holder() {
    for db in databases().await {
        let store = db.open().await;
        let before = phoneprov::clock::now_ms();
        let first = held("10.30.0.1", 1);
        assert_eq!(
            store
                .save_leases(std::slice::from_ref(&first))
                .await
                .unwrap(),
            []
        );
        // Another client (another node's) for the same address: refused, the holder returned;
        // the rest of the batch is written.
        let second = held("10.30.0.1", 2);
        let elsewhere = held("10.30.0.2", 3);
        assert_eq!(
            store
                .save_leases(&[second.clone(), elsewhere.clone()])
                .await
                .unwrap(),
            vec![first.clone()],
            "{}",
            db.backend
        );
        // The holder renews; once it releases, the other client may have the address.
        let renewed = Lease {
            expires_at_ms: first.expires_at_ms + 1000,
            ..first.clone()
        };
        // One address twice in a batch (a renewal, then another): the last one is written.
        let renewed_again = Lease {
            expires_at_ms: renewed.expires_at_ms + 1000,
            ..renewed.clone()
        };
        assert_eq!(
            store
                .save_leases(&[renewed.clone(), renewed_again])
                .await
                .unwrap(),
            []
        );
        let released = Lease {
            state: LeaseState::Released,
            ..renewed
        };
        assert_eq!(store.save_leases(&[released]).await.unwrap(), []);
        assert_eq!(
            store
                .save_leases(std::slice::from_ref(&second))
                .await
                .unwrap(),
            []
        );
        // An expired lease holds nothing either.
        let expired = lease("10.30.0.3", 4, LeaseState::Leased);
        assert_eq!(store.save_leases(&[expired]).await.unwrap(), []);
        assert_eq!(
            store.save_leases(&[held("10.30.0.3", 5)]).await.unwrap(),
            []
        );
        // Every node reads what was written since it last looked.
        let since: Vec<Lease> = store
            .leases_since(before)
            .await
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert!(
            since.contains(&second) && since.contains(&elsewhere),
            "{since:?}"
        );
        assert!(store.leases_since(i64::MAX).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn leases_are_written_in_one_batch_and_read_back_row_by_row() {
    for db in databases().await {
        let store = db.open().await;
        let first: Vec<Lease> = (1..=300u16)
            .map(|n| {
                let address = format!("10.20.{}.{}", n / 200, n % 200 + 1);
                lease(&address, (n % 250) as u8, LeaseState::Leased)
            })
            .collect();
        store.save_leases(&first).await.unwrap();
        // The same address again replaces its row.
        let released = Lease {
            state: LeaseState::Released,
            ..first[0].clone()
        };
        store
            .save_leases(std::slice::from_ref(&released))
            .await
            .unwrap();
        let read: Vec<Lease> = store
            .leases()
            .await
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(read.len(), 300, "{}", db.backend);
        assert!(read.contains(&released));
        assert!(read.contains(&first[299]));
        assert!(!read.contains(&first[0]));

        // A row that holds no valid lease is reported by itself; the others still read.
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        sqlx::query(
            "INSERT INTO dhcp_leases (address, client, hardware, subnet, state, expires_at_ms, \
             updated_at_ms) VALUES ('10.20.9.999', 'zz', '', 'x', 'bound', 0, 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
        let rows = store.leases().await.unwrap();
        assert_eq!(rows.len(), 301);
        let errors: Vec<String> = rows
            .iter()
            .filter_map(|row| row.as_ref().err().map(ToString::to_string))
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("10.20.9.999"), "{}", errors[0]);
        store.close().await;
    }
}

#[tokio::test]
async fn registration_assignments_and_central_voicemail_on_every_backend() {
    use phoneprov::domain::CallServer;
    for db in databases().await {
        let store = db.open().await;
        let pair = SiteName::parse("pair").unwrap();
        let mut settings = SiteSettings::maxcs_defaults();
        settings.sip_port = Some(5060);
        settings.call_servers = vec![CallServer::at("10.6.0.1"), CallServer::at("10.6.0.2")];
        store.create_site(&pair, &settings, "test").await.unwrap();
        let mut csv = String::from("extension,display_name,site\n");
        for n in 600..610 {
            csv.push_str(&format!("{n},User {n},pair\n"));
        }
        phoneprov::import::import_csv(
            &store,
            csv.as_bytes(),
            &phoneprov::import::ImportOptions::by("test"),
            &|_, _| {},
        )
        .await
        .unwrap();
        let registrations = |extensions: Vec<phoneprov::domain::Extension>| {
            extensions
                .into_iter()
                .map(|e| e.registration.map(|r| (r.primary, r.backup)))
                .collect::<Vec<_>>()
        };
        let both = registrations(store.extensions().await.unwrap());
        let on_first = both
            .iter()
            .filter(|r| r.as_ref().unwrap().0 == "10.6.0.1:5060")
            .count();
        assert_eq!(on_first, 5, "{:?}: {both:?}", db.backend);
        for (primary, backup) in both.iter().flatten() {
            assert_ne!(Some(primary), backup.as_ref(), "{both:?}");
            assert!(backup.is_some());
        }
        // One server left: everybody on it, no backup; none: no assignment at all.
        settings.call_servers.truncate(1);
        store.update_site(&pair, &settings, "test").await.unwrap();
        let one = registrations(store.extensions().await.unwrap());
        assert!(
            one.iter()
                .all(|r| r == &Some(("10.6.0.1:5060".to_string(), None))),
            "{:?}: {one:?}",
            db.backend
        );
        settings.call_servers.clear();
        store.update_site(&pair, &settings, "test").await.unwrap();
        let none = registrations(store.extensions().await.unwrap());
        assert!(none.iter().all(Option::is_none), "{none:?}");
        assert_eq!(store.rebalance(&pair, "test").await.unwrap(), 0);

        // Central voice mail: down needs a central server and a backup; state survives.
        assert!(matches!(
            store.mark_voicemail(true, "test").await,
            Err(StoreError::Refused(_))
        ));
        store
            .set_voicemail(Some("vm1".into()), Some("vm2".into()), "test")
            .await
            .unwrap();
        store.mark_voicemail(true, "test").await.unwrap();
        store.close().await;
        let store = db.open().await;
        let vm = store.snapshot().await.unwrap().voicemail;
        assert!(vm.central_down);
        assert_eq!(vm.target("own"), "vm2");
        store.mark_voicemail(false, "test").await.unwrap();
        assert_eq!(store.voicemail().await.unwrap().target("own"), "vm1");
        let audit = store.audit(3).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["voicemail-up", "voicemail-down", "voicemail-set"]);
        store.close().await;
    }
}

/// Admin changes that read before they write (relocation) run while last-seen batches are
/// written: on SQLite each takes the write lock up front, so none fails with "database is
/// locked".
#[tokio::test]
async fn writes_that_read_first_do_not_fail_beside_other_writes() {
    for db in databases().await {
        let store = std::sync::Arc::new(db.open().await);
        seed_phone(&store, "0004f2000001", "201").await;
        let branch = SiteName::parse("branch").unwrap();
        store
            .create_site(&branch, &SiteSettings::maxcs_defaults(), "test")
            .await
            .unwrap();
        let writer = std::sync::Arc::clone(&store);
        let sightings = tokio::spawn(async move {
            for at in 0..200 {
                let batch = vec![sighting("0004f2000001", at, "201.cfg", Transport::Http)];
                writer
                    .record_sightings(&batch.into_iter().collect())
                    .await?;
            }
            Ok::<_, StoreError>(())
        });
        let number = phoneprov::domain::ExtensionNumber::parse("201").unwrap();
        for round in 0..100 {
            let site = if round % 2 == 0 {
                branch.clone()
            } else {
                SiteName::default_site()
            };
            store
                .relocate(&number, &site, "test")
                .await
                .unwrap_or_else(|e| {
                    panic!("{:?} round {round}: {e}", db.backend);
                });
        }
        sightings.await.unwrap().unwrap();
    }
}
