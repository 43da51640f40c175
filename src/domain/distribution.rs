//! Registration distribution (requirements §3): in a site with several call servers every
//! extension gets a primary server and another server of the site as backup, spread in
//! proportion to capacity (equal shares without), so no server holds more than its share
//! rounded up.
//!
//! Assignments are stored, so they are stable across restarts. Two modes:
//! - [`Mode::Place`] (imports, new and relocated extensions): only extensions without a valid
//!   assignment are placed, each on the server furthest below its share; nobody else moves.
//! - [`Mode::Rebalance`] (a server added or removed, or an admin's rebalance): every server gets
//!   its exact share, moving only the extensions above a server's share (the fewest moves
//!   that reach it). Backups are balanced the same way among the other servers of each primary.

use std::collections::HashMap;

use crate::domain::ExtensionNumber;

/// An extension's registration servers, by server key (`address:port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The server it registers to.
    pub primary: String,
    /// Another server of the site it falls back to; `None` in a one-server site.
    pub backup: Option<String>,
}

/// How much may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Place only the extensions without a valid assignment.
    Place,
    /// Reach every server's exact share with the fewest moves.
    Rebalance,
}

/// A server as distribution sees it: key and share weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    /// `address:port`.
    pub key: String,
    /// Capacity, or 1.
    pub weight: u64,
}

/// Distributes `members` (each with its current bin, if any) over `bins`; returns the new bin
/// index of every member, in the order given. `bins` must not be empty.
fn balance(bins: &[Bin], members: &[(&ExtensionNumber, Option<&str>)], mode: Mode) -> Vec<usize> {
    let index: HashMap<&str, usize> = bins
        .iter()
        .enumerate()
        .map(|(i, b)| (b.key.as_str(), i))
        .collect();
    let current: Vec<Option<usize>> = members
        .iter()
        .map(|(_, key)| key.and_then(|k| index.get(k).copied()))
        .collect();
    let mut counts = vec![0usize; bins.len()];
    for bin in current.iter().flatten() {
        counts[*bin] += 1;
    }
    let mut result: Vec<Option<usize>> = current.clone();
    if mode == Mode::Rebalance {
        let targets = shares(bins, members.len(), &counts);
        // Above its share: the highest numbers move, the rest stay.
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|a, b| members[*b].0.sort_key().cmp(&members[*a].0.sort_key()));
        for i in order {
            if let Some(bin) = result[i]
                && counts[bin] > targets[bin]
            {
                counts[bin] -= 1;
                result[i] = None;
            }
        }
    }
    let mut homeless: Vec<usize> = (0..members.len())
        .filter(|i| result[*i].is_none())
        .collect();
    homeless.sort_by(|a, b| members[*a].0.sort_key().cmp(&members[*b].0.sort_key()));
    for i in homeless {
        let bin = emptiest(bins, &counts);
        counts[bin] += 1;
        result[i] = Some(bin);
    }
    result.into_iter().map(|bin| bin.unwrap_or(0)).collect()
}

/// The bin furthest below its share: least `(count + 1) / weight`, first on ties.
fn emptiest(bins: &[Bin], counts: &[usize]) -> usize {
    let mut best = 0;
    for i in 1..bins.len() {
        // a/b < c/d  <=>  a*d < c*b (weights are at least 1).
        let load = |j: usize| (counts[j] as u128 + 1, u128::from(bins[j].weight.max(1)));
        let ((a, b), (c, d)) = (load(i), load(best));
        if a * d < c * b {
            best = i;
        }
    }
    best
}

/// Each bin's exact share of `total` members: the floor of its proportional share, plus one for
/// the bins with the largest remainders (on equal remainders: those holding more now, then the
/// first), so the shares add up to `total`.
fn shares(bins: &[Bin], total: usize, counts: &[usize]) -> Vec<usize> {
    let weight: u128 = bins.iter().map(|b| u128::from(b.weight.max(1))).sum();
    let total_wide = total as u128;
    let mut targets = Vec::with_capacity(bins.len());
    let mut remainders = Vec::with_capacity(bins.len());
    for (i, bin) in bins.iter().enumerate() {
        let scaled = total_wide * u128::from(bin.weight.max(1));
        targets.push((scaled / weight) as usize);
        remainders.push((scaled % weight, counts[i], i));
    }
    let left = total - targets.iter().sum::<usize>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for (_, _, i) in remainders.into_iter().take(left) {
        targets[i] += 1;
    }
    targets
}

/// New assignments of a site's extensions over its `servers`; only changed ones are returned.
/// With no server, nothing is assigned (the extensions use phoneprov's own address).
pub fn distribute(
    servers: &[Bin],
    extensions: &[(ExtensionNumber, Option<Assignment>)],
    mode: Mode,
) -> Vec<(ExtensionNumber, Option<Assignment>)> {
    if servers.is_empty() {
        return extensions
            .iter()
            .filter(|(_, a)| a.is_some())
            .map(|(n, _)| (n.clone(), None))
            .collect();
    }
    let members: Vec<(&ExtensionNumber, Option<&str>)> = extensions
        .iter()
        .map(|(n, a)| (n, a.as_ref().map(|a| a.primary.as_str())))
        .collect();
    let primaries = balance(servers, &members, mode);
    let mut backups: Vec<Option<usize>> = vec![None; extensions.len()];
    if servers.len() > 1 {
        for (primary, _) in servers.iter().enumerate() {
            let others: Vec<usize> = (0..servers.len()).filter(|i| *i != primary).collect();
            let bins: Vec<Bin> = others.iter().map(|i| servers[*i].clone()).collect();
            let group: Vec<usize> = (0..extensions.len())
                .filter(|i| primaries[*i] == primary)
                .collect();
            let members: Vec<(&ExtensionNumber, Option<&str>)> = group
                .iter()
                .map(|i| {
                    let (number, assignment) = &extensions[*i];
                    (
                        number,
                        assignment.as_ref().and_then(|a| a.backup.as_deref()),
                    )
                })
                .collect();
            for (slot, bin) in balance(&bins, &members, mode).into_iter().enumerate() {
                backups[group[slot]] = Some(others[bin]);
            }
        }
    }
    extensions
        .iter()
        .enumerate()
        .filter_map(|(i, (number, before))| {
            let after = Assignment {
                primary: servers[primaries[i]].key.clone(),
                backup: backups[i].map(|b| servers[b].key.clone()),
            };
            (before.as_ref() != Some(&after)).then(|| (number.clone(), Some(after)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bins(weights: &[u64]) -> Vec<Bin> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| Bin {
                key: format!("s{i}:5060"),
                weight: *w,
            })
            .collect()
    }

    fn numbers(count: usize) -> Vec<(ExtensionNumber, Option<Assignment>)> {
        (0..count)
            .map(|i| {
                (
                    ExtensionNumber::parse(&(1000 + i).to_string()).unwrap(),
                    None,
                )
            })
            .collect()
    }

    /// Distributes and applies; the number of extensions whose assignment changed.
    fn settle(
        extensions: &mut [(ExtensionNumber, Option<Assignment>)],
        servers: &[Bin],
        mode: Mode,
    ) -> usize {
        let changes: HashMap<_, _> = distribute(servers, extensions, mode).into_iter().collect();
        for (number, assignment) in extensions.iter_mut() {
            if let Some(new) = changes.get(number) {
                *assignment = new.clone();
            }
        }
        changes.len()
    }

    fn primary_counts(extensions: &[(ExtensionNumber, Option<Assignment>)]) -> Vec<usize> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (_, a) in extensions {
            *counts.entry(&a.as_ref().unwrap().primary).or_default() += 1;
        }
        let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
        counts.sort();
        counts.into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn weighted_shares_follow_capacity() {
        let mut extensions = numbers(1000);
        let servers = bins(&[1, 2, 2]);
        settle(&mut extensions, &servers, Mode::Place);
        assert_eq!(primary_counts(&extensions), vec![200, 400, 400]);
    }

    #[test]
    fn placing_one_by_one_stays_even() {
        let servers = bins(&[1, 1, 1]);
        let mut extensions = Vec::new();
        for (number, _) in numbers(100) {
            extensions.push((number, None));
            settle(&mut extensions, &servers, Mode::Place);
            let counts = primary_counts(&extensions);
            assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap_or(&0) <= 1);
        }
    }

    #[test]
    fn rebalance_is_a_no_op_when_even() {
        let mut extensions = numbers(1000);
        let servers = bins(&[1, 1, 1]);
        settle(&mut extensions, &servers, Mode::Place);
        assert!(distribute(&servers, &extensions, Mode::Rebalance).is_empty());
        assert!(distribute(&servers, &extensions, Mode::Place).is_empty());
    }

    #[test]
    fn a_one_server_site_has_no_backup_and_no_server_clears() {
        let mut extensions = numbers(3);
        settle(&mut extensions, &bins(&[1]), Mode::Place);
        assert!(
            extensions
                .iter()
                .all(|(_, a)| a.as_ref().unwrap().backup.is_none())
        );
        settle(&mut extensions, &[], Mode::Place);
        assert!(extensions.iter().all(|(_, a)| a.is_none()));
    }
}
