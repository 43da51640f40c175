//! Who may receive a phone's files, beyond the enumeration defense: the checks every transport
//! applies to a file found for a phone, in this order.
//!
//! 1. **Client certificates** (HTTPS with a client CA): a request without a verified certificate
//!    gets nothing; a phone's own files go only to the certificate naming that phone's MAC, and
//!    a certificate naming no MAC gets no phone's files. While certificates are asked for, the
//!    transports that cannot carry one (plain HTTP, FTP, TFTP) get no phone's own files.
//! 2. **The phone's addresses** (always): a phone's files other than its master file (its
//!    extensions' credential files, its uploads and overrides) go to, and come from, only an
//!    address its master file was served to ([`Followers`]); an extension on no phone to nobody.
//! 3. **Provisioning networks**: credential files go only to clients inside them, if set.
//! 4. **Trust on first use** (per site): the first fetch of a phone's master file binds the phone
//!    to that address; its credential files then go only there.
//! 5. **Phone logins**: a phone with a login gets its credential files only over HTTP(S) with
//!    Digest (or Basic over TLS) and one of its accepted passwords. A wrong password is answered
//!    after a second, and ten from one address in ten minutes lock that address's phone logins
//!    for fifteen ([`LoginLimit`]).
//!
//! Every refusal of a credential file and every failed login is an audit line. What the client
//! sees of a refusal is the transport's business ([`crate::policy::phone_files`] answers it as
//! "not found", so a refusal tells nothing about what exists).

use std::net::IpAddr;
use std::sync::Arc;

use crate::domain::{Mac, Transport};
use crate::handset::agent::Agent;
use crate::policy::bindings::Bindings;
use crate::policy::digest::{Challenger, LoginVerdict};
use crate::policy::followers::Followers;
use crate::policy::guard::Guard;
use crate::policy::home_networks::HomeNetworks;
use crate::policy::login_limit::{Lockout, LoginLimit};
use crate::policy::refused::Refused;
use crate::provision::Rendered;
use crate::provision::live::View;

/// What a TLS connection learnt of the client's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientCertificate {
    /// Not asked for (plain HTTP, FTP, TFTP, or HTTPS without a client CA).
    #[default]
    NotAsked,
    /// Asked for but none presented.
    Missing,
    /// A certificate the CA vouches for, and the MAC it names, if any.
    Verified(Option<Mac>),
}

/// An HTTP request's login material.
#[derive(Debug, Clone, Copy)]
pub struct HttpLogin<'a> {
    /// The `Authorization` header, if sent.
    pub authorization: Option<&'a str>,
    /// The request method (part of a Digest answer).
    pub method: &'a str,
    /// The request target as sent (part of a Digest answer).
    pub uri: &'a str,
    /// Whether the request came over TLS (Basic is accepted only then).
    pub secure: bool,
    /// The `User-Agent` header, if sent.
    pub user_agent: Option<&'a str>,
    /// The user agent understood, when it is a phone's.
    pub agent: Option<&'a Agent>,
}

/// Who asks for a file, as far as the transport can tell.
#[derive(Debug, Clone, Copy)]
pub struct Requester<'a> {
    /// The client's address, if known.
    pub client: Option<IpAddr>,
    /// HTTP(S) only: the request's login material.
    pub http: Option<HttpLogin<'a>>,
    /// HTTPS only: the client's certificate.
    pub certificate: ClientCertificate,
    /// Over which transport.
    pub transport: Transport,
    /// A probe (HTTP `HEAD`, FTP `SIZE`, `MDTM`, `LIST`): checked like a fetch, but nothing it
    /// finds is committed (no binding, no follower, no sighting, no inbox entry).
    pub probe: bool,
}

impl Requester<'_> {
    /// A requester known by address only (FTP, TFTP).
    pub fn at(client: Option<IpAddr>, transport: Transport) -> Requester<'static> {
        Requester {
            client,
            http: None,
            certificate: ClientCertificate::NotAsked,
            transport,
            probe: false,
        }
    }

    /// The same request as a probe.
    pub fn probing(self) -> Self {
        Requester {
            probe: true,
            ..self
        }
    }

    fn client_text(&self) -> String {
        self.client.map(|ip| ip.to_string()).unwrap_or_default()
    }
}

/// The checks of who may receive a phone's files.
#[derive(Debug)]
pub struct Access {
    guard: Arc<Guard>,
    bindings: Arc<Bindings>,
    challenger: Challenger,
    followers: Followers,
    /// The networks each phone was seen on (its credentials go only there).
    homes: HomeNetworks,
    /// Failed phone logins per address.
    phone_logins: LoginLimit,
    /// Whether HTTPS asks for client certificates: then transports without one get no phone's
    /// own files.
    certificates_required: bool,
}

fn refused_secret(requester: &Requester<'_>, name: &str, why: &'static str) -> Refused {
    tracing::warn!(
        target: "audit",
        client = %requester.client_text(),
        file = %name,
        "credential file refused: {why}"
    );
    Refused::Forbidden(why)
}

impl Access {
    /// The checks over the enumeration defense's settings (provisioning networks) and the
    /// trust-on-first-use bindings.
    pub fn new(guard: Arc<Guard>, bindings: Arc<Bindings>, challenger: Challenger) -> Access {
        Access {
            guard,
            bindings,
            challenger,
            followers: Followers::default(),
            homes: HomeNetworks::default(),
            phone_logins: LoginLimit::new("phone", Lockout::default()),
            certificates_required: false,
        }
    }

    /// The same, with phones' own files only over HTTPS with a client certificate (HTTPS asks
    /// for them).
    pub fn requiring_certificates(self) -> Access {
        Access {
            certificates_required: true,
            ..self
        }
    }

    /// Whether `requester` acts for `phone`: an address its master file was served to.
    pub fn acts_for(&self, phone: Mac, requester: &Requester<'_>) -> bool {
        requester
            .client
            .is_some_and(|client| self.followers.follows(phone, client))
    }

    /// Takes in where phones were last seen and where their credential files last went
    /// (before this server started): those addresses act for them until their next boot, and
    /// the networks of the second are their homes. Last seen is no home: anyone may fetch a
    /// phone's master file, from anywhere.
    pub fn seed(
        &self,
        last_seen: impl IntoIterator<Item = (Mac, IpAddr)>,
        homes: impl IntoIterator<Item = (Mac, IpAddr)>,
    ) {
        for (phone, address) in last_seen {
            self.followers.follow(phone, address);
        }
        for (phone, address) in homes {
            self.followers.follow(phone, address);
            self.homes.note(phone, address);
        }
    }

    /// Forgets the addresses that act for `phone` (an admin resetting its binding).
    pub fn forget(&self, phone: &Mac) {
        self.followers.forget(phone);
        self.homes.forget(phone);
        self.bindings.forget(phone);
    }

    /// The trust-on-first-use bindings.
    pub fn bindings(&self) -> &Arc<Bindings> {
        &self.bindings
    }

    /// The `WWW-Authenticate` values of a 401.
    pub fn challenges(&self, secure: bool, stale: bool) -> Vec<String> {
        self.challenger.challenges(secure, stale)
    }

    /// Refuses a request over HTTPS with client certificates that has none, or whose
    /// certificate names another phone than `owner` (or none); while certificates are asked
    /// for, a phone's own file over a transport without one. `owner` (the phone the file
    /// belongs to) is asked only when a certificate is in play, so the plain path does not look
    /// it up.
    pub fn check_certificate(
        &self,
        requester: &Requester<'_>,
        owner: impl FnOnce() -> Option<Mac>,
        name: &str,
    ) -> Result<(), Refused> {
        match requester.certificate {
            ClientCertificate::NotAsked if !self.certificates_required => Ok(()),
            ClientCertificate::NotAsked => match owner() {
                Some(_) => {
                    tracing::warn!(
                        target: "audit",
                        client = %requester.client_text(),
                        file = %name,
                        "refused: a phone's files go only over HTTPS with its client certificate"
                    );
                    Err(Refused::Forbidden(
                        "a phone's files go only over HTTPS with its client certificate",
                    ))
                }
                None => Ok(()),
            },
            ClientCertificate::Missing => {
                tracing::warn!(
                    target: "audit",
                    client = %requester.client_text(),
                    file = %name,
                    "refused: no client certificate"
                );
                Err(Refused::Forbidden("a client certificate is required"))
            }
            ClientCertificate::Verified(named) => match owner() {
                Some(owner) if named != Some(owner) => {
                    // A certificate that names no phone (one every phone of a vendor shares,
                    // such as Yealink's generic one) is no phone's identity either.
                    let why = match named {
                        None => "the client certificate names no phone",
                        Some(_) => "the client certificate names another phone",
                    };
                    tracing::warn!(
                        target: "audit",
                        client = %requester.client_text(),
                        file = %name,
                        certificate_mac = %named.map(|m| m.to_string()).unwrap_or_default(),
                        "refused: {why}"
                    );
                    Err(Refused::Forbidden(why))
                }
                _ => Ok(()),
            },
        }
    }

    /// Whether `requester` may receive the rendered file `name`. Changes nothing: what a file
    /// sent changes is [`Access::commit`]'s.
    pub fn check(
        &self,
        live: &View<'_>,
        file: &Rendered,
        name: &str,
        requester: &Requester<'_>,
    ) -> Result<(), Refused> {
        let access = file.access;
        if file.carries_secret && access.owner.is_none() {
            // An extension on no phone: no phone asks for it, so nobody gets it.
            return Err(refused_secret(
                requester,
                name,
                "the extension is on no phone",
            ));
        }
        self.check_certificate(requester, || access.owner, name)?;
        if let Some(owner) = access.owner
            && !access.master
            && !self.acts_for(owner, requester)
        {
            return Err(refused_secret(
                requester,
                name,
                "not asked from an address its phone's master file went to",
            ));
        }
        if file.carries_secret {
            if !self.guard.may_receive_secrets(requester.client) {
                return Err(refused_secret(
                    requester,
                    name,
                    "credential files are served only inside the provisioning networks",
                ));
            }
            self.check_binding(file, name, requester)?;
            if let Some(owner) = access.owner {
                self.check_login(live, owner, name, requester)?;
                self.check_home_network(owner, name, requester)?;
            }
        }
        Ok(())
    }

    /// What sending the checked file `name` to `requester` changes, just before it is sent (a
    /// probe never gets here). A phone's master file makes the client act for the phone and,
    /// under trust on first use, binds the phone to it (a client outside the provisioning
    /// networks never binds a phone, nor does a TFTP source, which anyone can forge); a
    /// credential file makes the client's network one of the phone's. `Err` when another
    /// address bound the phone since the check: the file is not sent.
    pub fn commit(
        &self,
        file: &Rendered,
        name: &str,
        client: Option<IpAddr>,
        transport: Transport,
    ) -> Result<(), Refused> {
        let access = file.access;
        let (Some(owner), Some(client)) = (access.owner, client) else {
            return Ok(());
        };
        if access.master && self.guard.may_receive_secrets(Some(client)) {
            // A master file holding no password still goes to other addresses (they never
            // get the credential files); one holding passwords goes only to the bound one.
            if access.trust_first_address
                && transport.proves_source()
                && self.bindings.bind_first(owner, client) != client
                && file.carries_secret
            {
                return Err(refused_secret(
                    &Requester::at(Some(client), transport),
                    name,
                    "this phone's credential files go only to the address that first fetched its master file",
                ));
            }
            self.followers.follow(owner, client);
        }
        if file.carries_secret {
            self.homes.note(owner, client);
        }
        Ok(())
    }

    /// Whether `requester` may read or write `phone`'s uploads (its logs, overrides, contacts
    /// and call lists): the client certificate, an address the phone's master file went to,
    /// the provisioning networks and, under trust on first use, only the bound address. An
    /// override written by anyone else would reach the phone at its next boot; its call list
    /// is nobody else's business.
    pub fn check_upload(
        &self,
        live: &View<'_>,
        phone: Mac,
        name: &str,
        requester: &Requester<'_>,
    ) -> Result<(), Refused> {
        self.check_certificate(requester, || Some(phone), name)?;
        let refused = |why: &'static str| {
            tracing::warn!(
                target: "audit",
                client = %requester.client_text(),
                mac = %phone,
                file = %name,
                "upload refused: {why}"
            );
            Err(Refused::Forbidden(why))
        };
        if !self.acts_for(phone, requester) {
            return refused("not from an address the phone's master file went to");
        }
        if !self.guard.may_receive_secrets(requester.client) {
            return refused("a phone's uploads are kept only inside the provisioning networks");
        }
        if live.trusts_first_address(&phone)
            && (requester.client.is_none() || self.bindings.bound(&phone) != requester.client)
        {
            return refused(
                "a phone's uploads go only to and from the address that first fetched its master file",
            );
        }
        Ok(())
    }

    /// Trust on first use: a credential file goes only to its phone's bound address, or (its
    /// master file) to the first address to ask over a transport that proves its source (not
    /// TFTP); a credential file of no phone to nobody.
    fn check_binding(
        &self,
        file: &Rendered,
        name: &str,
        requester: &Requester<'_>,
    ) -> Result<(), Refused> {
        let access = file.access;
        if !access.trust_first_address {
            return Ok(());
        }
        let bound = access.owner.and_then(|owner| self.bindings.bound(&owner));
        let allowed = match bound {
            Some(address) => requester.client == Some(address),
            None => access.master && access.owner.is_some() && requester.transport.proves_source(),
        };
        if allowed {
            Ok(())
        } else if bound.is_none() && access.master {
            Err(refused_secret(
                requester,
                name,
                "a phone binds at its first fetch over HTTP or FTP (TFTP cannot prove its source)",
            ))
        } else {
            Err(refused_secret(
                requester,
                name,
                "this phone's credential files go only to the address that first fetched its master file",
            ))
        }
    }

    /// A phone seen on some network gets its credential files only on one of its networks
    /// (unless phones roam).
    fn check_home_network(
        &self,
        owner: Mac,
        name: &str,
        requester: &Requester<'_>,
    ) -> Result<(), Refused> {
        let Some(client) = requester.client else {
            return Ok(());
        };
        if self.homes.admits(owner, client, self.guard.phones_roam()) {
            return Ok(());
        }
        Err(refused_secret(
            requester,
            name,
            "the phone was never seen on this network (reset it with phone unbind to let it boot here)",
        ))
    }

    /// A phone with a login gets its credential files only over HTTP(S) with it.
    fn check_login(
        &self,
        live: &View<'_>,
        owner: Mac,
        name: &str,
        requester: &Requester<'_>,
    ) -> Result<(), Refused> {
        let Some(login) = live.login_of(&owner) else {
            return Ok(());
        };
        let Some(http) = requester.http else {
            return Err(refused_secret(
                requester,
                name,
                "this phone's credential files are served only over HTTP(S) with its login",
            ));
        };
        let Some(authorization) = http.authorization else {
            return Err(Refused::Unauthorized { stale: false });
        };
        let client = requester.client;
        if client.is_some_and(|ip| self.phone_logins.is_locked(ip)) {
            return Err(Refused::LoginsLocked(Lockout::default().lock_for));
        }
        match self
            .challenger
            .verify(authorization, http.method, http.uri, &login, http.secure)
        {
            LoginVerdict::Accepted => {
                if let Some(ip) = client {
                    self.phone_logins.succeeded(ip);
                }
                Ok(())
            }
            LoginVerdict::Stale => Err(Refused::Unauthorized { stale: true }),
            LoginVerdict::Rejected(why) => {
                tracing::warn!(
                    target: "audit",
                    client = %requester.client_text(),
                    file = %name,
                    mac = %owner,
                    "login failed: {why}"
                );
                if let Some(ip) = client {
                    self.phone_logins.failed(ip);
                }
                Err(Refused::WrongLogin(self.phone_logins.delay()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Vendor;
    use crate::policy::guard::GuardSettings;
    use crate::provision::FileAccess;
    use crate::provision::live::test_support::{CSV, live_with};

    const PHONE: &str = "0004f214ab37";

    fn mac() -> Mac {
        Mac::parse(PHONE).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn access_with(settings: GuardSettings) -> Access {
        Access::new(
            Arc::new(Guard::new(settings)),
            Arc::new(Bindings::default()),
            Challenger::new().unwrap(),
        )
    }

    fn from(client: &str) -> Requester<'static> {
        Requester::at(Some(ip(client)), Transport::Http)
    }

    /// A rendered file of the phone: its master file, or one of its credential files.
    fn file(master: bool, trust_first_address: bool) -> Rendered {
        Rendered {
            content: String::new(),
            content_type: "text/xml",
            vendor: Vendor::Polycom,
            carries_secret: !master,
            access: FileAccess {
                owner: Some(mac()),
                master,
                trust_first_address,
            },
            directory: false,
        }
    }

    /// A fetch: checked, then committed as it is sent.
    fn send(
        access: &Access,
        view: &View<'_>,
        file: &Rendered,
        name: &str,
        requester: &Requester<'_>,
    ) -> Result<(), Refused> {
        access.check(view, file, name, requester)?;
        access.commit(file, name, requester.client, requester.transport)
    }

    #[tokio::test]
    async fn a_check_alone_changes_nothing_and_a_lost_race_is_not_sent() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let access = access_with(GuardSettings::default());
        let master = Rendered {
            carries_secret: true,
            ..file(true, true)
        };
        // Two addresses ask for an unbound phone's master file at once (or probe it): both
        // pass the check, and nothing is bound or followed by it.
        for client in ["10.0.0.5", "10.0.0.6"] {
            access
                .check(&view, &master, "0004F214AB37.cfg", &from(client))
                .unwrap();
        }
        assert_eq!(access.bindings().bound(&mac()), None);
        assert!(!access.acts_for(mac(), &from("10.0.0.5")));
        // The first sent binds; the second, sent after, is refused and must not be sent.
        access
            .commit(
                &master,
                "0004F214AB37.cfg",
                Some(ip("10.0.0.6")),
                Transport::Http,
            )
            .unwrap();
        assert!(
            access
                .commit(
                    &master,
                    "0004F214AB37.cfg",
                    Some(ip("10.0.0.5")),
                    Transport::Http
                )
                .is_err()
        );
        assert_eq!(access.bindings().bound(&mac()), Some(ip("10.0.0.6")));
        assert!(access.acts_for(mac(), &from("10.0.0.6")));
        assert!(!access.acts_for(mac(), &from("10.0.0.5")));
    }

    #[tokio::test]
    async fn a_phones_other_files_follow_its_master_file() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let access = access_with(GuardSettings::default());
        let credentials = file(false, false);
        assert!(matches!(
            send(&access, &view, &credentials, "201.cfg", &from("10.0.0.5")),
            Err(Refused::Forbidden(_))
        ));
        send(
            &access,
            &view,
            &file(true, false),
            "0004f214ab37.cfg",
            &from("10.0.0.5"),
        )
        .unwrap();
        assert!(access.acts_for(mac(), &from("10.0.0.5")));
        send(&access, &view, &credentials, "201.cfg", &from("10.0.0.5")).unwrap();
        assert!(send(&access, &view, &credentials, "201.cfg", &from("10.0.0.6")).is_err());
        // An admin's reset forgets who acts for the phone.
        access.forget(&mac());
        assert!(!access.acts_for(mac(), &from("10.0.0.5")));
    }

    #[tokio::test]
    async fn a_credential_file_of_no_phone_goes_to_nobody() {
        let (_dir, live) = live_with(CSV).await;
        let access = access_with(GuardSettings::default());
        let orphan = Rendered {
            access: FileAccess::default(),
            ..file(false, false)
        };
        assert!(matches!(
            access.check(&live.view(), &orphan, "299.cfg", &from("10.0.0.5")),
            Err(Refused::Forbidden(_))
        ));
    }

    #[tokio::test]
    async fn credential_files_only_inside_the_provisioning_networks() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let access = access_with(GuardSettings {
            provisioning: vec!["10.0.0.0/8".parse().unwrap()],
            ..GuardSettings::default()
        });
        for client in ["10.0.0.5", "192.168.1.5"] {
            send(
                &access,
                &view,
                &file(true, false),
                "0004f214ab37.cfg",
                &from(client),
            )
            .unwrap();
        }
        send(
            &access,
            &view,
            &file(false, false),
            "201.cfg",
            &from("10.0.0.5"),
        )
        .unwrap();
        assert!(
            !access.acts_for(mac(), &from("192.168.1.5")),
            "an outside address does not come to act for a phone"
        );
        assert!(
            send(
                &access,
                &view,
                &file(false, false),
                "201.cfg",
                &from("192.168.1.5")
            )
            .is_err()
        );
    }

    #[tokio::test]
    async fn trust_on_first_use_binds_the_first_address() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let access = access_with(GuardSettings::default());
        let master = file(true, true);
        send(
            &access,
            &view,
            &master,
            "0004f214ab37.cfg",
            &from("10.0.0.5"),
        )
        .unwrap();
        assert_eq!(access.bindings().bound(&mac()), Some(ip("10.0.0.5")));
        send(
            &access,
            &view,
            &file(false, true),
            "201.cfg",
            &from("10.0.0.5"),
        )
        .unwrap();
        // Another address gets the master file (it holds no password) but never the phone's
        // credential file, even once it follows the phone.
        send(
            &access,
            &view,
            &master,
            "0004f214ab37.cfg",
            &from("10.0.0.6"),
        )
        .unwrap();
        assert!(
            send(
                &access,
                &view,
                &file(false, true),
                "201.cfg",
                &from("10.0.0.6")
            )
            .is_err()
        );
        assert_eq!(access.bindings().bound(&mac()), Some(ip("10.0.0.5")));
    }

    #[tokio::test]
    async fn a_tftp_request_never_binds_a_phone() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let access = access_with(GuardSettings::default());
        let over_tftp = |client| Requester::at(Some(ip(client)), Transport::Tftp);
        let master = Rendered {
            carries_secret: true,
            ..file(true, true)
        };
        // A forged source asks first: nothing is bound, and the credential master file is
        // not sent to it.
        assert!(
            send(
                &access,
                &view,
                &master,
                "0004F214AB37.cfg",
                &over_tftp("10.9.9.9")
            )
            .is_err()
        );
        assert_eq!(access.bindings().bound(&mac()), None);
        // The phone's first fetch over HTTP binds it; TFTP from that address is then served.
        send(
            &access,
            &view,
            &master,
            "0004F214AB37.cfg",
            &from("10.0.0.5"),
        )
        .unwrap();
        assert_eq!(access.bindings().bound(&mac()), Some(ip("10.0.0.5")));
        send(
            &access,
            &view,
            &master,
            "0004F214AB37.cfg",
            &over_tftp("10.0.0.5"),
        )
        .unwrap();
    }

    #[test]
    fn client_certificates_name_their_phone() {
        let access = access_with(GuardSettings::default());
        let with = |certificate| Requester {
            certificate,
            ..from("10.0.0.5")
        };
        let owner = || Some(mac());
        let other = Mac::parse("0004f2999999").unwrap();
        assert!(
            access
                .check_certificate(&with(ClientCertificate::Verified(Some(mac()))), owner, "f")
                .is_ok()
        );
        assert!(
            access
                .check_certificate(&with(ClientCertificate::Verified(Some(other))), owner, "f")
                .is_err()
        );
        assert!(
            access
                .check_certificate(&with(ClientCertificate::Missing), owner, "f")
                .is_err()
        );
        assert!(
            access
                .check_certificate(&with(ClientCertificate::NotAsked), owner, "f")
                .is_ok()
        );
        // Once HTTPS asks for certificates, a phone's files never go over a plain transport;
        // files of no phone still do.
        let strict = access_with(GuardSettings::default()).requiring_certificates();
        assert!(
            strict
                .check_certificate(&with(ClientCertificate::NotAsked), owner, "f")
                .is_err()
        );
        assert!(
            strict
                .check_certificate(&with(ClientCertificate::NotAsked), || None, "altigen.cfg")
                .is_ok()
        );
    }

    #[tokio::test]
    async fn uploads_only_from_an_address_acting_for_the_phone() {
        let (_dir, live) = live_with(CSV).await;
        let view = live.view();
        let access = access_with(GuardSettings::default());
        let name = "0004f214ab37-app.log";
        assert!(
            access
                .check_upload(&view, mac(), name, &from("10.0.0.5"))
                .is_err()
        );
        access.seed([(mac(), ip("10.0.0.5"))], []);
        access
            .check_upload(&view, mac(), name, &from("10.0.0.5"))
            .unwrap();
        assert!(
            access
                .check_upload(&view, mac(), name, &from("10.0.0.7"))
                .is_err()
        );
    }
}
