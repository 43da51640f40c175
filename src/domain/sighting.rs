//! Sightings gathered between two writes: the latest per phone and a tally per phone and file.
//! However many requests a boot storm makes, one write holds one row per phone and per file
//! fetched, so recording last-seen data never grows with the request rate. Apart, per phone, the
//! latest address its credential files went to (its home network at the next start).

use crate::domain::{FileFetch, Mac, Sighting};

/// A map keyed by what a phone's request carries, with a fast hasher: the batch is merged on
/// every fetch, and its keys (MACs, file names of known phones) are no attacker's choice.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Sightings merged for one write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SightingBatch {
    latest: HashMap<Mac, Sighting>,
    /// Per phone, per file name (nested so a lookup needs no key to be built).
    fetches: HashMap<Mac, HashMap<String, FileFetch>>,
    /// Per phone, the latest address a credential file went to, and when.
    homes: HashMap<Mac, (i64, String)>,
}

impl SightingBatch {
    /// Merges one sighting: it becomes the phone's latest if it is not older, and counts once
    /// for its file.
    pub fn add(&mut self, sighting: Sighting) {
        let files = self.fetches.entry(sighting.mac).or_default();
        match files.get_mut(sighting.file.as_str()) {
            Some(tally) => {
                tally.count += 1;
                if sighting.at_ms >= tally.last_at_ms {
                    tally.last_at_ms = sighting.at_ms;
                    tally.transport = sighting.transport;
                }
            }
            None => {
                let tally = FileFetch {
                    file: sighting.file.clone(),
                    count: 1,
                    last_at_ms: sighting.at_ms,
                    transport: sighting.transport,
                };
                files.insert(sighting.file.clone(), tally);
            }
        }
        match self.latest.get_mut(&sighting.mac) {
            Some(latest) if latest.at_ms > sighting.at_ms => {}
            Some(latest) => *latest = sighting,
            None => {
                self.latest.insert(sighting.mac, sighting);
            }
        }
    }

    /// Merges one sighting of a credential file gone out: as [`SightingBatch::add`], and its
    /// address becomes the phone's home if it is not older.
    pub fn add_credentials(&mut self, sighting: Sighting) {
        match self.homes.get_mut(&sighting.mac) {
            Some((at_ms, _)) if *at_ms > sighting.at_ms => {}
            Some(home) => *home = (sighting.at_ms, sighting.ip.clone()),
            None => {
                self.homes
                    .insert(sighting.mac, (sighting.at_ms, sighting.ip.clone()));
            }
        }
        self.add(sighting);
    }

    /// Merges `other` into this batch, as if its sightings had been added here.
    pub fn absorb(&mut self, other: SightingBatch) {
        for (mac, files) in other.fetches {
            let mine = self.fetches.entry(mac).or_default();
            for (file, tally) in files {
                match mine.get_mut(&file) {
                    Some(held) => {
                        held.count += tally.count;
                        if tally.last_at_ms >= held.last_at_ms {
                            held.last_at_ms = tally.last_at_ms;
                            held.transport = tally.transport;
                        }
                    }
                    None => {
                        mine.insert(file, tally);
                    }
                }
            }
        }
        for (mac, sighting) in other.latest {
            match self.latest.get_mut(&mac) {
                Some(held) if held.at_ms > sighting.at_ms => {}
                Some(held) => *held = sighting,
                None => {
                    self.latest.insert(mac, sighting);
                }
            }
        }
        for (mac, home) in other.homes {
            match self.homes.get_mut(&mac) {
                Some(held) if held.0 > home.0 => {}
                Some(held) => *held = home,
                None => {
                    self.homes.insert(mac, home);
                }
            }
        }
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.latest.is_empty() && self.homes.is_empty()
    }

    /// Per phone, the latest address its credential files went to, and when.
    pub fn homes(&self) -> impl Iterator<Item = (&Mac, i64, &str)> {
        self.homes
            .iter()
            .map(|(mac, (at_ms, ip))| (mac, *at_ms, ip.as_str()))
    }

    /// The latest sighting of each phone.
    pub fn latest(&self) -> impl Iterator<Item = &Sighting> {
        self.latest.values()
    }

    /// The fetches of each phone and file: how many, and the latest.
    pub fn fetches(&self) -> impl Iterator<Item = (&Mac, &FileFetch)> {
        self.fetches
            .iter()
            .flat_map(|(mac, files)| files.values().map(move |tally| (mac, tally)))
    }
}

impl FromIterator<Sighting> for SightingBatch {
    fn from_iter<I: IntoIterator<Item = Sighting>>(sightings: I) -> Self {
        let mut batch = SightingBatch::default();
        for sighting in sightings {
            batch.add(sighting);
        }
        batch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Transport;

    fn seen(mac: &str, at_ms: i64, file: &str, transport: Transport) -> Sighting {
        Sighting {
            mac: Mac::parse(mac).unwrap(),
            at_ms,
            ip: "192.0.2.7".into(),
            user_agent: None,
            firmware: None,
            file: file.into(),
            transport,
        }
    }

    #[test]
    fn the_latest_wins_and_every_fetch_counts() {
        let batch: SightingBatch = [
            seen("0004f2000001", 2_000, "a.cfg", Transport::Http),
            seen("0004f2000001", 1_000, "a.cfg", Transport::Ftp),
            seen("0004f2000001", 3_000, "b.cfg", Transport::Tftp),
            seen("0004f2000002", 500, "a.cfg", Transport::Http),
        ]
        .into_iter()
        .collect();
        let mut latest: Vec<(String, i64)> = batch
            .latest()
            .map(|s| (s.mac.to_string(), s.at_ms))
            .collect();
        latest.sort();
        assert_eq!(
            latest,
            [("0004f2000001".into(), 3_000), ("0004f2000002".into(), 500)]
        );
        let mut fetches: Vec<(String, String, i64, i64, Transport)> = batch
            .fetches()
            .map(|(mac, f)| {
                (
                    mac.to_string(),
                    f.file.clone(),
                    f.count,
                    f.last_at_ms,
                    f.transport,
                )
            })
            .collect();
        fetches.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        assert_eq!(
            fetches,
            [
                (
                    "0004f2000001".into(),
                    "a.cfg".into(),
                    2,
                    2_000,
                    Transport::Http
                ),
                (
                    "0004f2000001".into(),
                    "b.cfg".into(),
                    1,
                    3_000,
                    Transport::Tftp
                ),
                (
                    "0004f2000002".into(),
                    "a.cfg".into(),
                    1,
                    500,
                    Transport::Http
                ),
            ]
        );
    }

    #[test]
    fn a_batch_absorbed_is_the_same_as_its_sightings_added() {
        let all = [
            seen("0004f2000001", 2_000, "a.cfg", Transport::Http),
            seen("0004f2000001", 1_000, "a.cfg", Transport::Ftp),
            seen("0004f2000001", 3_000, "b.cfg", Transport::Tftp),
            seen("0004f2000002", 500, "a.cfg", Transport::Http),
        ];
        let whole: SightingBatch = all.clone().into_iter().collect();
        let mut first: SightingBatch = all[..2].iter().cloned().collect();
        let mut second = SightingBatch::default();
        for sighting in all[2..].iter().cloned() {
            second.add_credentials(sighting);
        }
        first.absorb(second);
        assert_eq!(first.latest, whole.latest);
        assert_eq!(first.fetches, whole.fetches);
        assert_eq!(first.homes().count(), 2);
    }

    #[test]
    fn a_home_is_the_latest_address_credentials_went_to() {
        let mut batch = SightingBatch::default();
        let mut office = seen("0004f2000001", 2_000, "201.cfg", Transport::Http);
        office.ip = "10.1.1.20".into();
        batch.add_credentials(office);
        let mut older = seen("0004f2000001", 1_000, "201.cfg", Transport::Http);
        older.ip = "10.9.9.9".into();
        batch.add_credentials(older);
        let mut scanner = seen("0004f2000001", 5_000, "0004f2000001.cfg", Transport::Http);
        scanner.ip = "203.0.113.66".into();
        batch.add(scanner);
        let homes: Vec<(String, i64, String)> = batch
            .homes()
            .map(|(mac, at, ip)| (mac.to_string(), at, ip.to_string()))
            .collect();
        assert_eq!(
            homes,
            [("0004f2000001".into(), 2_000, "10.1.1.20".into())],
            "a master file (any fetch) moves last-seen, not the home"
        );
        let latest: Vec<&str> = batch.latest().map(|s| s.ip.as_str()).collect();
        assert_eq!(latest, ["203.0.113.66"]);
    }
}
