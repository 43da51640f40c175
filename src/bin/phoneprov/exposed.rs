//! Secrets given on the command line, where every local user can read them (`ps`,
//! `/proc/PID/cmdline` is readable by all): each one is named at start, with where to put it
//! instead. Values from the environment or the config file are not on the command line and are
//! not named.

use clap::ArgMatches;
use clap::parser::ValueSource;

/// The flags that carry a secret, and where it belongs instead.
const SECRET_FLAGS: [(&str, &str, &str); 2] = [
    (
        "admin_token",
        "--admin-token",
        "PHONEPROV_ADMIN_TOKEN, the config file (0600) or the data folder's admin-token file",
    ),
    (
        "ftp_accounts",
        "--ftp-account",
        "PHONEPROV_FTP_ACCOUNTS or the config file (0600)",
    ),
];

/// One warning per secret given on the command line of `matches` (the whole command).
pub fn warnings(matches: &ArgMatches) -> Vec<String> {
    let Some((command, args)) = matches.subcommand() else {
        return Vec::new();
    };
    let on_command_line = |id: &str| {
        args.try_get_raw(id).is_ok() && args.value_source(id) == Some(ValueSource::CommandLine)
    };
    let mut warnings: Vec<String> = SECRET_FLAGS
        .iter()
        .filter(|(id, _, _)| on_command_line(id))
        .map(|(_, flag, instead)| {
            format!("{flag} was given on the command line, where any local user can read it (ps); use {instead}")
        })
        .collect();
    let urls: Vec<&String> = match command {
        "serve" if on_command_line("publish") => args
            .get_many::<String>("publish")
            .map(Iterator::collect)
            .unwrap_or_default(),
        "publish" if on_command_line("target") => {
            args.get_one::<String>("target").into_iter().collect()
        }
        _ => Vec::new(),
    };
    if urls.iter().any(|url| holds_password(url)) {
        warnings.push(
            "a publish URL with a password was given on the command line, where any local user can read it (ps); leave the password out of the URL and use PHONEPROV_PUBLISH_PASSWORD or --publish-password-file (0600)".into(),
        );
    }
    warnings
}

/// Whether `url` is `scheme://user:password@…`.
fn holds_password(url: &str) -> bool {
    url.split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .is_some_and(|(user_info, _)| user_info.contains(':'))
}
