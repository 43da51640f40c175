//! Fuzzes CSV import parsing: any bytes as an uploaded file. Must never panic; a file is either
//! rows or a list of errors, and every error names a line within the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use phoneprov::import::parse_csv;

fuzz_target!(|data: &[u8]| {
    match parse_csv(data) {
        Ok(parsed) => assert!(parsed.rows.len() <= data.len()),
        Err(errors) => assert!(
            !errors.is_empty(),
            "a refused file names at least one error"
        ),
    }
});
