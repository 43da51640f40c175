//! Yealink programmable keys: how many line keys each model has and which expansion modules it
//! takes, the type code of each key kind, and the parameters a phone's keys set in its
//! `<mac>.cfg`.
//!
//! Parameters (Yealink Administrator's Guide for SIP-T5 Series, "BLF Key Configuration" and
//! "Line Keys Configuration"; SIP-T2/T4 Series guide, "DSS Keys"): `linekey.X.type`, `.value`,
//! `.line` (the account, from 1), `.label`; an expansion module's keys are
//! `expansion_module.M.key.Y.*` with the same type codes. Type codes: 5 DND, 9 directed pickup,
//! 10 call park, 13 speed dial, 15 line, 16 BLF. Line keys per model and the module each model
//! takes (EXP40: 40 keys, up to 6; EXP43 and EXP50: 60 keys, up to 3; EXP55: 78 keys, up to 3)
//! are the counts Wazo's Yealink plugin uses (wazo-platform/wazo-provd-plugins,
//! `plugins/wazo_yealink/v87/common.py`).

use crate::domain::{KeyKind, Model, ProgrammedKey};
use crate::handset::interface::KeyRefusal;

/// An expansion module: its name, its keys, and how many can be chained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpansionModule {
    /// `EXP40`, `EXP43`, `EXP50`, `EXP55`.
    pub name: &'static str,
    /// Keys on one module.
    pub keys: u16,
    /// Modules a phone takes, daisy-chained.
    pub chained: u16,
}

const EXP40: ExpansionModule = ExpansionModule {
    name: "EXP40",
    keys: 40,
    chained: 6,
};
const EXP43: ExpansionModule = ExpansionModule {
    name: "EXP43",
    keys: 60,
    chained: 3,
};
const EXP50: ExpansionModule = ExpansionModule {
    name: "EXP50",
    keys: 60,
    chained: 3,
};
const EXP55: ExpansionModule = ExpansionModule {
    name: "EXP55",
    keys: 78,
    chained: 3,
};

/// The keys of one model: its line keys and the expansion module it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyLayout {
    /// Line keys (`linekey.1` up).
    pub line_keys: u16,
    /// The expansion module it takes, if any.
    pub module: Option<ExpansionModule>,
}

/// The keys of a model, by its canonical name.
pub fn layout(model: &str) -> Option<KeyLayout> {
    let keys = |line_keys, module| {
        Some(KeyLayout {
            line_keys,
            module: Some(module),
        })
    };
    match model {
        "T31G" => Some(KeyLayout {
            line_keys: 2,
            module: None,
        }),
        "T33G" => Some(KeyLayout {
            line_keys: 12,
            module: None,
        }),
        "T42U" => Some(KeyLayout {
            line_keys: 15,
            module: None,
        }),
        "T43U" => keys(15, EXP43),
        "T46S" => keys(27, EXP40),
        "T48S" => keys(29, EXP40),
        "T46U" => keys(27, EXP43),
        "T48U" => keys(29, EXP43),
        "T53" | "T53W" => keys(21, EXP50),
        "T54W" | "T58W" => keys(27, EXP50),
        "T57W" => keys(29, EXP50),
        "T73U" => keys(48, EXP55),
        "T74U" => keys(60, EXP55),
        "T85W" => keys(72, EXP55),
        "T77U" | "T87W" | "T88W" => keys(95, EXP55),
        _ => None,
    }
}

impl KeyLayout {
    /// Its keys in all, expansion modules included.
    pub fn count(self) -> u16 {
        self.line_keys + self.module.map_or(0, |m| m.keys * m.chained)
    }

    /// The parameter prefix of key `n` (`linekey.3`, `expansion_module.2.key.5`).
    fn slot(self, n: u16) -> Option<String> {
        if n == 0 {
            return None;
        }
        if n <= self.line_keys {
            return Some(format!("linekey.{n}"));
        }
        let module = self.module?;
        let rest = n - self.line_keys;
        (rest <= module.keys * module.chained).then(|| {
            let which = (rest - 1) / module.keys + 1;
            let key = (rest - 1) % module.keys + 1;
            format!("expansion_module.{which}.key.{key}")
        })
    }
}

/// Yealink's type code of a key kind; `None` for a kind it has no key for.
fn type_code(kind: KeyKind) -> Option<u8> {
    match kind {
        KeyKind::Dnd => Some(5),
        KeyKind::Pickup => Some(9),
        KeyKind::Park => Some(10),
        KeyKind::SpeedDial => Some(13),
        KeyKind::Line => Some(15),
        KeyKind::Blf => Some(16),
        KeyKind::Voicemail | KeyKind::Retrieve => None,
    }
}

/// Whether `key` can be programmed on a Yealink phone of `model`; `Err` says why not.
pub fn check(model: Option<&Model>, key: &ProgrammedKey) -> Result<(), KeyRefusal> {
    let (model, layout) = KeyRefusal::model_layout(model, layout)?;
    if layout.slot(key.key).is_none() {
        let modules = layout.module.map_or_else(
            || " (it takes no expansion module)".to_string(),
            |m| format!(" and {} {} modules of {} keys", m.chained, m.name, m.keys),
        );
        return Err(KeyRefusal::key(format!(
            "key {} is beyond the {} keys of a {}: {} line keys{modules}",
            key.key,
            layout.count(),
            model.name,
            layout.line_keys
        )));
    }
    if type_code(key.kind).is_none() {
        return Err(KeyRefusal::kind(if key.kind == KeyKind::Retrieve {
            "no Yealink key type phoneprov can confirm retrieves a parked call: use a speeddial to the orbit where your call server hands a parked call to whoever dials its orbit"
        } else {
            "Yealink phones have no transfer-to-voice-mail key: use a speeddial with your call server's code"
        }));
    }
    if key.kind == KeyKind::Line
        && !key
            .value
            .parse::<u8>()
            .is_ok_and(|n| (1..=model.lines).contains(&n))
    {
        return Err(KeyRefusal::value(format!(
            "a line key takes an account number from 1 to {} on a {}, not {:?}",
            model.lines, model.name, key.value
        )));
    }
    Ok(())
}

/// The parameters a phone's keys set (keys that do not fit the model are left out: the import
/// refuses them).
pub fn parameters(model: Option<&Model>, keys: &[ProgrammedKey]) -> Vec<(String, String)> {
    let Some(layout) = model.and_then(|m| layout(m.name)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in keys {
        let (Some(slot), Some(code)) = (layout.slot(key.key), type_code(key.kind)) else {
            continue;
        };
        out.push((format!("{slot}.type"), code.to_string()));
        let line = if key.kind == KeyKind::Line {
            key.value.clone()
        } else {
            "1".to_string()
        };
        out.push((format!("{slot}.line"), line));
        if key.kind.needs_value() && key.kind != KeyKind::Line {
            out.push((format!("{slot}.value"), key.value.clone()));
        }
        if !key.label.is_empty() {
            out.push((format!("{slot}.label"), key.label.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MODELS, Vendor};

    #[test]
    fn keys_fill_the_line_keys_then_the_expansion_modules() {
        let t46s = layout("T46S").unwrap();
        assert_eq!(t46s.slot(1).as_deref(), Some("linekey.1"));
        assert_eq!(t46s.slot(27).as_deref(), Some("linekey.27"));
        assert_eq!(t46s.slot(28).as_deref(), Some("expansion_module.1.key.1"));
        assert_eq!(t46s.slot(67).as_deref(), Some("expansion_module.1.key.40"));
        assert_eq!(t46s.slot(68).as_deref(), Some("expansion_module.2.key.1"));
        assert_eq!(t46s.count(), 27 + 6 * 40);
        assert_eq!(t46s.slot(t46s.count() + 1), None);
        let t31g = layout("T31G").unwrap();
        assert_eq!(t31g.slot(3), None, "no expansion module");
        assert_eq!(t31g.slot(0), None);
    }

    #[test]
    fn every_yealink_model_has_a_key_layout() {
        for model in MODELS.iter().filter(|m| m.vendor == Vendor::Yealink) {
            assert!(layout(model.name).is_some(), "{}", model.name);
        }
    }
}
