//! The demo deployment: `phoneprov serve --demo` loads `fixtures/demo.csv` (embedded in the binary)
//! into a store that has no extensions and no phones yet, so a first run has phones to look at.

use crate::import::{ImportError, ImportOptions, ImportReport, import_csv};
use crate::store::Store;

/// The demo extensions and phones, in the CSV import format.
pub const DEMO_CSV: &str = include_str!("../fixtures/demo.csv");

/// Loads the demo data if the store holds no extensions and no phones. Returns the import report,
/// or `None` when the store already had data.
pub async fn load_if_empty(store: &dyn Store) -> Result<Option<ImportReport>, ImportError> {
    let counts = store.counts().await?;
    if counts.extensions > 0 || counts.phones > 0 {
        return Ok(None);
    }
    let report = import_csv(
        store,
        DEMO_CSV.as_bytes(),
        &ImportOptions::by("demo"),
        &|_, _| {},
    )
    .await?;
    Ok(Some(report))
}
