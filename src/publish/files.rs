//! The complete set of files phones can ask a boot server for, rendered once: every phone's own
//! files in the order it fetches them (Polycom master, settings, extension and site files, its
//! contact directory; Aastra/Mitel global, model, `<MAC>.cfg` and `<MAC>-directory.csv`), the
//! default master, and with `with_firmware` every file of the firmware folder (images,
//! `sip.cfg`, ringtones).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bytes::Bytes;

use crate::domain::Deployment;
use crate::handset::{HANDSETS, handset};
use crate::provision::{Fetch, Provisioner, with_speed_dials};
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
/// A file to publish: its name and, for a file many phones share (a company directory), the
/// key its rendering is shared under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The file's name.
    pub name: String,
    /// The shared rendering's key, for a company directory.
    pub shared: Option<String>,
}

/// Every file to publish: each vendor's files for phones of no account (Polycom's default
/// master), then each phone's own files in the order it fetches them and its company directory.
pub fn publish_names(deployment: &Deployment, provisioner: &Provisioner) -> Vec<Wanted> {
    let own = |name: String| Wanted { name, shared: None };
    let mut names: Vec<Wanted> = HANDSETS
        .iter()
        .flat_map(|handset| handset.unassigned_files())
        .map(|name| own((*name).to_string()))
        .collect();
    for phone in deployment.phones() {
        names.extend(
            provisioner
                .files_of_phone(deployment, phone)
                .into_iter()
                .map(own),
        );
        let name = handset(phone.vendor).directory_file_name(&phone.mac);
        let shared = Some(crate::provision::directory::shared_key(deployment, phone));
        names.push(Wanted { name, shared });
    }
    names
}

/// The files of `names` that `fetch` renders (`None`: not a file phoneprov renders), and with
/// `firmware` every file of that folder.
pub fn file_set(
    names: Vec<Wanted>,
    mut fetch: impl FnMut(&Wanted) -> Result<Option<Bytes>, RenderError>,
    firmware: Option<&Path>,
) -> Result<BTreeMap<String, Bytes>, FileSetError> {
    let mut files = BTreeMap::new();
    for wanted in names {
        if files.contains_key(&wanted.name) {
            continue;
        }
        let fetched = fetch(&wanted).map_err(|source| FileSetError::Render {
            name: wanted.name.clone(),
            source,
        })?;
        if let Some(content) = fetched {
            files.insert(wanted.name, content);
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
    let mut shared: HashMap<String, Option<String>> = HashMap::new();
    let fetch = |wanted: &Wanted| {
        let content = match wanted.shared.as_ref().and_then(|key| shared.get(key)) {
            Some(done) => done.clone(),
            None => {
                let content =
                    provisioner
                        .fetch(deployment, &wanted.name)
                        .map(|fetched| match fetched {
                            Fetch::Found(rendered) => Some(rendered.content),
                            Fetch::NotFound(_) => None,
                        })?;
                if let Some(key) = &wanted.shared {
                    shared.insert(key.clone(), content.clone());
                }
                content
            }
        };
        // A shared directory with each phone's own speed dials.
        Ok(content.map(|c| Bytes::from(with_speed_dials(deployment, &wanted.name, c))))
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
