//! Field correctness (issue 17): the values a real phone *applies* after reading its whole file
//! set the way its vendor documents it, never our own output copied back.
//!
//! - Polycom: the master file, then each file of `CONFIG_FILES` in order; the first file that
//!   sets a parameter wins (SIP 1.4 admin guide, "the first occurrence of a parameter wins"; see
//!   `../shared/reference/phones.md` §2). Vendor files from the firmware folder (`phone1.cfg`,
//!   `sip.cfg`) come last and hold only factory defaults, so they are left out here.
//! - Aastra/Mitel: `aastra.cfg`, then `<model>.cfg`, then `<MAC>.cfg`; the last value read wins,
//!   names are not case sensitive (Aastra 9000i admin guide; Mitel 6800 admin guide A-6).
//!
//! Every expected value below is written from a vendor document or from the law that sets a
//! zone's clock, cited where it is used.

use crate::common;
use phoneprov::store::prelude::*;

use std::collections::HashMap;

use common::applies::{
    aastra_applies, attributes, builtin, content, deployment_of, get, golden, golden_poly_today,
    polycom_applies,
};
use common::{databases, import, sqlite_db};
use phoneprov::domain::{CallServer, EmergencyNumbers, Recheck, SiteName, SiteSettings, ZoneName};
use phoneprov::handset::polycom::firmware::FirmwarePins;
use phoneprov::store::SqlStore;

async fn add_site(store: &SqlStore, name: &str, edit: impl FnOnce(&mut SiteSettings)) {
    let mut settings = SiteSettings::new_site_defaults();
    settings.call_servers = vec![CallServer::at("10.50.0.5")];
    edit(&mut settings);
    store
        .create_site(&SiteName::parse(name).unwrap(), &settings, "test")
        .await
        .unwrap();
}

/// A clock as each vendor applies it. Polycom: `gmtOffset` seconds east of UTC; DST start/stop by
/// month, `date` (1, 8, 15, 22 = first to fourth occurrence, with fixedDayEnable 0) or
/// `lastInMonth`, `dayOfWeek` (1 = Sunday) and `time` (hour) — Polycom SIP 2.2 admin guide, A-53.
/// Aastra: `time zone minutes` positive *west* of UTC ("EST ... 300"), `dst start|end week` 1-5 or
/// -1 for the last, `day` 1 = Sunday, `hour` 0-23 — Aastra admin guide 41-001343-02, 5-16/5-17
/// and A-48 to A-52.
struct Expected {
    zone: &'static str,
    sntp: &'static str,
    polycom_offset: &'static str,
    aastra_minutes: &'static str,
    /// (month, Polycom date or "last", Aastra week, hour) for start and end; `None`: no DST.
    dst: Option<[(&'static str, &'static str, &'static str, &'static str); 2]>,
}

/// The five zones of the acceptance, with the rules their laws set:
/// - Los Angeles: UTC-8; DST from the second Sunday of March 2:00 to the first Sunday of
///   November 2:00 (US Energy Policy Act of 2005).
/// - Phoenix: UTC-7, Arizona keeps no DST.
/// - Berlin: UTC+1; DST from the last Sunday of March 01:00 UTC (2:00 local) to the last Sunday
///   of October 01:00 UTC (3:00 summer time) (EU directive 2000/84/EC).
/// - Sydney: UTC+10; DST from the first Sunday of October 2:00 to the first Sunday of April 3:00
///   daylight time (NSW Standard Time Act 1987, as amended 2007) — southern hemisphere.
/// - Kolkata: UTC+5:30, no DST (Indian Standard Time).
const ZONES: [Expected; 5] = [
    Expected {
        zone: "America/Los_Angeles",
        sntp: "ntp-la.example.net",
        polycom_offset: "-28800",
        aastra_minutes: "480",
        dst: Some([("3", "8", "2", "2"), ("11", "1", "1", "2")]),
    },
    Expected {
        zone: "America/Phoenix",
        sntp: "ntp-phx.example.net",
        polycom_offset: "-25200",
        aastra_minutes: "420",
        dst: None,
    },
    Expected {
        zone: "Europe/Berlin",
        sntp: "ntp-ber.example.net",
        polycom_offset: "3600",
        aastra_minutes: "-60",
        dst: Some([("3", "last", "-1", "2"), ("10", "last", "-1", "3")]),
    },
    Expected {
        zone: "Australia/Sydney",
        sntp: "ntp-syd.example.net",
        polycom_offset: "36000",
        aastra_minutes: "-600",
        dst: Some([("10", "1", "1", "2"), ("4", "1", "1", "3")]),
    },
    Expected {
        zone: "Asia/Kolkata",
        sntp: "ntp-ccu.example.net",
        polycom_offset: "19800",
        aastra_minutes: "-330",
        dst: None,
    },
];

#[tokio::test]
async fn each_phone_applies_its_own_sites_time_zone_and_time_server() {
    for db in databases().await {
        let store = db.open().await;
        let mut csv = String::from("extension,display_name,mac,model,site,line\n");
        for (i, zone) in ZONES.iter().enumerate() {
            let site = format!("zone{i}");
            add_site(&store, &site, |s| {
                s.time_zone = Some(ZoneName::parse(zone.zone).unwrap());
                s.sntp_server = zone.sntp.into();
            })
            .await;
            csv.push_str(&format!(
                "{}1,Polycom {i},0004f2c0000{i},VVX_400,{site},1\n{}2,Aastra {i},00085dc0000{i},6757i,{site},1\n",
                40 + i,
                40 + i
            ));
        }
        import(&store, &csv).await;
        let deployment = deployment_of(&store).await;
        let provisioner = builtin();
        for (i, zone) in ZONES.iter().enumerate() {
            let polycom = polycom_applies(&provisioner, &deployment, &format!("0004f2c0000{i}"));
            let p = &polycom.applied;
            let place = format!("{} Polycom", zone.zone);
            assert_eq!(get(p, "tcpIpApp.sntp.address"), Some(zone.sntp), "{place}");
            assert_eq!(
                get(p, "tcpIpApp.sntp.gmtOffset"),
                Some(zone.polycom_offset),
                "{place}"
            );
            // The site's own DHCP server must not override them (options 2 and 42).
            assert_eq!(get(p, "tcpIpApp.sntp.address.overrideDHCP"), Some("1"));
            assert_eq!(get(p, "tcpIpApp.sntp.gmtOffset.overrideDHCP"), Some("1"));

            let aastra = aastra_applies(
                &provisioner,
                &deployment,
                &format!("00085dc0000{i}"),
                "6757i",
            );
            let a = &aastra;
            let place = format!("{} Aastra", zone.zone);
            assert_eq!(get(a, "time server disabled"), Some("0"), "{place}");
            assert_eq!(get(a, "time server1"), Some(zone.sntp), "{place}");
            assert_eq!(get(a, "time zone name"), Some("Custom"), "{place}");
            assert_eq!(
                get(a, "time zone minutes"),
                Some(zone.aastra_minutes),
                "{place}"
            );
            match zone.dst {
                None => {
                    assert_eq!(
                        get(p, "tcpIpApp.sntp.daylightSavings.enable"),
                        Some("0"),
                        "{place}"
                    );
                    assert_eq!(get(a, "dst config"), Some("0"), "{place}");
                }
                Some(changes) => {
                    assert_eq!(get(p, "tcpIpApp.sntp.daylightSavings.enable"), Some("1"));
                    assert_eq!(
                        get(p, "tcpIpApp.sntp.daylightSavings.fixedDayEnable"),
                        Some("0")
                    );
                    // dst config 3: automatic, on the custom rules (Aastra guide; Wazo agrees).
                    assert_eq!(get(a, "dst config"), Some("3"), "{place}");
                    assert_eq!(get(a, "dst minutes"), Some("60"), "{place}");
                    assert_eq!(get(a, "dst [start|end] relative date"), Some("1"));
                    for ((polycom_name, aastra_name), (month, date, week, hour)) in
                        [("start", "start"), ("stop", "end")]
                            .into_iter()
                            .zip(changes)
                    {
                        let pk =
                            |k: &str| format!("tcpIpApp.sntp.daylightSavings.{polycom_name}.{k}");
                        let place = format!("{} {polycom_name}", zone.zone);
                        assert_eq!(get(p, &pk("month")), Some(month), "{place}");
                        assert_eq!(get(p, &pk("time")), Some(hour), "{place}");
                        assert_eq!(get(p, &pk("dayOfWeek")), Some("1"), "{place}");
                        if date == "last" {
                            assert_eq!(get(p, &pk("dayOfWeek.lastInMonth")), Some("1"));
                        } else {
                            assert_eq!(get(p, &pk("dayOfWeek.lastInMonth")), Some("0"));
                            assert_eq!(get(p, &pk("date")), Some(date), "{place}");
                        }
                        let ak = |k: &str| format!("dst {aastra_name} {k}");
                        assert_eq!(get(a, &ak("month")), Some(month), "{place}");
                        assert_eq!(get(a, &ak("week")), Some(week), "{place}");
                        assert_eq!(get(a, &ak("day")), Some("1"), "{place}");
                        assert_eq!(get(a, &ak("hour")), Some(hour), "{place}");
                    }
                }
            }
        }
        store.close().await;
    }
}

#[tokio::test]
async fn a_site_without_a_time_gets_utc_and_check_warns() {
    let db = sqlite_db();
    let store = db.open().await;
    add_site(&store, "nowhere", |_| {}).await;
    import(
        &store,
        "extension,display_name,mac,model,site\n701,A,0004f2d00001,VVX_400,nowhere\n702,B,00085dd00001,6757i,nowhere\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let polycom = polycom_applies(&provisioner, &deployment, "0004f2d00001");
    assert_eq!(get(&polycom.applied, "tcpIpApp.sntp.gmtOffset"), Some("0"));
    assert_eq!(
        get(&polycom.applied, "tcpIpApp.sntp.daylightSavings.enable"),
        Some("0")
    );
    let aastra = aastra_applies(&provisioner, &deployment, "00085dd00001", "6757i");
    assert_eq!(get(&aastra, "time zone minutes"), Some("0"));
    assert_eq!(get(&aastra, "dst config"), Some("0"));
    store.close().await;
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    let report = common::stdout(&out);
    assert!(
        report.contains("warning: site \"nowhere\" has no time zone set; its phones are told UTC"),
        "{report}"
    );
    // A zone name set from the command line, checked against the tz database.
    let bad = db.run(&["site", "set", "nowhere", "--time-zone", "Mars/Olympus"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        common::stderr(&bad).contains("time_zone: \"Mars/Olympus\" is not a time zone"),
        "{}",
        common::stderr(&bad)
    );
    common::assert_success(
        &db.run(&["site", "set", "nowhere", "--time-zone", "Europe/Berlin"]),
        "site set --time-zone",
    );
    let report = common::stdout(&db.run(&["check", "--server-address", "10.0.0.1"]));
    assert!(!report.contains("no time zone set"), "{report}");
    let berlin = db.run(&["render", "--mac", "00085dd00001"]);
    assert!(
        common::stdout(&berlin).contains("time zone minutes: -60\n"),
        "{}",
        common::stdout(&berlin)
    );
}

/// Aastra phones subscribe for message waiting explicitly: the phone's default is off ("Explicit
/// MWI Subscription ... Default is disabled", Aastra 480i admin guide 41-001129-00 rev 09, 3-17),
/// and MAXCS needs the subscription.
#[tokio::test]
async fn aastra_phones_subscribe_for_message_waiting() {
    let (_db, store, deployment) = golden().await;
    let aastra = aastra_applies(&builtin(), &deployment, "00085d1610de", "6757i");
    assert_eq!(get(&aastra, "sip explicit mwi subscription"), Some("1"));
    assert_eq!(
        get(&aastra, "sip explicit mwi subscription period"),
        Some("3600")
    );
    // The message key dials the MAXCS voice mail access code.
    assert_eq!(get(&aastra, "sip line1 vmail"), Some("##"));
    store.close().await;
}

/// VVX phones run UC Software 5.x/6.x, SoundPoint IP 601 SIP 3.1.x, the IP 331 and 430 SIP 3.2
/// (the AltiGen guide's 3.2.7), the IP 300 SIP 2.1, and an IP 331 pinned to UC Software 4.0 that:
/// each gets its family's image, `CONFIG_FILES` and parameter spellings. UC Software names ring
/// classes (`autoAnswer`) and the message-waiting pattern (`se.pat.misc.messageWaiting`); SIP 3.x numbers them (ring class 3 of
/// its `sip.cfg`, `se.pat.misc.1`, SIP 3.1 admin guide A-36). UC Software keeps its defaults in the
/// application, so its masters list no vendor files (Wazo's 4.x-6.x masters list only their own).
#[tokio::test]
async fn each_firmware_family_gets_its_masters_files_and_spellings() {
    let (_db, store, _) = golden().await;
    import(
        &store,
        "extension,display_name,mac,model,site\n\
         801,SIP 2.1,0004f2e00001,SPIP_300,default\n\
         802,SIP 3.2,0004f2e00002,SPIP_430,default\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    // (MAC, APP_FILE_PATH, CONFIG_FILES, ring class, message-waiting pattern prefix)
    let cases = [
        (
            "0004f2e00001",
            "sip_212.ld",
            "0004f2e00001-settings.cfg, 801.cfg, altigen.cfg, phone1_212.cfg, sip_212.cfg",
            "3",
            "se.pat.misc.1.",
        ),
        (
            "0004f2ac0206",
            "sip_31.ld",
            "0004f2ac0206-settings.cfg, 206.cfg, altigen.cfg, phone1_31.cfg, sip_31.cfg",
            "3",
            "se.pat.misc.1.",
        ),
        (
            "0004f2e00002",
            "sip.ld",
            "0004f2e00002-settings.cfg, 802.cfg, altigen.cfg, phone1.cfg, sip.cfg",
            "3",
            "se.pat.misc.1.",
        ),
        (
            "0004f214ab37",
            "sip.ld",
            "0004f214ab37-settings.cfg, 201.cfg, altigen.cfg, phone1.cfg, sip.cfg",
            "3",
            "se.pat.misc.1.",
        ),
        (
            "0004f214ab38",
            "uc5/sip.ld",
            "0004f214ab38-settings.cfg, 202.cfg, 203.cfg, altigen.uc.cfg",
            "autoAnswer",
            "se.pat.misc.messageWaiting.",
        ),
    ];
    for (mac, image, files, class, pattern) in cases {
        let view = polycom_applies(&provisioner, &deployment, mac);
        assert_eq!(view.master["APP_FILE_PATH"], image, "{mac}");
        assert_eq!(view.config_files.join(", "), files, "{mac}");
        assert_eq!(
            get(&view.applied, "voIpProt.SIP.alertInfo.1.class"),
            Some(class),
            "{mac}: MAXCS intercom (Alert-Info) auto-answers"
        );
        assert!(
            view.applied
                .keys()
                .any(|k| k.starts_with(pattern) && k.ends_with(".inst.1.type")),
            "{mac}: the message-waiting beep is silenced by {pattern}*"
        );
        assert!(
            !view
                .applied
                .keys()
                .any(|k| k.starts_with("se.pat.misc.") && !k.starts_with(pattern)),
            "{mac}: only its family's spelling"
        );
    }
    // The default master: each SoundPoint family's model gets its own section (element names as
    // in provisioner.net's master: APPLICATION_SPIP301, APP_FILE_PATH_SPIP301 ...).
    let default = content(&provisioner, &deployment, "000000000000.cfg").unwrap();
    let default: HashMap<String, String> = attributes(&default).into_iter().collect();
    assert_eq!(default["APP_FILE_PATH"], "uc5/sip.ld");
    assert_eq!(default["CONFIG_FILES"], "");
    for (tag, image, files) in [
        ("SPIP300", "sip_212.ld", "phone1_212.cfg, sip_212.cfg"),
        ("SPIP301", "sip_31.ld", "phone1_31.cfg, sip_31.cfg"),
        ("SPIP601", "sip_31.ld", "phone1_31.cfg, sip_31.cfg"),
        ("SSIP4000", "sip_31.ld", "phone1_31.cfg, sip_31.cfg"),
        ("SPIP430", "sip.ld", "phone1.cfg, sip.cfg"),
        ("SPIP335", "sip.ld", "phone1.cfg, sip.cfg"),
    ] {
        assert_eq!(default[&format!("APP_FILE_PATH_{tag}")], image, "{tag}");
        assert_eq!(default[&format!("CONFIG_FILES_{tag}")], files, "{tag}");
    }
    assert!(
        !default.contains_key("APP_FILE_PATH_VVX400"),
        "VVX: the default"
    );

    // A pin: the image of one model, and the family of another's image.
    let pins =
        FirmwarePins::parse(&["VVX_400=vvx/5.9.7/sip.ld", "SPIP_331=uc4:uc4/sip.ld"]).unwrap();
    let pinned = builtin().with_pins(pins);
    let vvx = polycom_applies(&pinned, &deployment, "0004f214ab38");
    assert_eq!(vvx.master["APP_FILE_PATH"], "vvx/5.9.7/sip.ld");
    let upgraded = polycom_applies(&pinned, &deployment, "0004f214ab37");
    assert_eq!(upgraded.master["APP_FILE_PATH"], "uc4/sip.ld");
    assert_eq!(
        upgraded.config_files.join(", "),
        "0004f214ab37-settings.cfg, 201.cfg, altigen.uc.cfg"
    );
    assert_eq!(
        get(&upgraded.applied, "voIpProt.SIP.alertInfo.1.class"),
        Some("autoAnswer")
    );
    assert!(
        upgraded
            .applied
            .contains_key("se.pat.misc.messageWaiting.inst.1.type")
    );
    let default = content(&pinned, &deployment, "000000000000.cfg").unwrap();
    assert!(
        default.contains(r#"APP_FILE_PATH_VVX400="vvx/5.9.7/sip.ld""#),
        "{default}"
    );
    store.close().await;
}

/// Two MAXCS servers do not share registrations: the phone must re-register with the backup
/// when the primary fails and fail calls without a registration (`failOver.reRegisterOn`,
/// `failOver.failRegistrationOn`, both 0 by default, which means "the servers share
/// registrations"), and go back to the primary after a while (`failBack.mode`, `timeout`) —
/// Polycom UC Software 4.1.6 admin guide, pp. 47 and 56.
#[tokio::test]
async fn a_phone_with_a_backup_server_re_registers_and_fails_back() {
    let (_db, store, deployment) = golden().await;
    let view = polycom_applies(&builtin(), &deployment, "0004f2aa0001");
    let p = &view.applied;
    assert_eq!(get(p, "reg.1.server.2.address"), Some("10.10.0.5"));
    for server in [1, 2] {
        let k = |name: &str| format!("reg.1.server.{server}.failOver.{name}");
        assert_eq!(get(p, &k("reRegisterOn")), Some("1"), "server {server}");
        assert_eq!(
            get(p, &k("failRegistrationOn")),
            Some("1"),
            "server {server}"
        );
        assert_eq!(get(p, &k("failBack.mode")), Some("duration"));
        let timeout: u32 = get(p, &k("failBack.timeout")).unwrap().parse().unwrap();
        assert!(timeout > 0, "0 would never fail back");
    }
    store.close().await;
}

fn minute_of(time: &str) -> u32 {
    let (h, m) = time.split_once(':').unwrap();
    h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
}

/// Phones re-check their files daily at a quiet time, each at its own minute of a two-hour
/// window: Polycom `prov.polling.enabled/mode/period/time` (abs: daily at `time`; UC Software
/// 5.8 admin guide, "Provisional Polling of Polycom Phones"), Aastra `auto resync mode` (3 =
/// configuration and firmware) and `auto resync time` (Aastra admin guide 41-001343-02,
/// Auto-Resync parameters).
#[tokio::test]
async fn phones_recheck_daily_spread_over_the_window_and_it_can_be_turned_off() {
    let db = sqlite_db();
    let store = db.open().await;
    add_site(&store, "night", |s| {
        s.recheck = Recheck::parse("01:30").unwrap();
    })
    .await;
    add_site(&store, "never", |s| s.recheck = Recheck::Off).await;
    let mut csv = String::from("extension,display_name,mac,model,site\n");
    for i in 0..20 {
        csv.push_str(&format!("9{i:02},P{i},0004f2f000{i:02},VVX_400,night\n"));
        csv.push_str(&format!("8{i:02},A{i},00085df000{i:02},6757i,night\n"));
    }
    csv.push_str("777,Off P,0004f2f00100,VVX_400,never\n778,Off A,00085df00100,6757i,never\n");
    import(&store, &csv).await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let mut minutes = std::collections::HashSet::new();
    for i in 0..20 {
        let polycom = polycom_applies(&provisioner, &deployment, &format!("0004f2f000{i:02}"));
        let p = &polycom.applied;
        assert_eq!(get(p, "prov.polling.enabled"), Some("1"));
        assert_eq!(get(p, "prov.polling.mode"), Some("abs"));
        assert_eq!(get(p, "prov.polling.period"), Some("86400"));
        let minute = minute_of(get(p, "prov.polling.time").unwrap());
        assert!((90..210).contains(&minute), "{minute}");
        minutes.insert(minute);
        let aastra = aastra_applies(
            &provisioner,
            &deployment,
            &format!("00085df000{i:02}"),
            "6757i",
        );
        assert_eq!(get(&aastra, "auto resync mode"), Some("3"));
        let minute = minute_of(get(&aastra, "auto resync time").unwrap());
        assert!((90..210).contains(&minute), "{minute}");
        minutes.insert(minute);
    }
    assert!(minutes.len() > 20, "spread: {minutes:?}");
    let off = polycom_applies(&provisioner, &deployment, "0004f2f00100");
    assert_eq!(get(&off.applied, "prov.polling.enabled"), Some("0"));
    let off = aastra_applies(&provisioner, &deployment, "00085df00100", "6757i");
    assert_eq!(get(&off, "auto resync mode"), Some("0"));
    assert_eq!(get(&off, "auto resync time"), None);
    store.close().await;
}

/// A Polycom digit map dials as soon as the digits match a rule without `T`; rules are tried in
/// order. Emergency numbers come first so `911` never waits for `xxx.T`'s timeout (US Kari's Law:
/// direct dialling of 911; Polycom's stock `sip.cfg` map likewise starts with `[2-9]11`).
#[tokio::test]
async fn emergency_numbers_dial_at_once() {
    let db = sqlite_db();
    let store = db.open().await;
    add_site(&store, "uk", |s| {
        s.emergency_numbers = EmergencyNumbers::parse("999,112").unwrap();
    })
    .await;
    import(
        &store,
        "extension,display_name,mac,model,site\n601,A,0004f2a10001,VVX_400,uk\n602,B,0004f2a10002,VVX_400,default\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    for (mac, numbers) in [
        ("0004f2a10001", ["999", "112"]),
        ("0004f2a10002", ["911", "9911"]),
    ] {
        let view = polycom_applies(&provisioner, &deployment, mac);
        let map = get(&view.applied, "dialplan.digitmap").unwrap();
        let rules: Vec<&str> = map.split('|').collect();
        // First: no rule before them could take the call and hold it for the timeout.
        assert_eq!(rules[..2], numbers, "{map}");
    }
    store.close().await;
}

/// `@codecs` where a model reads a codec list of its own: Polycom's stock SIP 3.2.4B `sip.cfg`
/// (shipped with the firmware) has `voice.codecPref.IP_650.G722="1"`, `IP_650.G711Mu="2"` ...
/// beside the generic list, and the SIP 1.4 administrator guide (4.6.1.6.1.1) names such a list
/// its platform's. A SoundPoint IP 650 on SIP 3.2 gets the admin's order in both lists, first in
/// its `CONFIG_FILES` (the first value read wins), so it applies it whichever list it reads; a
/// SoundPoint IP 550 has no list of its own and gets the generic one only.
#[tokio::test]
async fn codecs_go_where_a_soundpoint_650_reads_them() {
    let db = sqlite_db();
    let store = db.open().await;
    import(
        &store,
        "extension,display_name,mac,model\n801,A,0004f2c10650,SPIP_650\n802,B,0004f2c10550,SPIP_550\n",
    )
    .await;
    common::import_settings_csv(
        &store,
        "scope,target,parameter,value\ndeployment,,@codecs,\"g722,pcma\"\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let ip650 = polycom_applies(&provisioner, &deployment, "0004f2c10650");
    for list in ["voice.codecPref", "voice.codecPref.IP_650"] {
        assert_eq!(
            get(&ip650.applied, &format!("{list}.G722")),
            Some("1"),
            "{list}"
        );
        assert_eq!(
            get(&ip650.applied, &format!("{list}.G711A")),
            Some("2"),
            "{list}"
        );
        assert_eq!(
            get(&ip650.applied, &format!("{list}.G711Mu")),
            Some("0"),
            "{list}"
        );
    }
    let ip550 = polycom_applies(&provisioner, &deployment, "0004f2c10550");
    assert_eq!(get(&ip550.applied, "voice.codecPref.G722"), Some("1"));
    assert!(
        ip550
            .applied
            .keys()
            .all(|k| !k.starts_with("voice.codecPref.IP_")),
        "no list of its own"
    );
    store.close().await;
}

/// Failover names per firmware family: a phone gets only the names its firmware reads. UC
/// Software reads `reg.x.server.y.failOver.reRegisterOn`, `failRegistrationOn`,
/// `onlySignalWithRegistered` and `failBack.*` (UC 4.1.6 administrator guide, pp. 47, 56);
/// Polycom's stock SIP 3.2.4B `phone1.cfg` lists `reRegisterOn`, `failRegistrationOn` and
/// `failBack.*` but no `onlySignalWithRegistered`; the stock SIP 3.1.6 `phone1.cfg` lists no
/// `failOver` name at all.
#[tokio::test]
async fn each_firmware_family_gets_the_failover_names_it_reads() {
    let db = sqlite_db();
    let store = db.open().await;
    add_site(&store, "pair", |s| {
        s.call_servers = vec![CallServer::at("10.60.0.1"), CallServer::at("10.60.0.2")];
    })
    .await;
    import(
        &store,
        "extension,display_name,mac,model,site\n\
         901,A,0004f2d10400,VVX_400,pair\n\
         902,B,0004f2d10550,SPIP_550,pair\n\
         903,C,0004f2d10601,SPIP_601,pair\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let failover = |mac: &str| {
        let view = polycom_applies(&provisioner, &deployment, mac);
        assert!(
            get(&view.applied, "reg.1.server.2.address").is_some(),
            "{mac} has a backup"
        );
        let mut names: Vec<String> = view
            .applied
            .keys()
            .filter(|k| k.starts_with("reg.1.server.1.failOver."))
            .map(|k| k.trim_start_matches("reg.1.server.1.failOver.").to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        failover("0004f2d10400"),
        [
            "failBack.mode",
            "failBack.timeout",
            "failRegistrationOn",
            "onlySignalWithRegistered",
            "reRegisterOn"
        ]
    );
    assert_eq!(
        failover("0004f2d10550"),
        [
            "failBack.mode",
            "failBack.timeout",
            "failRegistrationOn",
            "reRegisterOn"
        ]
    );
    assert!(failover("0004f2d10601").is_empty());
    store.close().await;
}

/// Whether a digit-map rule takes `dialled` as a complete number the moment it is dialled: the
/// same length, each digit matching (`x` any digit, `[2-9]`/`[2,5]` a set), and no `.` or `T`
/// (those wait for more digits or the timeout). Polycom UC: "If a number you dial matches any
/// string of a digit map, the call is automatically placed" (CX5500 admin guide 1.1.0, p. 81);
/// Yealink dial-now: "x" a placeholder for any character, `[5-7]` a range (T4 guide, "Dial
/// Plan").
fn dials_at_once(rule: &str, dialled: &str) -> bool {
    if rule.contains(['.', 'T']) {
        return false;
    }
    let mut digits = dialled.chars();
    let mut chars = rule.chars();
    while let Some(c) = chars.next() {
        let Some(d) = digits.next() else {
            return false;
        };
        let matched = match c {
            'x' | 'X' => d.is_ascii_digit(),
            '[' => {
                let set: String = chars.by_ref().take_while(|&c| c != ']').collect();
                set.split(',').any(|part| match part.split_once('-') {
                    Some((a, b)) => (a..=b).contains(&d.to_string().as_str()),
                    None => part == d.to_string(),
                })
            }
            other => other == d,
        };
        if !matched {
            return false;
        }
    }
    digits.next().is_none()
}

/// The digits after which a phone places the call: the first prefix of `number` a rule takes.
fn placed_after(rules: &[&str], number: &str) -> Option<String> {
    (1..=number.len())
        .map(|n| &number[..n])
        .find(|prefix| rules.iter().any(|rule| dials_at_once(rule, prefix)))
        .map(str::to_string)
}

/// A site's dial plan is the site's: in Berlin (8-digit local numbers after the trunk prefix 0,
/// 112 for emergencies) the North American plan sends `0` on its own, cutting the number off;
/// with the site's own plan the whole number goes, the emergency number still at once, on
/// Polycom (`dialplan.digitmap`) and Yealink (`dialplan.dialnow.rule.N`) phones alike.
#[tokio::test]
async fn a_berlin_site_dials_by_its_own_plan() {
    let db = sqlite_db();
    let store = db.open().await;
    for (name, plan) in [
        ("berlin-nanp", None),
        ("berlin", Some("[1-7]xx|0[1-9]xxxxxxx|00x.T")),
    ] {
        add_site(&store, name, |s| {
            s.time_zone = Some(ZoneName::parse("Europe/Berlin").unwrap());
            s.emergency_numbers = EmergencyNumbers::parse("112").unwrap();
            s.dial_plan = plan.map(|p| phoneprov::domain::DialPlan::parse(p).unwrap());
        })
        .await;
    }
    import(
        &store,
        "extension,display_name,mac,model,site\n\
         701,A,0004f2b10001,VVX_400,berlin-nanp\n\
         702,B,0004f2b10002,VVX_400,berlin\n\
         703,C,001565b10003,T46S,berlin\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let local = "030123456";
    let polycom_rules = |mac: &str| {
        let view = polycom_applies(&provisioner, &deployment, mac);
        get(&view.applied, "dialplan.digitmap").unwrap().to_string()
    };
    let nanp = polycom_rules("0004f2b10001");
    let nanp: Vec<&str> = nanp.split('|').collect();
    assert_eq!(placed_after(&nanp, local).as_deref(), Some("0"), "cut off");
    let own = polycom_rules("0004f2b10002");
    let own: Vec<&str> = own.split('|').collect();
    assert_eq!(placed_after(&own, local).as_deref(), Some(local));
    assert_eq!(placed_after(&own, "112").as_deref(), Some("112"));
    assert_eq!(placed_after(&own, "201").as_deref(), Some("201"));

    let yealink = content(&provisioner, &deployment, "001565b10003.cfg").unwrap();
    let dial_now: Vec<&str> = yealink
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .filter(|(k, _)| k.starts_with("dialplan.dialnow.rule."))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(
        dial_now,
        ["112", "[1-7]xx", "0[1-9]xxxxxxx"],
        "00x.T waits: not dial-now"
    );
    assert_eq!(placed_after(&dial_now, local).as_deref(), Some(local));
    store.close().await;
}

/// `phoneprov check` names each file the master files of the deployment's model families refer
/// to that the firmware folder lacks, with the models that need it; a pinned image too.
#[tokio::test]
async fn check_names_the_firmware_each_family_lacks() {
    let (db, store, _) = golden().await;
    store.close().await;
    let firmware = db.dir.path().join("firmware");
    std::fs::create_dir_all(firmware.join("uc5")).unwrap();
    for present in ["uc5/sip.ld", "sip.ld", "phone1.cfg", "sip_31.ld"] {
        std::fs::write(firmware.join(present), "image").unwrap();
    }
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    let report = common::stdout(&out);
    let dir = firmware.display();
    for line in [
        format!(
            "warning: firmware folder {dir} lacks phone1_31.cfg, which the master files of SIP 3.1.x phones (SPIP_601) name"
        ),
        format!(
            "warning: firmware folder {dir} lacks sip_31.cfg, which the master files of SIP 3.1.x phones (SPIP_601) name"
        ),
        format!(
            "warning: firmware folder {dir} lacks sip.cfg, which the master files of SIP 3.2.x phones (SPIP_331, SPIP_550) name"
        ),
    ] {
        assert!(report.contains(&line), "{line}\n{report}");
    }
    for present in ["uc5/sip.ld", "sip.ld", "phone1.cfg", "sip_31.ld"] {
        assert!(!report.contains(&format!("lacks {present},")), "{report}");
    }
    assert!(
        report.ends_with("check: 0 error(s), 4 warning(s)\n"),
        "{report}"
    );
    let pinned = db.run(&[
        "check",
        "--server-address",
        "10.0.0.1",
        "--firmware-pin",
        "VVX_400=vvx/5.9.7/sip.ld",
    ]);
    assert!(
        common::stdout(&pinned).contains(
            "lacks vvx/5.9.7/sip.ld, which the master files of UC Software 5.x phones (VVX_400) name"
        ),
        "{}",
        common::stdout(&pinned)
    );
    let refused = db.run(&["check", "--firmware-pin", "6757i=6757i.st"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        common::stderr(&refused).contains("firmware pin \"6757i=6757i.st\""),
        "{}",
        common::stderr(&refused)
    );
}

/// A pinned image is what the phone's master names, and phoneprov serves it from the firmware
/// folder under that path, over HTTP as a phone fetches it.
#[tokio::test]
async fn a_pinned_image_is_named_and_served_from_the_firmware_folder() {
    let server = common::server::start_with(&["--firmware-pin", "VVX_400=vvx/5.9.7/sip.ld"]).await;
    let folder = server.firmware.join("vvx/5.9.7");
    std::fs::create_dir_all(&folder).unwrap();
    let image: Vec<u8> = (0..100_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(folder.join("sip.ld"), &image).unwrap();
    let master = common::server::curl(&format!("{}/0004f214ab38.cfg", server.base), &[]);
    assert_eq!(master.status, 200);
    let master: HashMap<String, String> = attributes(&String::from_utf8(master.body).unwrap())
        .into_iter()
        .collect();
    let path = &master["APP_FILE_PATH"];
    assert_eq!(path, "vvx/5.9.7/sip.ld");
    let fetched = common::server::curl(&format!("{}/{path}", server.base), &[]);
    assert_eq!((fetched.status, fetched.body.len()), (200, image.len()));
    assert!(fetched.body == image, "the pinned image, byte for byte");
}

/// A rendered parameter name with its line key, server and pattern numbers replaced by the
/// placeholders of `docs/phone-parameters.md` (`reg.N.server.M.address`, `sip lineN password`,
/// `se.pat.misc.1.inst.K.type`, `APP_FILE_PATH_<model>`).
pub(crate) fn placeholder_name(kind: &str, name: &str) -> String {
    fn digits_after(name: &str, marker: &str, placeholder: &str) -> String {
        let Some(at) = name.find(marker) else {
            return name.to_string();
        };
        let start = at + marker.len();
        let end = name[start..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(name.len(), |i| start + i);
        if end == start {
            return name.to_string();
        }
        format!("{}{placeholder}{}", &name[..start], &name[end..])
    }
    let mut name = name.to_string();
    match kind {
        "polycom-master" => {
            for prefix in ["APP_FILE_PATH_", "CONFIG_FILES_"] {
                if let Some(tag) = name.strip_prefix(prefix)
                    && !tag.is_empty()
                {
                    name = format!("{prefix}<model>");
                }
            }
        }
        "polycom-extension" => {
            name = digits_after(&name, "reg.", "N");
            name = digits_after(&name, "reg.N.server.", "M");
            name = digits_after(&name, "msg.mwi.", "N");
        }
        "aastra-phone" => name = digits_after(&name, "sip line", "N"),
        "yealink-phone" => {
            name = digits_after(&name, "account.", "N");
            name = digits_after(&name, "account.N.sip_server.", "M");
            name = digits_after(&name, "voice_mail.number.", "N");
            name = digits_after(&name, "dialplan.dialnow.rule.", "R");
            name = digits_after(&name, "dialplan.dialnow.line_id.", "R");
        }
        _ => {}
    }
    digits_after(&name, ".inst.", "K")
}

/// The parameter names of each table of `docs/phone-parameters.md`, by the kind its marker
/// comment names.
pub(crate) fn documented_parameters() -> HashMap<String, std::collections::BTreeSet<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/phone-parameters.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut tables: HashMap<String, std::collections::BTreeSet<String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(kind) = line
            .strip_prefix("<!-- parameters: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            current = Some(kind.to_string());
            tables.entry(kind.to_string()).or_default();
            continue;
        }
        let Some(kind) = &current else { continue };
        if !line.starts_with('|') {
            if !line.trim().is_empty() {
                current = None;
            }
            continue;
        }
        let first_cell = line.trim_start_matches('|').replace("\\|", "\u{1}");
        let first_cell = first_cell.split('|').next().unwrap_or("").trim();
        if let Some(name) = first_cell
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix('`'))
        {
            tables
                .get_mut(kind)
                .unwrap()
                .insert(name.replace('\u{1}', "|"));
        }
    }
    tables
}

/// `docs/phone-parameters.md` lists exactly the parameters the rendered files of the golden
/// deployment (both sites, both spellings, a backup server, DST by weekday and by last weekday,
/// the beep silenced and not) hold, table by table.
#[tokio::test]
async fn the_parameter_tables_match_the_rendered_files() {
    let (_db, store, deployment) = golden_poly_today().await;
    let provisioner = builtin();
    let kinds: [(&str, &[&str]); 8] = [
        (
            "polycom-master",
            &[
                "000000000000.cfg",
                "0004f214ab37.cfg",
                "0004f214ab38.cfg",
                "0004f2aa0001.cfg",
                "0004f2ac0206.cfg",
                "0004f2450207.cfg",
                "64167f0e4508.cfg",
                "482567c60209.cfg",
            ],
        ),
        (
            "polycom-extension",
            &[
                "201.cfg", "202.cfg", "203.cfg", "206.cfg", "207.cfg", "208.cfg", "209.cfg",
                "3001.cfg",
            ],
        ),
        (
            "polycom-settings",
            &["0004f214ab37-settings.cfg", "0004f2450207-settings.cfg"],
        ),
        ("polycom-site-sip", &["altigen.cfg", "site-branch.cfg"]),
        ("polycom-site-uc", &["altigen.uc.cfg", "site-branch.uc.cfg"]),
        ("aastra-global", &["aastra.cfg"]),
        ("aastra-model", &["6757i.cfg"]),
        ("aastra-phone", &["00085D1610DE.cfg"]),
    ];
    let documented = documented_parameters();
    // Yealink's tables are checked against a Yealink deployment (`yealink.rs`).
    let others = documented.keys().filter(|k| !k.starts_with("yealink"));
    assert_eq!(others.count(), kinds.len(), "{:?}", documented.keys());
    for (kind, files) in kinds {
        let mut rendered = std::collections::BTreeSet::new();
        for file in files {
            let text = content(&provisioner, &deployment, file).expect(file);
            let names: Vec<String> = if kind.starts_with("polycom") {
                attributes(&text)
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect()
            } else {
                text.lines()
                    .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
                    .map(|l| l.split_once(':').expect("key: value").0.trim().to_string())
                    .collect()
            };
            rendered.extend(names.iter().map(|n| placeholder_name(kind, n)));
        }
        let table = &documented[kind];
        let undocumented: Vec<_> = rendered.difference(table).collect();
        let unrendered: Vec<_> = table.difference(&rendered).collect();
        assert!(
            undocumented.is_empty() && unrendered.is_empty(),
            "{kind}: rendered but not in docs/phone-parameters.md: {undocumented:?}; \
             documented but not rendered: {unrendered:?}"
        );
    }
    store.close().await;
}

/// The Poly phones sold today (issue 31 items 10 and 12). Each fetches the image of its own
/// firmware line: the VVX x50 and x01/x11 run UC Software 6.x (the models of Wazo provd's
/// `v6_4_6` plugin), the Edge E and CCX phones their own releases, so each gets a folder of its
/// own. Poly's cloud services are off unless `@cloud` is on: zero-touch provisioning
/// (`device.prov.ztpEnabled`, a `<device/>` parameter, applied only with `device.set` and its
/// `.set` at 1) and Poly Lens (`feature.lens.enabled`), named as third-party generators write them
/// (docs/phone-parameters.md); a SoundPoint on SIP 3.2 has neither and gets neither.
#[tokio::test]
async fn poly_phones_of_today_boot_their_own_firmware_with_the_cloud_off() {
    let (_db, store, deployment) = golden_poly_today().await;
    let provisioner = builtin();
    for (mac, image) in [
        ("0004f2450207", "uc6/sip.ld"),
        ("64167f0e4508", "edge/sip.ld"),
        ("482567c60209", "ccx/sip.ld"),
    ] {
        let view = polycom_applies(&provisioner, &deployment, mac);
        assert_eq!(view.master["APP_FILE_PATH"], image, "{mac}");
        let p = &view.applied;
        assert_eq!(get(p, "device.set"), Some("1"), "{mac}");
        assert_eq!(get(p, "device.prov.ztpEnabled.set"), Some("1"), "{mac}");
        assert_eq!(get(p, "device.prov.ztpEnabled"), Some("0"), "{mac}");
        assert_eq!(get(p, "feature.lens.enabled"), Some("0"), "{mac}");
        // UC Software spellings, as every UC release reads them.
        assert_eq!(
            get(p, "voIpProt.SIP.alertInfo.1.class"),
            Some("autoAnswer"),
            "{mac}"
        );
    }
    let soundpoint = polycom_applies(&provisioner, &deployment, "0004f214ab37");
    assert_eq!(get(&soundpoint.applied, "device.prov.ztpEnabled"), None);
    assert_eq!(get(&soundpoint.applied, "feature.lens.enabled"), None);

    common::import_settings_csv(
        &store,
        "scope,target,parameter,value\nphone,64167f0e4508,@cloud,on\n",
    )
    .await;
    let deployment = deployment_of(&store).await;
    let edge = polycom_applies(&provisioner, &deployment, "64167f0e4508");
    assert_eq!(get(&edge.applied, "device.prov.ztpEnabled"), Some("1"));
    assert_eq!(get(&edge.applied, "feature.lens.enabled"), Some("1"));
    let vvx = polycom_applies(&provisioner, &deployment, "0004f2450207");
    assert_eq!(get(&vvx.applied, "device.prov.ztpEnabled"), Some("0"));
    store.close().await;
}
