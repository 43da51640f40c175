//! The deployment's central voice mail (requirements §3): message-waiting subscriptions and the
//! voice mail call-back of every site go to the central server, even where a site has a voice
//! mail server of its own; while the central one is marked down they go to its backup, and
//! marking it up returns them.

/// The central voice mail server, its backup and whether the central one is marked down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Voicemail {
    /// Central voice mail server; `None`: each site's own voice mail server is used.
    pub central: Option<String>,
    /// Takes over while the central one is marked down.
    pub backup: Option<String>,
    /// Marked down by an admin.
    pub central_down: bool,
}

impl Voicemail {
    /// Where MWI and call-back go: the central server, its backup while it is marked down (and a
    /// backup exists), or `site_server` (the site's own) when no central server is set.
    pub fn target<'a>(&'a self, site_server: &'a str) -> &'a str {
        match (&self.central, &self.backup) {
            (Some(_), Some(backup)) if self.central_down => backup,
            (Some(central), _) => central,
            (None, _) => site_server,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_then_backup_while_down() {
        let mut vm = Voicemail::default();
        assert_eq!(vm.target("site-vm"), "site-vm");
        vm.central = Some("central".into());
        vm.backup = Some("backup".into());
        assert_eq!(vm.target("site-vm"), "central");
        vm.central_down = true;
        assert_eq!(vm.target("site-vm"), "backup");
        vm.backup = None;
        assert_eq!(vm.target("site-vm"), "central");
    }
}
