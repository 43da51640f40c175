//! (Part of the `phoneprov` binary, not the library.) Applies the config file to the command
//! line: each setting becomes the default of the flag of the same name, so a flag given on the
//! command line wins over its environment variable, which wins over the config file, which wins
//! over the built-in default.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context;
use clap::{ArgMatches, Command};

use phoneprov::config_file::{self, ConfigFile};

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "PHONEPROV_CONFIG";

/// The config file named by `--config FILE` (or `--config=FILE`) or `PHONEPROV_CONFIG`.
pub fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os(CONFIG_ENV).map(PathBuf::from)
}

/// Parses `args` with the config file's settings as defaults; exits with usage errors (code 2)
/// like any command-line error.
pub fn matches(
    mut command: Command,
    args: Vec<OsString>,
) -> anyhow::Result<(ArgMatches, ConfigFile)> {
    let Some(path) = config_path(&args) else {
        return Ok((command.get_matches_from(args), ConfigFile::default()));
    };
    let file = config_file::load(&path)?;
    for (name, values) in &file.settings {
        command = apply(command, name, values)
            .with_context(|| format!("config file {}", path.display()))?;
    }
    Ok((command.get_matches_from(args), file))
}

/// Sets `values` as the default of the flag `--{name}` of the command or of `serve`.
fn apply(command: Command, name: &str, values: &[String]) -> anyhow::Result<Command> {
    if name == "config" {
        anyhow::bail!("`config` cannot be set in a config file");
    }
    let id_in = |command: &Command| {
        command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(name))
            .map(|arg| (arg.get_id().clone(), arg.get_value_delimiter().is_some()))
    };
    let check = |many: bool| {
        if values.len() != 1 && !many {
            anyhow::bail!("setting `{name}` takes one value, not a list");
        }
        Ok(())
    };
    if let Some((id, many)) = id_in(&command) {
        check(many)?;
        return Ok(command.mut_arg(id, |arg| arg.default_values(values.to_vec())));
    }
    let serve = command.find_subcommand("serve").and_then(id_in);
    match serve {
        Some((id, many)) => {
            check(many)?;
            Ok(command.mut_subcommand("serve", |serve| {
                serve.mut_arg(id, |arg| arg.default_values(values.to_vec()))
            }))
        }
        None => anyhow::bail!(
            "unknown setting `{name}` (settings are the long flags of `phoneprov serve --help`, \
             e.g. http_listen)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_file_is_found_in_the_arguments() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            config_path(&args(&["pp", "--config", "a.toml", "serve"])),
            Some(PathBuf::from("a.toml"))
        );
        assert_eq!(
            config_path(&args(&["pp", "serve", "--config=b.toml"])),
            Some(PathBuf::from("b.toml"))
        );
    }
}
