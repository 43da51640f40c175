//! The config file (`--config FILE`, TOML): every command-line setting under its flag's name
//! (`http_listen = "0.0.0.0:80"`, `-` or `_` alike), the DHCP subnets as `[[subnet]]` tables,
//! sites as `[[site]]` tables, settings as `[[setting]]` tables and the central voice mail
//! server as `[voicemail]`. The command line decides which names exist; this module reads the file, turns each
//! setting into the text a flag would take, and reports errors with their line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::dhcp::subnet::SubnetConfig;
use crate::site_edit::SiteInput;

/// A read config file.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    /// Settings by flag name (with `-`), each as the values a flag would be given.
    pub settings: Vec<(String, Vec<String>)>,
    /// The `[[subnet]]` tables, unchecked.
    pub subnets: Vec<SubnetConfig>,
    /// The `[[site]]` tables, applied to the database when the server starts.
    pub sites: Vec<SiteInput>,
    /// The `[voicemail]` table: the central voice mail server and its backup.
    pub voicemail: Option<VoicemailConfig>,
    /// The `[[setting]]` tables, applied to the database when the server starts (after the
    /// sites).
    pub parameters: Vec<SettingConfig>,
}

/// A `[[setting]]` table: one setting, as a row of a settings CSV.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingConfig {
    /// `deployment`, `site`, `vendor`, `model`, `profile` or `phone`.
    pub scope: String,
    /// The site, vendor, model, profile or MAC; left out for the deployment.
    #[serde(default)]
    pub target: String,
    /// The parameter.
    pub parameter: String,
    /// Its value.
    pub value: String,
}

/// The `[voicemail]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoicemailConfig {
    /// The central voice mail server.
    pub central: Option<String>,
    /// Its backup.
    pub backup: Option<String>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// The file cannot be read.
    #[error("cannot read the config file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file is not valid TOML, or a subnet is not valid.
    #[error("config file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What and where (TOML errors name the line).
        message: String,
    },
}

#[derive(Deserialize)]
struct Layout {
    #[serde(default)]
    subnet: Vec<SubnetConfig>,
    #[serde(default)]
    site: Vec<SiteInput>,
    voicemail: Option<VoicemailConfig>,
    #[serde(default)]
    setting: Vec<SettingConfig>,
    #[serde(flatten)]
    settings: BTreeMap<String, toml::Value>,
}

/// Reads and parses `path`.
pub fn load(path: &Path) -> Result<ConfigFile, ConfigFileError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigFileError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&text).map_err(|message| ConfigFileError::Invalid {
        path: path.to_path_buf(),
        message,
    })
}

/// Parses a config file's text.
pub fn parse(text: &str) -> Result<ConfigFile, String> {
    let layout: Layout = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut settings = Vec::with_capacity(layout.settings.len());
    for (key, value) in layout.settings {
        let values = match value {
            toml::Value::Array(items) => items
                .into_iter()
                .map(|item| scalar(&key, item))
                .collect::<Result<Vec<_>, _>>()?,
            other => vec![scalar(&key, other)?],
        };
        settings.push((key.replace('_', "-"), values));
    }
    Ok(ConfigFile {
        settings,
        subnets: layout.subnet,
        sites: layout.site,
        voicemail: layout.voicemail,
        parameters: layout.setting,
    })
}

fn scalar(key: &str, value: toml::Value) -> Result<String, String> {
    match value {
        toml::Value::String(text) => Ok(text),
        toml::Value::Integer(number) => Ok(number.to_string()),
        toml::Value::Boolean(flag) => Ok(flag.to_string()),
        other => Err(format!(
            "setting `{key}` must be a string, number, boolean or a list of them, not {}",
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_become_flag_values() {
        let file = parse(
            r#"
            http_listen = "0.0.0.0:80"
            ftp-account = ["a:b", "c:d"]
            upload_max_bytes = 1000
            ftp_no_active = true

            [[subnet]]
            network = "10.0.0.0/24"
            "#,
        )
        .unwrap();
        assert_eq!(
            file.settings,
            vec![
                ("ftp-account".to_string(), vec!["a:b".into(), "c:d".into()]),
                ("ftp-no-active".to_string(), vec!["true".into()]),
                ("http-listen".to_string(), vec!["0.0.0.0:80".into()]),
                ("upload-max-bytes".to_string(), vec!["1000".into()]),
            ]
        );
        assert_eq!(file.subnets.len(), 1);
    }

    #[test]
    fn errors_name_the_line_or_the_setting() {
        let error = parse("http_listen = \n").unwrap_err();
        assert!(error.contains("line 1"), "{error}");
        let error = parse("dhcp_listen = { a = 1 }\n").unwrap_err();
        assert!(error.contains("`dhcp_listen`"), "{error}");
        let error = parse("[[subnet]]\nnetwork = \"10.0.0.0/24\"\npool = []\n").unwrap_err();
        assert!(
            error.contains("pool") && error.contains("line 3"),
            "{error}"
        );
    }
}
