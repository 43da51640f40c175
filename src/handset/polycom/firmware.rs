//! Polycom firmware families: which software line each model runs, and what that line decides in
//! the files phoneprov renders (the application image in `APP_FILE_PATH`, the vendor files a
//! master lists after phoneprov's own in `CONFIG_FILES`, and the parameter spellings of the site
//! file). Admins pin the image of a model (`VVX_400=vvx/5.9.7/sip.ld`), optionally with the family
//! that image belongs to (`SPIP_331=uc4:uc4/sip.ld` moves a SoundPoint to UC Software 4.0). The
//! pins are one list for every vendor that takes them: a Yealink model's pin
//! (`T46S=yealink/T46S-66.86.0.15.rom`) is read by the Yealink folder through
//! [`FirmwarePins::pinned_image`].
//!
//! Models that stop at a line run it: SoundPoint IP 300/500 at SIP 2.1, 301/501/600/601 and
//! SoundStation IP 4000 at SIP 3.1, VVX 300/310/400/410/500/600/1500 at UC Software 5.x (the
//! models Wazo provd's `v5_9_2` plugin serves that its `v6_4_6` plugin no longer lists; its
//! `v3_1_6` plugin; provisioner.net's master with its `APPLICATION_SPIP301` sections). The VVX
//! x01, x11 and x50 phones run UC Software 6.x (Wazo's `v6_4_6` list), Poly Edge E and CCX phones
//! their own UC Software 7.x-9.x releases, each in a folder of its own (user agents
//! `PolyEdge-Edge_E450-UA/8.0.0.15602`, `PolyCCX-CCX_600-UA/8.0.2.3267`).
//! The SoundPoint IP and SoundStation IP models that can run either SIP 3.2 or UC Software 4.0 are
//! served as SIP 3.2 unless pinned: that is what the AltiGen MAXCS guide deploys them on (SIP
//! 3.2.7, with `sip.ld`, `phone1.cfg`, `sip.cfg`), and serving UC spellings to a phone still on
//! 3.2 would silently break its intercom auto-answer.

use std::collections::BTreeMap;
use std::fmt;

use crate::domain::{MODELS, Model, Vendor, quoted};

/// A Polycom software line, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// SIP 2.1.x: SoundPoint IP 300 and 500.
    Sip21,
    /// SIP 3.1.x: SoundPoint IP 301, 501, 600, 601, SoundStation IP 4000.
    Sip31,
    /// SIP 3.2.x: SoundPoint IP 320 to 670 and SoundStation IP 5000 to 7000 (the AltiGen guide's
    /// SIP 3.2.7).
    Sip32,
    /// UC Software 4.0.x: no model by default; SoundPoint IP 321 to 670 and SoundStation IP 5000
    /// to 7000 when pinned to it.
    Uc4,
    /// UC Software 5.x: VVX 300, 310, 400, 410, 500, 600 and 1500 (5.9 is their last).
    Uc5,
    /// UC Software 6.x: VVX 101, 150, 201, 250, 301, 311, 350, 401, 411, 450, 501, 601.
    Uc6,
    /// Poly Edge E (E100 to E550): UC Software 8.x and later, Edge E releases.
    Edge,
    /// Poly CCX (350 to 700) with the OpenSIP profile: UC Software 7.x and later, CCX releases.
    Ccx,
}

/// How a family spells the parameters that changed between SIP 3.x and UC Software 4.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spelling {
    /// SIP 2.x and 3.x: ring classes by number (`alertInfo.N.class="3"`), `se.pat.misc.1.*`.
    Sip,
    /// UC Software 4.0 and later: ring classes by name (`autoAnswer`), `se.pat.misc.messageWaiting.*`.
    Uc,
}

/// The family of phones whose model phoneprov does not know (and the default master's own
/// attributes): UC Software 5.x, whose spellings every VVX, Edge E and CCX release reads.
pub const DEFAULT_FAMILY: Family = Family::Uc5;

impl Family {
    /// Every family, oldest first.
    pub const ALL: [Family; 8] = [
        Family::Sip21,
        Family::Sip31,
        Family::Sip32,
        Family::Uc4,
        Family::Uc5,
        Family::Uc6,
        Family::Edge,
        Family::Ccx,
    ];

    /// The short name used in pins and docs: `sip21`, `sip31`, `sip32`, `uc4`, `uc5`, `uc6`,
    /// `edge`, `ccx`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Sip21 => "sip21",
            Family::Sip31 => "sip31",
            Family::Sip32 => "sip32",
            Family::Uc4 => "uc4",
            Family::Uc5 => "uc5",
            Family::Uc6 => "uc6",
            Family::Edge => "edge",
            Family::Ccx => "ccx",
        }
    }

    /// What the family is called in the vendor's documents.
    pub fn title(self) -> &'static str {
        match self {
            Family::Sip21 => "SIP 2.1.x",
            Family::Sip31 => "SIP 3.1.x",
            Family::Sip32 => "SIP 3.2.x",
            Family::Uc4 => "UC Software 4.0.x",
            Family::Uc5 => "UC Software 5.x",
            Family::Uc6 => "UC Software 6.x",
            Family::Edge => "UC Software for Poly Edge E (8.x and later)",
            Family::Ccx => "UC Software for Poly CCX (7.x and later)",
        }
    }

    /// Parses a short name.
    pub fn parse(text: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The family a Polycom model is served as unless pinned.
    pub fn of_model(model: &Model) -> Option<Family> {
        if model.vendor != Vendor::Polycom {
            return None;
        }
        Some(match model.name {
            "SPIP_300" | "SPIP_500" => Family::Sip21,
            "SPIP_301" | "SPIP_501" | "SPIP_600" | "SPIP_601" | "SSIP_4000" => Family::Sip31,
            "VVX_300" | "VVX_310" | "VVX_400" | "VVX_410" | "VVX_500" | "VVX_600" | "VVX_1500" => {
                Family::Uc5
            }
            name if name.starts_with("VVX_") => Family::Uc6,
            name if name.starts_with("Edge_") => Family::Edge,
            name if name.starts_with("CCX_") => Family::Ccx,
            _ => Family::Sip32,
        })
    }

    /// The application image in the firmware folder, unless pinned. Each family has its own
    /// place so that one folder holds them all: the AltiGen guide's names for SIP 2.1
    /// (`sip_212.ld`) and SIP 3.2 (`sip.ld`), `sip_31.ld` for SIP 3.1, and a folder for each UC
    /// Software line (and for the Edge E and CCX releases, which Poly ships apart), where its
    /// package unpacks as it is (split `<part>.sip.ld` images too).
    pub fn default_image(self) -> &'static str {
        match self {
            Family::Sip21 => "sip_212.ld",
            Family::Sip31 => "sip_31.ld",
            Family::Sip32 => "sip.ld",
            Family::Uc4 => "uc4/sip.ld",
            Family::Uc5 => "uc5/sip.ld",
            Family::Uc6 => "uc6/sip.ld",
            Family::Edge => "edge/sip.ld",
            Family::Ccx => "ccx/sip.ld",
        }
    }

    /// The vendor files a master lists after phoneprov's own: the SIP 2.x/3.x packages carry
    /// `phone1.cfg` and `sip.cfg` with the application's defaults (named as the AltiGen guide
    /// names them for SIP 2.1 and 3.2, `_31` for SIP 3.1); UC Software keeps its defaults in the
    /// application and needs none.
    pub fn vendor_config_files(self) -> &'static [&'static str] {
        match self {
            Family::Sip21 => &["phone1_212.cfg", "sip_212.cfg"],
            Family::Sip31 => &["phone1_31.cfg", "sip_31.cfg"],
            Family::Sip32 => &["phone1.cfg", "sip.cfg"],
            Family::Uc4 | Family::Uc5 | Family::Uc6 | Family::Edge | Family::Ccx => &[],
        }
    }

    /// How the family spells the parameters that differ.
    pub fn spelling(self) -> Spelling {
        match self {
            Family::Sip21 | Family::Sip31 | Family::Sip32 => Spelling::Sip,
            Family::Uc4 | Family::Uc5 | Family::Uc6 | Family::Edge | Family::Ccx => Spelling::Uc,
        }
    }

    /// Whether a family's short name (`uc6`) is one of UC Software's (ring classes by name,
    /// `G711_Mu`); SIP 2.x/3.x and unknown names are not.
    pub fn is_uc_name(family: &str) -> bool {
        Family::parse(family).is_some_and(|f| f.spelling() == Spelling::Uc)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tag of a model in master-file element names: `VVX_400` -> `VVX400`.
pub fn master_tag(model: &Model) -> String {
    model.name.replace('_', "")
}

/// An admin's choice for one model: its image, and the family that image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// Path of the image under the firmware folder, e.g. `vvx/5.9.7/sip.ld`.
    pub image: String,
    /// The family of that image, when it is not the model's own.
    pub family: Option<Family>,
}

/// Every model's pin (`--firmware-pin MODEL=[FAMILY:]PATH`, repeatable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirmwarePins(BTreeMap<&'static str, Pin>);

/// Why a pin is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("firmware pin {}: {reason}", quoted(.text))]
pub struct PinError {
    /// The pin as given.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

impl FirmwarePins {
    /// No pin: every model on its family's default image.
    pub const NONE: FirmwarePins = FirmwarePins(BTreeMap::new());

    /// Parses pins such as `VVX_400=vvx/5.9.7/sip.ld`, `SPIP_331=sip32:sip_327.ld` or
    /// `T46S=yealink/T46S-66.86.0.15.rom`.
    pub fn parse<S: AsRef<str>>(pins: &[S]) -> Result<FirmwarePins, PinError> {
        let mut map = BTreeMap::new();
        for text in pins {
            let text = text.as_ref();
            let refuse = |reason: String| PinError {
                text: text.to_string(),
                reason,
            };
            let (model, target) = text
                .split_once('=')
                .ok_or_else(|| refuse("write MODEL=PATH or MODEL=FAMILY:PATH".into()))?;
            let model = Model::find(model)
                .ok_or_else(|| refuse(format!("no model {}", quoted(model.trim()))))?;
            if model.vendor == Vendor::Aastra {
                return Err(refuse(format!(
                    "{} phones fetch {}.st by name; put that file in the firmware folder instead",
                    model.name, model.name
                )));
            }
            if model.vendor == Vendor::Yealink && target.contains(':') {
                return Err(refuse(format!(
                    "{} images have no firmware family: write {}=PATH",
                    model.name, model.name
                )));
            }
            let (family, image) = match target.split_once(':') {
                Some((family, image)) => (
                    Some(Family::parse(family).ok_or_else(|| {
                        refuse(format!(
                            "no firmware family {} (families: {})",
                            quoted(family),
                            Family::ALL.map(Family::as_str).join(", ")
                        ))
                    })?),
                    image,
                ),
                None => (None, target),
            };
            let image = image.trim();
            let plain = !image.is_empty()
                && image.len() <= 255
                && image.split('/').all(|segment| {
                    !segment.is_empty()
                        && !segment.starts_with('.')
                        && !segment.contains(['\\', '\0', ':', '"', '<', '>', '&', ',', ' '])
                });
            if !plain {
                return Err(refuse(
                    "the path must be a plain path under the firmware folder (no .., no spaces, \
                     commas or quotes)"
                        .into(),
                ));
            }
            if map.contains_key(model.name) {
                return Err(refuse(format!("{} is pinned twice", model.name)));
            }
            map.insert(
                model.name,
                Pin {
                    image: image.to_string(),
                    family,
                },
            );
        }
        Ok(FirmwarePins(map))
    }

    /// The image the admin pinned for `model`, if any (Yealink phones fetch only a pinned one).
    pub fn pinned_image(&self, model: &Model) -> Option<&str> {
        self.0.get(model.name).map(|pin| pin.image.as_str())
    }

    /// The family of `model` with its pin: the pin's family, else the model's own.
    pub fn family_of(&self, model: &Model) -> Option<Family> {
        self.0
            .get(model.name)
            .and_then(|pin| pin.family)
            .or_else(|| Family::of_model(model))
    }

    /// The application image of `model`: its pin, else its family's default.
    pub fn image_of(&self, model: &Model) -> Option<String> {
        match self.0.get(model.name) {
            Some(pin) => Some(pin.image.clone()),
            None => self.family_of(model).map(|f| f.default_image().to_string()),
        }
    }

    /// The family and image of `model` together (`None` for a model of another vendor).
    pub fn firmware_of(&self, model: &Model) -> Option<(Family, String)> {
        Some((self.family_of(model)?, self.image_of(model)?))
    }

    /// Every Polycom model with its family and image, in table order.
    pub fn polycom_models(&self) -> impl Iterator<Item = (&'static Model, Family, String)> + '_ {
        MODELS.iter().filter_map(|model| {
            let (family, image) = self.firmware_of(model)?;
            Some((model, family, image))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> &'static Model {
        Model::find(name).unwrap()
    }

    #[test]
    fn every_polycom_model_has_a_family() {
        for m in MODELS.iter().filter(|m| m.vendor == Vendor::Polycom) {
            assert!(Family::of_model(m).is_some(), "{}", m.name);
        }
        assert_eq!(Family::of_model(model("6757i")), None);
        assert_eq!(Family::of_model(model("SPIP_601")), Some(Family::Sip31));
        assert_eq!(Family::of_model(model("SPIP_335")), Some(Family::Sip32));
        // Wazo provd: `v5_9_2` serves the VVX 300-600 and 1500, `v6_4_6` no longer does.
        assert_eq!(Family::of_model(model("VVX_1500")), Some(Family::Uc5));
        assert_eq!(Family::of_model(model("VVX_400")), Some(Family::Uc5));
        for name in [
            "VVX_101", "VVX_201", "VVX_311", "VVX_411", "VVX_450", "VVX_601",
        ] {
            assert_eq!(Family::of_model(model(name)), Some(Family::Uc6), "{name}");
        }
        assert_eq!(Family::of_model(model("Edge E450")), Some(Family::Edge));
        assert_eq!(Family::of_model(model("CCX 600")), Some(Family::Ccx));
        assert!(Family::is_uc_name("ccx") && !Family::is_uc_name("sip32"));
    }

    #[test]
    fn pins_name_a_model_and_a_plain_path() {
        let pins =
            FirmwarePins::parse(&["VVX_400=vvx/5.9.7/sip.ld", "ip331=uc4:uc4/sip.ld"]).unwrap();
        assert_eq!(
            pins.image_of(model("VVX_400")).as_deref(),
            Some("vvx/5.9.7/sip.ld")
        );
        assert_eq!(pins.family_of(model("SPIP_331")), Some(Family::Uc4));
        assert_eq!(
            pins.image_of(model("VVX_500")).as_deref(),
            Some("uc5/sip.ld")
        );
        assert_eq!(
            pins.image_of(model("Edge_E450")).as_deref(),
            Some("edge/sip.ld")
        );
        for bad in [
            "VVX_400",
            "VVX_999=sip.ld",
            "6757i=6757i.st",
            "VVX_400=../etc/passwd",
            "VVX_400=a b.ld",
            "VVX_400=uc9:sip.ld",
            "VVX_400=",
        ] {
            assert!(FirmwarePins::parse(&[bad]).is_err(), "{bad}");
        }
        assert!(FirmwarePins::parse(&["VVX_400=a.ld", "vvx400=b.ld"]).is_err());
    }
}
