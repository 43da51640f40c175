//! The SIP of a check-sync push: an out-of-dialog `NOTIFY` with `Event: check-sync` and no body
//! (what Asterisk's `polycom-check-cfg` and `aastra-check-cfg` send), and reading the phone's
//! response: its status code and the Via branch that names the transaction (RFC 3261 §17.1.3).

use std::fmt::Write;
use std::net::SocketAddr;

/// The magic cookie every RFC 3261 branch starts with.
const BRANCH_COOKIE: &str = "z9hG4bK";

/// One NOTIFY's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// The Via branch (the transaction).
    pub branch: String,
    /// The request as sent.
    pub text: String,
}

/// A `NOTIFY` for `user` (the phone's first line, or its MAC) at `phone`, from phoneprov at
/// `local` (host as phones reach it, and the port answers go to). `unique` makes the branch,
/// tag and Call-ID.
pub fn notify(
    user: &str,
    phone: SocketAddr,
    local_host: &str,
    local_port: u16,
    unique: u64,
) -> Notify {
    let branch = format!("{BRANCH_COOKIE}pp{unique:016x}");
    let target = format!("sip:{user}@{phone}");
    let mut text = String::with_capacity(512);
    // Writing to a String cannot fail.
    let _ = write!(
        text,
        "NOTIFY {target} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local_host}:{local_port};branch={branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:phoneprov@{local_host}>;tag={unique:x}\r\n\
         To: <{target}>\r\n\
         Call-ID: {unique:016x}@phoneprov\r\n\
         CSeq: 1 NOTIFY\r\n\
         Contact: <sip:phoneprov@{local_host}:{local_port}>\r\n\
         Event: check-sync\r\n\
         Subscription-State: terminated\r\n\
         User-Agent: phoneprov\r\n\
         Content-Length: 0\r\n\r\n"
    );
    Notify { branch, text }
}

/// A response as far as a NOTIFY's sender cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code, 100-699.
    pub status: u16,
    /// The branch of the top Via.
    pub branch: String,
}

/// Reads a SIP response; `None` for anything else (requests, garbage, no Via branch).
pub fn parse_response(bytes: &[u8]) -> Option<Response> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.split("\r\n").flat_map(|line| line.split('\n'));
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    if parts.next()? != "SIP/2.0" {
        return None;
    }
    let status: u16 = parts.next()?.parse().ok()?;
    if !(100..=699).contains(&status) {
        return None;
    }
    let branch = lines
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            (name.eq_ignore_ascii_case("via") || name == "v").then_some(value)
        })
        .and_then(|via| {
            via.split(';').find_map(|parameter| {
                let (key, value) = parameter.trim().split_once('=')?;
                key.eq_ignore_ascii_case("branch")
                    .then(|| value.split(',').next().unwrap_or(value).trim().to_string())
            })
        })?;
    Some(Response { status, branch })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notify_carries_the_check_sync_event() {
        let notify = notify(
            "201",
            "10.1.2.3:5060".parse().unwrap(),
            "10.0.0.5",
            5070,
            42,
        );
        let text = &notify.text;
        assert!(
            text.starts_with("NOTIFY sip:201@10.1.2.3:5060 SIP/2.0\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nEvent: check-sync\r\n"));
        assert!(text.contains("\r\nCSeq: 1 NOTIFY\r\n"));
        assert!(text.contains(&format!(
            "Via: SIP/2.0/UDP 10.0.0.5:5070;branch={};rport\r\n",
            notify.branch
        )));
        assert!(notify.branch.starts_with("z9hG4bK"));
        assert!(text.ends_with("Content-Length: 0\r\n\r\n"));
    }

    #[test]
    fn responses_are_read_by_status_and_branch() {
        let ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKpp1;rport=5070;received=10.0.0.5\r\nCSeq: 1 NOTIFY\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(
            parse_response(ok.as_bytes()),
            Some(Response {
                status: 200,
                branch: "z9hG4bKpp1".into()
            })
        );
        let compact = "SIP/2.0 481 Call Does Not Exist\nv: SIP/2.0/UDP h;branch=z9hG4bKx\n\n";
        assert_eq!(
            parse_response(compact.as_bytes()).map(|r| r.status),
            Some(481)
        );
        assert_eq!(parse_response(b"NOTIFY sip:a@b SIP/2.0\r\n\r\n"), None);
        assert_eq!(parse_response(b"SIP/2.0 200 OK\r\n\r\n"), None, "no Via");
        assert_eq!(
            parse_response(b"SIP/2.0 999 Odd\r\nVia: x;branch=y\r\n\r\n"),
            None
        );
        assert_eq!(parse_response(&[0xff, 0xfe]), None);
    }
}
