//! Rendering phone files from Tera templates. Each output format a vendor's templates declare
//! ([`Format`]) has its own Tera instance and escape function ([`escape`]): XML, and `key:
//! value` lines. Built-in templates (`templates/` in the source tree, listed by each vendor's
//! folder) are embedded in the binary; a templates folder may override any of them by name. An
//! override that does not parse, or does not render with its vendor's sample context, is refused
//! with the template name and line, and the built-in one keeps serving. Every rendered XML file
//! is checked to be well-formed; one that is not is an error, never served.

pub mod escape;
mod templates;
pub mod xml_check;

pub use templates::{sample_context, template, templates};

use std::path::Path;

use tera::{Context, Tera};

use crate::handset::file::Format;

/// Fallback prefix of the built-in templates.
const BUILTIN: &str = "builtin/";

/// Why a file could not be rendered. Never served: the phone gets an error instead.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The template failed (Tera's message names the template and line).
    #[error("template {name}: {message}")]
    Template {
        /// Template name.
        name: String,
        /// Tera's report.
        message: String,
    },
    /// The output is not well-formed XML.
    #[error("template {name} produced malformed XML: {message}")]
    InvalidXml {
        /// Template name.
        name: String,
        /// The parser's report.
        message: String,
    },
}

/// An override that was refused, or a file in the templates folder that is no template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// Path of the file, relative to the templates folder.
    pub file: String,
    /// What is wrong (for a refused override: the template name and line).
    pub message: String,
}

impl std::fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "templates folder, {}: {}", self.file, self.message)
    }
}

/// The templates in use, one Tera instance per output format.
#[derive(Debug, Clone)]
pub struct Renderer {
    by_format: Vec<(Format, Tera)>,
    overridden: Vec<String>,
}

/// Tera's report on one line: its message and where, e.g. ``Variable `x` is not defined (at
/// polycom/site.xml:2:9)``, instead of the multi-line snippet, so a log line holds it whole.
pub fn one_line(error: &tera::Error) -> String {
    let report = error.to_string();
    let mut message = None;
    let mut place = None;
    for line in report.lines() {
        let line = line.trim();
        if let Some(at) = line.strip_prefix("--> ") {
            place.get_or_insert(at.to_string());
        } else if message.is_none() && !line.is_empty() {
            message = Some(line.trim_start_matches("error: ").to_string());
        }
    }
    match (message, place) {
        (Some(message), Some(place)) => format!("{message} (at {place})"),
        (Some(message), None) => message,
        _ => report.replace('\n', " "),
    }
}

/// A Tera instance for templates of `format`: every value escaped the format's way.
fn new_tera(format: Format) -> Tera {
    let mut tera = Tera::new();
    // Adding no template yet, so this cannot fail.
    let _ = tera.set_fallback_prefixes([BUILTIN]);
    // Every template of the instance writes the format.
    tera.autoescape_on([""]);
    tera.set_escape_fn(match format {
        Format::Xml => escape::escape_xml,
        Format::ColonLines | Format::EqualsLines => escape::escape_colon_lines,
    });
    tera
}

impl Renderer {
    /// The built-in templates only.
    pub fn builtin() -> Renderer {
        let mut renderer = Renderer {
            by_format: Vec::new(),
            overridden: Vec::new(),
        };
        for template in templates() {
            let tera = renderer.tera_mut(template.format);
            // The built-in templates are checked by the test suite.
            if let Err(e) =
                tera.add_raw_template(&format!("{BUILTIN}{}", template.name), template.text)
            {
                tracing::error!(
                    template = template.name,
                    "built-in template does not parse: {}",
                    one_line(&e)
                );
            }
        }
        renderer
    }

    /// The Tera instance of `format`, made when first needed.
    fn tera_mut(&mut self, format: Format) -> &mut Tera {
        let at = match self.by_format.iter().position(|(f, _)| *f == format) {
            Some(at) => at,
            None => {
                self.by_format.push((format, new_tera(format)));
                self.by_format.len() - 1
            }
        };
        &mut self.by_format[at].1
    }

    /// The built-in templates with the valid overrides found in `dir` (if it exists). Refused
    /// overrides and stray files are returned; the built-in template serves in their place.
    pub fn load(dir: &Path) -> (Renderer, Vec<TemplateProblem>) {
        let mut renderer = Renderer::builtin();
        let mut problems = Vec::new();
        for (relative, text) in read_folder(dir, &mut problems) {
            match renderer.with_override(&relative, &text) {
                Ok(next) => renderer = next,
                Err(message) => problems.push(TemplateProblem {
                    file: relative,
                    message,
                }),
            }
        }
        (renderer, problems)
    }

    /// Names of the templates overridden from the templates folder.
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }

    /// This renderer with `name` replaced by `text`, if `text` parses, renders with the sample
    /// context of `name` and (for XML) yields well-formed XML.
    pub fn with_override(&self, name: &str, text: &str) -> Result<Renderer, String> {
        let (Some(known), Some(sample)) = (template(name), sample_context(name)) else {
            let known: Vec<&str> = templates().map(|t| t.name).collect();
            return Err(format!(
                "not a template phoneprov uses (templates: {})",
                known.join(", ")
            ));
        };
        let mut next = self.clone();
        let tera = next.tera_mut(known.format);
        tera.add_raw_template(name, text).map_err(|e| {
            format!(
                "refused, the built-in template serves instead: {}",
                one_line(&e)
            )
        })?;
        next.render(name, &sample)
            .map_err(|e| format!("refused, the built-in template serves instead: {e}"))?;
        next.overridden.push(name.to_string());
        Ok(next)
    }

    /// Renders one template. XML output is checked to be well-formed.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, RenderError> {
        let unknown = || RenderError::Template {
            name: name.to_string(),
            message: "not a template phoneprov uses".to_string(),
        };
        let format = template(name).ok_or_else(unknown)?.format;
        let tera = self
            .by_format
            .iter()
            .find(|(f, _)| *f == format)
            .map(|(_, tera)| tera)
            .ok_or_else(unknown)?;
        let xml = format == Format::Xml;
        let output = tera
            .render(name, context)
            .map_err(|e| RenderError::Template {
                name: name.to_string(),
                message: one_line(&e),
            })?;
        if xml && let Err(e) = xml_check::check(&output) {
            return Err(RenderError::InvalidXml {
                name: name.to_string(),
                message: e.to_string(),
            });
        }
        Ok(output)
    }
}

/// Every file under `dir`, as `(relative path with /, text)`; unreadable files become problems.
fn read_folder(dir: &Path, problems: &mut Vec<TemplateProblem>) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((relative, text)),
                Err(e) => problems.push(TemplateProblem {
                    file: relative,
                    message: format!("cannot be read as UTF-8 text: {e}"),
                }),
            }
        }
    }
    files.sort();
    files
}
