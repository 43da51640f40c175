//! Where files are published: an FTP server (`ftp://USER:PASS@HOST[:PORT]/PATH`), the same over
//! explicit TLS (`ftps://…`, AUTH TLS, the server's certificate checked), or a folder
//! (`dir:/srv/tftp`). The password may also come from elsewhere (an environment variable or a
//! file, given by the caller); it is never shown: [`Target`]'s `Display` leaves it out.

use std::fmt;
use std::path::PathBuf;

use crate::domain::{split_host_port, url_host};

/// Why a target cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not one of the forms.
    #[error(
        "{0:?} is not a publish target: use ftp://USER@HOST[:PORT]/PATH, ftps://USER@HOST[:PORT]/PATH or dir:/PATH"
    )]
    Form(String),
    /// An FTP target without a user.
    #[error("the FTP target {0} names no user: write ftp://USER@HOST/PATH")]
    NoUser(String),
    /// An FTP target without a password anywhere.
    #[error(
        "the FTP target {0} has no password: put it in the URL, in PHONEPROV_PUBLISH_PASSWORD or in a file given with --publish-password-file"
    )]
    NoPassword(String),
    /// A bad port.
    #[error("the FTP target {0} has a port that is not 1 to 65535")]
    Port(String),
}

/// `text` with the password of a `scheme://user:password@…` form left out, to show in an error.
fn without_password(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    match rest
        .rsplit_once('@')
        .and_then(|(user_info, host)| Some((user_info.split_once(':')?.0, host)))
    {
        Some((user, host)) => format!("{scheme}://{user}:…@{host}"),
        None => text.to_string(),
    }
}

/// An FTP server and the folder files go to.
#[derive(Clone, PartialEq, Eq)]
pub struct FtpTarget {
    /// Host name or address.
    pub host: String,
    /// Port (21 unless given).
    pub port: u16,
    /// Account.
    pub user: String,
    /// Its password.
    pub password: String,
    /// The folder, relative to the account's home (empty: the home itself).
    pub folder: String,
    /// Explicit TLS (AUTH TLS) on the control and data connections.
    pub secure: bool,
    /// Active mode (the server connects back) instead of passive.
    pub active: bool,
}

/// A publish target.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// A local folder (a TFTP root, a share mounted here).
    Dir(PathBuf),
    /// An FTP or FTPS server.
    Ftp(FtpTarget),
}

impl Target {
    /// Parses `text`; `password` is used when the URL has none.
    pub fn parse(text: &str, password: Option<&str>) -> Result<Target, TargetError> {
        let form = || TargetError::Form(without_password(text));
        if let Some(path) = text.strip_prefix("dir:") {
            let path = path.trim_start_matches("//");
            if path.is_empty() {
                return Err(form());
            }
            return Ok(Target::Dir(PathBuf::from(path)));
        }
        let (secure, rest) = match text.split_once("://") {
            Some(("ftp", rest)) => (false, rest),
            Some(("ftps", rest)) => (true, rest),
            _ => return Err(form()),
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, folder) = rest.split_once('/').unwrap_or((rest, ""));
        let (user_info, host_port) = authority
            .rsplit_once('@')
            .ok_or_else(|| TargetError::NoUser(shown(secure, "?", authority, folder)))?;
        let (user, url_password) = match user_info.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (user_info, None),
        };
        let (host, port) = split_host_port(host_port).ok_or_else(form)?;
        let port = match port {
            None => 21,
            Some(text) => match text.parse::<u16>() {
                Ok(port) if port > 0 => port,
                _ => return Err(TargetError::Port(shown(secure, user, host_port, folder))),
            },
        };
        if user.is_empty() {
            return Err(TargetError::NoUser(shown(secure, "?", host_port, folder)));
        }
        let password = url_password
            .map(percent_decoded)
            .or_else(|| password.map(str::to_string))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| TargetError::NoPassword(shown(secure, user, host_port, folder)))?;
        Ok(Target::Ftp(FtpTarget {
            host: host.to_string(),
            port,
            user: percent_decoded(user),
            password,
            folder: folder.trim_end_matches('/').to_string(),
            secure,
            active: query.split('&').any(|p| p == "mode=active"),
        }))
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(value) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn shown(secure: bool, user: &str, host: &str, folder: &str) -> String {
    let scheme = if secure { "ftps" } else { "ftp" };
    format!("{scheme}://{user}@{host}/{folder}")
}

impl fmt::Display for Target {
    /// The target without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Dir(path) => write!(f, "dir:{}", path.display()),
            Target::Ftp(ftp) => {
                let host = url_host(&ftp.host);
                let scheme = if ftp.secure { "ftps" } else { "ftp" };
                write!(
                    f,
                    "{scheme}://{}@{host}:{}/{}",
                    ftp.user, ftp.port, ftp.folder
                )
            }
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_never_show_their_password() {
        let t = Target::parse("ftp://PlcmSpIp:PlcmSpIp@10.0.0.9/boot", None).unwrap();
        let Target::Ftp(ftp) = &t else { panic!() };
        assert_eq!(
            (ftp.host.as_str(), ftp.port, ftp.user.as_str()),
            ("10.0.0.9", 21, "PlcmSpIp")
        );
        assert_eq!(ftp.password, "PlcmSpIp");
        assert_eq!(ftp.folder, "boot");
        assert!(!ftp.secure && !ftp.active);
        assert_eq!(t.to_string(), "ftp://PlcmSpIp@10.0.0.9:21/boot");
        let t = Target::parse("ftps://u@[::1]:2121/?mode=active", Some("from-env")).unwrap();
        let Target::Ftp(ftp) = &t else { panic!() };
        assert_eq!((ftp.host.as_str(), ftp.port), ("::1", 2121));
        assert_eq!(ftp.password, "from-env");
        assert!(ftp.secure && ftp.active);
        assert!(!format!("{t:?}").contains("from-env"));
        assert_eq!(
            Target::parse("dir:/srv/tftp", None).unwrap(),
            Target::Dir(PathBuf::from("/srv/tftp"))
        );
        assert!(matches!(
            Target::parse("ftp://u@h/x", None),
            Err(TargetError::NoPassword(_))
        ));
        assert!(matches!(
            Target::parse("ftp://h/x", Some("p")),
            Err(TargetError::NoUser(_))
        ));
        assert!(matches!(
            Target::parse("http://h/x", None),
            Err(TargetError::Form(_))
        ));
        assert!(matches!(
            Target::parse("ftp://u:p@h:0/x", None),
            Err(TargetError::Port(_))
        ));
        let err = Target::parse("ftp://u:secret@h:99999/x", None).unwrap_err();
        assert!(!err.to_string().contains("secret"));
        // Issue 28: a malformed URL was echoed with its password.
        let err = Target::parse("ftp://pub:Leak3dPW@[::1/", None).unwrap_err();
        assert!(matches!(err, TargetError::Form(_)), "{err}");
        assert!(!err.to_string().contains("Leak3dPW"), "{err}");
        assert!(err.to_string().contains("ftp://pub:…@[::1/"), "{err}");
    }
}
