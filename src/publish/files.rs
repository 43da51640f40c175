//! The complete set of files phones can ask a boot server for, rendered once: every phone's own
//! files in the order it fetches them (Polycom master, settings, extension and site files, its
//! contact directory; Aastra/Mitel global, model and `<MAC>.cfg`), the default master, and with
//! `with_firmware` every file of the firmware folder (images, `sip.cfg`, ringtones).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bytes::Bytes;

use crate::domain::Vendor;
use crate::provision::deployment::Deployment;
use crate::provision::{Fetch, Provisioner};
use crate::render::RenderError;

/// Why the file set cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum FileSetError {
    /// A file does not render.
    #[error("cannot render {name}: {source}")]
    Render {
        /// The file.
        name: String,
        /// Why.
        source: RenderError,
    },
    /// The firmware folder cannot be read.
    #[error("cannot read the firmware folder {path}: {source}")]
    Firmware {
        /// The folder or file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The Polycom master file of phones of no account.
const DEFAULT_MASTER_FILE: &str = "000000000000.cfg";

/// The names of every file to publish: the default master, then each phone's own files in the
/// order it fetches them and, for Polycom phones, its contact directory.
pub fn publish_names(deployment: &Deployment, provisioner: &Provisioner) -> Vec<String> {
    let mut names: Vec<String> = vec![DEFAULT_MASTER_FILE.to_string()];
    for phone in deployment.phones() {
        names.extend(provisioner.files_of_phone(deployment, phone));
        if phone.vendor == Vendor::Polycom {
            names.push(format!(
                "{}{}",
                phone.mac.polycom_name(),
                crate::handset::polycom::directory::FILE_SUFFIX
            ));
        }
    }
    names
}

/// The files of `names` that `fetch` renders (`None`: not a file phoneprov renders), and with
/// `firmware` every file of that folder.
pub fn file_set(
    names: Vec<String>,
    mut fetch: impl FnMut(&str) -> Result<Option<Bytes>, RenderError>,
    firmware: Option<&Path>,
) -> Result<BTreeMap<String, Bytes>, FileSetError> {
    let mut files = BTreeMap::new();
    for name in names {
        if files.contains_key(&name) {
            continue;
        }
        let fetched = fetch(&name).map_err(|source| FileSetError::Render {
            name: name.clone(),
            source,
        })?;
        if let Some(content) = fetched {
            files.insert(name, content);
        }
    }
    if let Some(root) = firmware {
        add_folder(root, "", &mut files)?;
    }
    Ok(files)
}

/// The file set rendered afresh from `deployment` (the CLI's one-shot publish). A company
/// directory is rendered once per list and shared by every phone that gets that list, as the
/// server's render cache does.
pub fn rendered_file_set(
    deployment: &Deployment,
    provisioner: &Provisioner,
    firmware: Option<&Path>,
) -> Result<BTreeMap<String, Bytes>, FileSetError> {
    let directory_keys: HashMap<String, String> = deployment
        .phones()
        .filter(|phone| phone.vendor == Vendor::Polycom)
        .map(|phone| {
            (
                format!(
                    "{}{}",
                    phone.mac.polycom_name(),
                    crate::handset::polycom::directory::FILE_SUFFIX
                ),
                crate::provision::directory::shared_key(deployment, phone),
            )
        })
        .collect();
    let mut directories: HashMap<&str, Option<Bytes>> = HashMap::new();
    let fetch = |name: &str| {
        let key = directory_keys.get(name).map(String::as_str);
        if let Some(done) = key.and_then(|k| directories.get(k)) {
            return Ok(done.clone());
        }
        let content = provisioner
            .fetch(deployment, name)
            .map(|fetched| match fetched {
                Fetch::Found(rendered) => Some(Bytes::from(rendered.content)),
                Fetch::NotFound(_) => None,
            })?;
        if let Some(key) = key {
            directories.insert(key, content.clone());
        }
        Ok(content)
    };
    file_set(publish_names(deployment, provisioner), fetch, firmware)
}

/// Adds every regular file under `root/prefix` (symbolic links are not followed).
fn add_folder(
    root: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, Bytes>,
) -> Result<(), FileSetError> {
    let folder = root.join(prefix);
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| FileSetError::Firmware { path, source }
    };
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && prefix.is_empty() => return Ok(()),
        Err(e) => return Err(failed(&folder)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(failed(&folder))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(failed(&entry.path()))?;
        if kind.is_dir() {
            add_folder(root, &relative, files)?;
        } else if kind.is_file() && !files.contains_key(&relative) {
            let content = std::fs::read(entry.path()).map_err(failed(&entry.path()))?;
            files.insert(relative, Bytes::from(content));
        }
    }
    Ok(())
}
