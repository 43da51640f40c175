//! (Part of the `phoneprov` binary, not the library.) `phoneprov templates dump`: writes the
//! built-in templates into a folder, to start an override from (docs/templates.md). Opens no
//! database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use phoneprov::render::templates as builtin_templates;

use crate::say;

/// What to do with the templates.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// Write every built-in template under DIR (default: the templates folder), as
    /// `polycom/site.xml`, `aastra/phone.cfg`, ...; existing files are left alone unless
    /// --force.
    Dump {
        /// The folder (default: the templates folder, `--templates-dir`).
        dir: Option<PathBuf>,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
    },
}

pub fn templates(action: TemplatesAction, templates_dir: &Path) -> anyhow::Result<ExitCode> {
    let TemplatesAction::Dump { dir, force } = action;
    let dir = dir.unwrap_or_else(|| templates_dir.to_path_buf());
    let existing: Vec<String> = builtin_templates()
        .map(|template| template.name)
        .filter(|name| dir.join(name).exists())
        .map(str::to_string)
        .collect();
    if !existing.is_empty() && !force {
        anyhow::bail!(
            "{} already holds {}: nothing was written (give --force to overwrite them, or another folder)",
            dir.display(),
            existing.join(", ")
        );
    }
    let mut written = 0;
    for template in builtin_templates() {
        let (name, text) = (template.name, template.text);
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        say(format_args!("{}\n", path.display()))?;
        written += 1;
    }
    say(format_args!(
        "wrote {} built-in templates; a file left there overrides the built-in one (phoneprov check tests them)\n",
        written
    ))?;
    Ok(ExitCode::SUCCESS)
}
