//! The code of each Yealink model's common file, `y0000000000NN.cfg`: an explicit table, because
//! the code is not always the first number of the model's firmware (a T77U runs firmware
//! `185.x` but reads `y000000000188.cfg`). Codes as the peers' per-model folders name the common
//! file (docs/phone-parameters.md lists them with their sources).

/// Each model's common-file code, by the model's canonical name.
const COMMON_FILE_CODES: &[(&str, u16)] = &[
    ("T31G", 123),
    ("T33G", 124),
    ("T42U", 116),
    ("T43U", 107),
    ("T46S", 66),
    ("T46U", 108),
    ("T48S", 65),
    ("T48U", 109),
    ("T53", 95),
    ("T53W", 95),
    ("T54W", 96),
    ("T57W", 97),
    ("T58W", 150),
    ("T73U", 186),
    ("T74U", 187),
    ("T77U", 188),
    ("T85W", 196),
    ("T87W", 197),
    ("T88W", 192),
];

/// The common-file code of a model, by its canonical name.
pub fn common_file_code(model: &str) -> Option<u16> {
    COMMON_FILE_CODES
        .iter()
        .find(|(name, _)| *name == model)
        .map(|(_, code)| *code)
}

/// The model names sharing the common file `code` (a T53 and a T53W read the same file).
pub fn models_of_code(code: u16) -> impl Iterator<Item = &'static str> {
    COMMON_FILE_CODES
        .iter()
        .filter(move |(_, of)| *of == code)
        .map(|(name, _)| *name)
}

/// `y0000000000NN.cfg`: `y` and twelve digits.
pub fn common_file_name(code: u16) -> String {
    format!("y{code:012}.cfg")
}

/// The code a common file's name carries, if it is one (`y000000000066.cfg` -> 66).
pub fn code_of_common_file(name: &str) -> Option<u16> {
    let digits = name.strip_prefix('y')?.strip_suffix(".cfg")?;
    if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|code| *code != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MODELS, Vendor};

    #[test]
    fn every_yealink_model_has_a_common_file_and_names_round_trip() {
        for model in MODELS.iter().filter(|m| m.vendor == Vendor::Yealink) {
            let code = common_file_code(model.name)
                .unwrap_or_else(|| panic!("{} has a common file", model.name));
            assert_eq!(code_of_common_file(&common_file_name(code)), Some(code));
        }
        assert_eq!(common_file_name(66), "y000000000066.cfg");
        assert_eq!(common_file_name(188), "y000000000188.cfg");
        assert_eq!(code_of_common_file("y000000000000.cfg"), None);
        assert_eq!(code_of_common_file("y00000000066.cfg"), None);
        assert_eq!(code_of_common_file("y0000000000x6.cfg"), None);
        assert_eq!(models_of_code(95).collect::<Vec<_>>(), ["T53", "T53W"]);
    }
}
