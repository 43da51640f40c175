//! (Part of the `phoneprov` binary, not the library.) Lists printed as aligned columns under a
//! header: each column as wide as its widest cell.

use crate::say;

/// Prints `header` and `rows`, columns lined up, two spaces apart.
pub fn print_columns(header: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    say(format_args!("{}\n", line(header.to_vec())))?;
    for row in rows {
        say(format_args!(
            "{}\n",
            line(row.iter().map(String::as_str).collect())
        ))?;
    }
    Ok(())
}
