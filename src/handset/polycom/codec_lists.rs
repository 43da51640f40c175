//! The model-specific codec lists some Polycom models read on SIP 3.x. Polycom's own SIP 3.2.4B
//! `sip.cfg` has, beside the generic `voice.codecPref.*` list, lists of their own for the
//! SoundPoint IP 650 (`voice.codecPref.IP_650.*`), the SoundStation IP 5000, 6000 and 7000
//! (`IP_5000`, `IP_6000`, `IP_7000`) and the VVX 1500 (`VVX_1500`); the SIP 1.4 administrator
//! guide (4.6.1.6.1.1) describes such a list, `voice.codecPref.IP_4000.*`, as the one of its
//! platform. So where a phone may read its model's list, every codec priority of its settings is
//! written there too, and the phone applies the admin's order whichever list it reads. The
//! settings file comes first in the phone's `CONFIG_FILES`, so these values win over the stock
//! file's.

use crate::domain::Effective;
use crate::handset::polycom::firmware::Family;

/// The name of the codec list a model may read instead of the generic one, on `family`.
fn model_list(model: &str, family: Family) -> Option<&'static str> {
    if !matches!(family, Family::Sip31 | Family::Sip32) {
        return None;
    }
    match model {
        "SPIP_650" => Some("IP_650"),
        "SSIP_5000" => Some("IP_5000"),
        "SSIP_6000" => Some("IP_6000"),
        "SSIP_7000" => Some("IP_7000"),
        "VVX_1500" => Some("VVX_1500"),
        _ => None,
    }
}

/// `settings` with a copy of each generic codec priority (`voice.codecPref.<codec>`) in the
/// model's own list (`voice.codecPref.IP_650.<codec>`), where the model has one on `family`; a
/// priority set in the model's list itself is kept.
pub fn with_model_list(settings: Vec<Effective>, model: &str, family: Family) -> Vec<Effective> {
    let Some(list) = model_list(model, family) else {
        return settings;
    };
    let own_prefix = format!("voice.codecPref.{list}.");
    let copies: Vec<Effective> = settings
        .iter()
        .filter_map(|setting| {
            let codec = setting.parameter.strip_prefix("voice.codecPref.")?;
            (!codec.contains('.')).then(|| Effective {
                parameter: format!("{own_prefix}{codec}"),
                ..setting.clone()
            })
        })
        .filter(|copy| !settings.iter().any(|s| s.parameter == copy.parameter))
        .collect();
    let mut all = settings;
    for copy in copies {
        let at = all.partition_point(|e| e.parameter < copy.parameter);
        all.insert(at, copy);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(parameter: &str, value: &str) -> Effective {
        Effective {
            parameter: parameter.into(),
            value: value.into(),
            origin: "deployment @codecs".into(),
        }
    }

    #[test]
    fn a_soundpoint_650_gets_its_own_list_on_sip_3_only() {
        let settings = vec![
            setting("voice.codecPref.G711A", "2"),
            setting("voice.codecPref.G722", "1"),
            setting("voice.codecPref.IP_650.G729AB", "0"),
        ];
        let written = with_model_list(settings.clone(), "SPIP_650", Family::Sip32);
        let names: Vec<&str> = written.iter().map(|e| e.parameter.as_str()).collect();
        assert_eq!(
            names,
            [
                "voice.codecPref.G711A",
                "voice.codecPref.G722",
                "voice.codecPref.IP_650.G711A",
                "voice.codecPref.IP_650.G722",
                "voice.codecPref.IP_650.G729AB",
            ]
        );
        assert_eq!(
            with_model_list(settings.clone(), "SPIP_650", Family::Uc4),
            settings
        );
        assert_eq!(
            with_model_list(settings.clone(), "SPIP_550", Family::Sip32),
            settings
        );
    }
}
