//! Programmed keys (issue 20): a CSV of keys for a VVX 400, a SoundPoint IP 335 and an Aastra
//! 6757i with an expansion module renders the parameters each vendor documents, as the phone
//! applies its files; a key beyond the model's keys, or of a kind it lacks, is refused with its
//! line.
//!
//! - Polycom busy lamp fields: `attendant.resourceList.N.address/label/type`, `type` `normal`
//!   or `automata` for a park orbit; statically configured BLF on SoundPoint IP 450 to 670 (SIP
//!   3.2) and VVX (Polycom Engineering Advisory 62475) — so not on an IP 335. Speed dials: a
//!   directory entry with `<sd>` 1 to 40 (SIP 1.4 administrator guide 3.1.16.1).
//! - Aastra: `topsoftkeyN`, `softkeyN`, `expmodM keyN` with `type`, `value`, `label`, `line`
//!   (Aastra administrator guide 41-001160, appendix A, "Softkey/Programmable Key/Feature
//!   Key/Expansion Module Key Parameters"); a 6757i has 10 top softkeys and 20 softkeys before
//!   its expansion modules' keys.

use crate::common;

use common::applies::{aastra_applies, builtin, deployment_of, get, polycom_applies};
use common::server::{boot_from, curl, start_on};
use common::{assert_success, golden_deployment, stderr, stdout};

const KEYS: &str = "mac,key,type,value,label
0004f214ab38,1,blf,201,Alice
0004f214ab38,2,park,700,Park 1
0004f214ab38,3,speeddial,5551234,Taxi
0004f2335335,1,speeddial,5559876,Pizza
00085d1610de,1,blf,201,Alice
00085d1610de,11,speeddial,5551234,Taxi
00085d1610de,12,dnd,,
00085d1610de,31,blf,202,Zoe
";

/// Imports the keys CSV `csv` (written to `dir`), which must be refused saying each of
/// `expected`.
fn assert_keys_refused(db: &common::TestDb, dir: &std::path::Path, csv: &str, expected: &[&str]) {
    let bad = common::write_file(dir, "bad-keys.csv", csv);
    let refused = db.run(&["keys", "import", &bad]);
    assert!(!refused.status.success(), "{}", stdout(&refused));
    let said = stderr(&refused);
    for line in expected {
        assert!(said.contains(line), "{line}\n{said}");
    }
}

/// The golden deployment and extension 210 on a SoundPoint IP 335 (0004f2335335).
async fn golden_with_an_ip_335() -> common::TestDb {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    common::import(
        &store,
        "extension,display_name,mac,model,line\n210,Desk Phone,0004f2335335,SPIP_335,1\n",
    )
    .await;
    store.close().await;
    db
}

#[tokio::test]
async fn keys_render_the_parameters_each_vendor_documents() {
    let db = golden_with_an_ip_335().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| common::write_file(dir.path(), name, text);

    // Refused with line and column, and nothing written.
    let bad = write(
        "bad.csv",
        &format!("{KEYS}0004f2335335,2,blf,201,\n00085d1610de,211,blf,201,\n"),
    );
    let refused = db.run(&["keys", "import", &bad]);
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(
        said.contains(
            "line 10, column type: a SPIP_335 on sip32 has no statically configured busy lamp field"
        ),
        "{said}"
    );
    assert!(
        said.contains("line 11, column key: key 211 is beyond the 210 keys of a 6757i"),
        "{said}"
    );
    assert_eq!(
        stdout(&db.run(&["keys", "list"])).trim(),
        "mac,key,type,value,label"
    );

    let good = write("keys.csv", KEYS);
    let imported = db.run(&["keys", "import", &good]);
    assert_success(&imported, "keys import");
    assert!(stdout(&imported).contains("keys: 8 on 3 phones or profiles"));

    let store = db.open().await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let vvx = polycom_applies(&provisioner, &deployment, "0004f214ab38").applied;
    for (name, value) in [
        ("attendant.resourceList.1.address", "201"),
        ("attendant.resourceList.1.label", "Alice"),
        ("attendant.resourceList.1.type", "normal"),
        ("attendant.resourceList.2.address", "700"),
        ("attendant.resourceList.2.type", "automata"),
    ] {
        assert_eq!(get(&vvx, name), Some(value), "{name}");
    }
    let ip335 = polycom_applies(&provisioner, &deployment, "0004f2335335").applied;
    assert!(ip335.keys().all(|k| !k.starts_with("attendant.")));

    let aastra = aastra_applies(&provisioner, &deployment, "00085d1610de", "6757i");
    for (name, value) in [
        ("topsoftkey1 type", "blf"),
        ("topsoftkey1 value", "201"),
        ("topsoftkey1 label", "Alice"),
        ("topsoftkey1 line", "1"),
        ("softkey1 type", "speeddial"),
        ("softkey1 value", "5551234"),
        ("softkey2 type", "dnd"),
        ("expmod1 key1 type", "blf"),
        ("expmod1 key1 value", "202"),
        ("expmod1 key1 label", "Zoe"),
    ] {
        assert_eq!(get(&aastra, name), Some(value), "{name}");
    }
    store.close().await;

    // Polycom speed dials are directory entries with their index, in the phone's directory.
    let server = start_on(db, &[]);
    for (mac, number, index) in [
        ("0004f214ab38", "5551234", 3),
        ("0004f2335335", "5559876", 1),
    ] {
        boot_from(&server, "127.0.0.1", mac);
        let reply = curl(&format!("{}/{mac}-directory.xml", server.base), &[]);
        assert_eq!(reply.status, 200);
        let text = String::from_utf8(reply.body).unwrap();
        common::applies::assert_xmllint_accepts(&text);
        let compact: String = text.split_whitespace().collect();
        assert!(
            compact.contains(&format!("<ct>{number}</ct><sd>{index}</sd>")),
            "{text}"
        );
    }
}

/// Keys a model cannot do are refused at import, with the reason, and named by `check` when they
/// reach a phone another way (a profile given later); valid keys are not refused:
/// - a Mitel 6867i takes busy lamp fields only on its top softkeys ("BLF functionality can only
///   be programmed on the top softkeys", Mitel 6873i user guide; the 6869i guide, release 4.0.0
///   SP1, p. 110, likewise), so its key 21 (its first bottom softkey) takes a speed dial but no
///   BLF;
/// - a VVX 450 takes expansion modules (12 line keys + 3 x 40, as Wazo's Polycom plugin counts
///   them), a SoundPoint IP 650 47 BLF keys with its sidecars (Wazo's `_NB_FKEY`).
#[tokio::test]
async fn keys_a_model_cannot_do_are_refused_and_valid_ones_taken() {
    let db = common::sqlite_db();
    let store = db.open().await;
    golden_deployment(&store).await;
    common::import(
        &store,
        "extension,display_name,mac,model,line\n\
         260,Mitel Desk,00085d006867,6867i,1\n\
         261,Front,0004f2000450,VVX_450,1\n\
         262,Lobby,0004f2000650,SPIP_650,1\n",
    )
    .await;
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| common::write_file(dir.path(), name, text);
    assert_keys_refused(
        &db,
        dir.path(),
        "mac,key,type,value,label\n\
         00085d006867,21,blf,201,Alice\n\
         0004f2000650,48,blf,201,Alice\n",
        &[
            "line 2, column type: a 6867i takes busy lamp fields only on its top softkeys (keys 1 to 20) and expansion modules; key 21 is a bottom softkey",
            "line 3, column key: key 48 is beyond the 47 keys of a SPIP_650",
        ],
    );
    let good = db.run(&[
        "keys",
        "import",
        &write(
            "good.csv",
            "mac,key,type,value,label\n\
             00085d006867,20,blf,201,Alice\n\
             00085d006867,21,speeddial,5551234,Taxi\n\
             0004f2000450,13,blf,201,Alice\n\
             0004f2000450,132,blf,202,Zoe\n\
             0004f2000650,47,blf,201,Alice\n\
             profile:reception,22,blf,202,Zoe\n",
        ),
    ]);
    assert_success(&good, "keys import");

    // The profile reaches the 6867i afterwards: check names the dead key, and the phone's file
    // leaves it out.
    let settings = write(
        "settings.csv",
        "scope,target,parameter,value\nphone,00085d006867,@profile,reception\n",
    );
    assert_success(
        &db.run(&["settings", "import", &settings]),
        "settings import",
    );
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    assert!(
        stdout(&out).contains(
            "warning: phone 00085d006867 key 22 (blf): a 6867i takes busy lamp fields only on its top softkeys"
        ),
        "{}",
        stdout(&out)
    );
    let store = db.open().await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let mitel = aastra_applies(&provisioner, &deployment, "00085d006867", "6867i");
    assert_eq!(get(&mitel, "topsoftkey20 type"), Some("blf"));
    assert_eq!(get(&mitel, "softkey1 type"), Some("speeddial"));
    assert_eq!(
        get(&mitel, "softkey2 type"),
        None,
        "the profile's dead BLF is left out"
    );
    store.close().await;
}

/// A Polycom phone's speed dials are entries of its directory file (`<sd>`; SIP 1.4
/// administrator guide 3.1.16.1): `phoneprov render` prints them and `publish` sends them, so a
/// phone served from a published boot server gets them too, and a phone with `@directory none`
/// gets them alone.
#[tokio::test]
async fn speed_dials_are_in_the_rendered_and_published_directory() {
    let db = golden_with_an_ip_335().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.csv");
    std::fs::write(&keys, KEYS).unwrap();
    assert_success(
        &db.run(&["keys", "import", keys.to_str().unwrap()]),
        "keys import",
    );
    let compact = |text: &str| text.split_whitespace().collect::<String>();

    let rendered = db.run(&["render", "0004f214ab38-directory.xml"]);
    assert_success(&rendered, "render");
    let rendered = stdout(&rendered);
    assert!(
        compact(&rendered).contains("<ct>5551234</ct><sd>3</sd>"),
        "{rendered}"
    );
    assert!(
        compact(&rendered).contains("<ct>201</ct>"),
        "the company list too"
    );

    let folder = tempfile::tempdir().unwrap();
    let target = format!("dir:{}", folder.path().display());
    assert_success(&db.run(&["publish", &target]), "publish");
    let published =
        std::fs::read_to_string(folder.path().join("0004f214ab38-directory.xml")).unwrap();
    assert_eq!(
        published,
        rendered.trim_end_matches('\n').to_string() + "\n"
    );
    let other = std::fs::read_to_string(folder.path().join("0004f2335335-directory.xml")).unwrap();
    assert!(
        compact(&other).contains("<ct>5559876</ct><sd>1</sd>"),
        "each phone its own: {other}"
    );
    assert!(!compact(&other).contains("<sd>3</sd>"), "{other}");

    let settings = dir.path().join("settings.csv");
    std::fs::write(
        &settings,
        "scope,target,parameter,value\nphone,0004f214ab38,@directory,none\n",
    )
    .unwrap();
    assert_success(
        &db.run(&["settings", "import", settings.to_str().unwrap()]),
        "settings import",
    );
    let alone = stdout(&db.run(&["render", "0004f214ab38-directory.xml"]));
    assert!(compact(&alone).contains("<sd>3</sd>"), "{alone}");
    assert!(
        !compact(&alone).contains("<ct>201</ct>"),
        "no company list: {alone}"
    );
}

/// A Polycom BLF or pickup key picks up the watched extension's ringing call, and a park key
/// parks, only with the phone's directed call pickup and call park features on (issue 31 item
/// 3). Polycom's stock SIP 3.1.6 and 3.2.4B `sip.cfg` ship them off:
/// `feature.10.name="call-park" feature.10.enabled="0"` and
/// `feature.12.name="directed-call-pickup" feature.12.enabled="0"`; that file comes last in
/// `CONFIG_FILES` and the first value read wins, so the phone applies phoneprov's
/// `enabled="1"` at the same index and name. UC Software spells them
/// `feature.callPark.enabled` and `feature.directedCallPickup.enabled`. A phone with only a
/// speed dial gets neither, and a phone with only a BLF gets no call park.
#[tokio::test]
async fn polycom_pickup_and_park_keys_switch_their_features_on_per_family() {
    let db = common::sqlite_db();
    let store = db.open().await;
    common::import(
        &store,
        "extension,display_name,mac,model,line\n\
         271,SoundPoint,0004f2000651,SPIP_650,1\n\
         272,VVX,0004f2000451,VVX_450,1\n\
         273,Only BLF,0004f2000401,VVX_400,1\n\
         274,Only speed dial,0004f2000402,VVX_400,1\n",
    )
    .await;
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = common::write_file(
        dir.path(),
        "keys.csv",
        "mac,key,type,value,label\n\
         0004f2000651,1,pickup,272,VVX\n\
         0004f2000651,2,park,700,Park\n\
         0004f2000451,1,blf,271,SoundPoint\n\
         0004f2000451,2,park,701,Park\n\
         0004f2000401,1,blf,271,SoundPoint\n\
         0004f2000402,1,speeddial,5551234,Taxi\n",
    );
    assert_success(&db.run(&["keys", "import", &keys]), "keys import");
    let store = db.open().await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    // The stock SIP 3.x sip.cfg's values, read after phoneprov's files.
    let stock = [
        ("feature.10.name", "call-park"),
        ("feature.10.enabled", "0"),
        ("feature.12.name", "directed-call-pickup"),
        ("feature.12.enabled", "0"),
    ];
    let mut soundpoint = polycom_applies(&provisioner, &deployment, "0004f2000651");
    assert!(
        soundpoint
            .config_files
            .ends_with(&["phone1.cfg".to_string(), "sip.cfg".to_string()]),
        "{:?}",
        soundpoint.config_files
    );
    for (name, value) in stock {
        soundpoint
            .applied
            .entry(name.to_string())
            .or_insert(value.to_string());
    }
    for (name, value) in [
        ("feature.10.name", "call-park"),
        ("feature.10.enabled", "1"),
        ("feature.12.name", "directed-call-pickup"),
        ("feature.12.enabled", "1"),
    ] {
        assert_eq!(get(&soundpoint.applied, name), Some(value), "{name}");
    }
    let vvx = polycom_applies(&provisioner, &deployment, "0004f2000451").applied;
    assert_eq!(get(&vvx, "feature.callPark.enabled"), Some("1"));
    assert_eq!(get(&vvx, "feature.directedCallPickup.enabled"), Some("1"));
    assert!(!vvx.contains_key("feature.10.enabled"));
    let only_blf = polycom_applies(&provisioner, &deployment, "0004f2000401").applied;
    assert_eq!(
        get(&only_blf, "feature.directedCallPickup.enabled"),
        Some("1")
    );
    assert_eq!(get(&only_blf, "feature.callPark.enabled"), None);
    let only_speed_dial = polycom_applies(&provisioner, &deployment, "0004f2000402").applied;
    for name in [
        "feature.callPark.enabled",
        "feature.directedCallPickup.enabled",
    ] {
        assert_eq!(get(&only_speed_dial, name), None, "{name}");
    }
    store.close().await;
}

/// Aastra/Mitel park, retrieve and pickup keys in the forms the Aastra guide 41-001343-01
/// (release 3.2.2) documents (issue 31 item 1):
/// - p. 5-219, "Call Park/Pickup Configuration Precedence Rule": a `park` key parks and a
///   `pickup` key retrieves, each valued `<server>;<code>` ("softkey1 value: broadworks;*68"),
///   and `sip lineN park pickup config: <park>;<pickup>;<server>` ("70;70;asterisk") wins over
///   the keys' values from 3.x on; so it is written only when the phone's keys name one orbit;
/// - p. 5-129, "Directed Call Pickup": a colleague's ringing call is picked up by pressing a
///   BLF key with directed call pickup on (off, the press "performs a speeddial"), the
///   `directed call pickup prefix` dialled before the extension where the server's messages
///   carry no pickup information.
///
/// A `pickup` key is then what it is on every vendor: a directed pickup of the extension.
/// Yealink gets the code as `features.pickup.direct_pickup_code` (T5 guide, "Directed Call
/// Pickup") and has no key phoneprov can confirm retrieves a parked call; a Polycom park orbit's
/// key (`automata`) parks and retrieves (EA 62475).
#[tokio::test]
async fn aastra_park_retrieve_and_pickup_keys_take_the_guides_forms() {
    let db = common::sqlite_db();
    let store = db.open().await;
    common::import(
        &store,
        "extension,display_name,mac,model,line\n\
         281,Reception,00085d000281,6757i,1\n\
         282,Back office,00085d000282,6757i,1\n\
         283,Mitel,00085d006283,6867i,1\n\
         284,Yealink,805ec0000284,T46S,1\n\
         285,VVX,0004f2000285,VVX_400,1\n",
    )
    .await;
    common::import_settings_csv(
        &store,
        "scope,target,parameter,value\ndeployment,,@pickup_code,*8\n",
    )
    .await;
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| common::write_file(dir.path(), name, text);
    assert_keys_refused(
        &db,
        dir.path(),
        "mac,key,type,value,label\n\
         00085d006283,21,pickup,281,Reception\n\
         805ec0000284,1,retrieve,700,Orbit\n",
        &[
            "line 2, column type: a 6867i takes busy lamp fields only on its top softkeys",
            "line 3, column type: no Yealink key type phoneprov can confirm retrieves a parked call",
        ],
    );
    let keys = write(
        "keys.csv",
        "mac,key,type,value,label\n\
         00085d000281,1,park,700,Park\n\
         00085d000281,2,retrieve,700,Unpark\n\
         00085d000281,3,pickup,282,Back office\n\
         00085d000282,1,park,700,Park 1\n\
         00085d000282,2,park,701,Park 2\n\
         00085d000282,3,park,broadworks;*68,Park BW\n\
         0004f2000285,1,retrieve,700,Unpark\n",
    );
    assert_success(&db.run(&["keys", "import", &keys]), "keys import");

    let store = db.open().await;
    let deployment = deployment_of(&store).await;
    let provisioner = builtin();
    let reception = aastra_applies(&provisioner, &deployment, "00085d000281", "6757i");
    for (name, value) in [
        ("topsoftkey1 type", "park"),
        ("topsoftkey1 value", "asterisk;700"),
        ("topsoftkey2 type", "pickup"),
        ("topsoftkey2 value", "asterisk;700"),
        ("sip line1 park pickup config", "700;700;asterisk"),
        ("topsoftkey3 type", "blf"),
        ("topsoftkey3 value", "282"),
        ("directed call pickup", "1"),
        ("directed call pickup prefix", "*8"),
    ] {
        assert_eq!(get(&reception, name), Some(value), "{name}");
    }
    // Two orbits: the keys' own values, no line configuration to override them.
    let back_office = aastra_applies(&provisioner, &deployment, "00085d000282", "6757i");
    assert_eq!(get(&back_office, "topsoftkey1 value"), Some("asterisk;700"));
    assert_eq!(get(&back_office, "topsoftkey2 value"), Some("asterisk;701"));
    assert_eq!(
        get(&back_office, "topsoftkey3 value"),
        Some("broadworks;*68")
    );
    assert_eq!(get(&back_office, "sip line1 park pickup config"), None);
    assert_eq!(get(&back_office, "directed call pickup"), None);

    let vvx = polycom_applies(&provisioner, &deployment, "0004f2000285").applied;
    assert_eq!(get(&vvx, "attendant.resourceList.1.type"), Some("automata"));
    assert_eq!(get(&vvx, "feature.callPark.enabled"), Some("1"));
    store.close().await;

    let server = start_on(db, &[]);
    common::server::boot_vendor_from(&server, "127.0.0.1", "805ec0000284", "yealink");
    let yealink = common::server::yealink_value(
        &server,
        "805ec0000284.cfg",
        "features.pickup.direct_pickup_code",
    );
    assert_eq!(yealink, "*8");
}
