//! Turning database rows into domain values. A row that does not hold a valid value becomes
//! [`StoreError::Corrupt`] naming the table and key, never a panic.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::domain::{
    Assignment, DialPlan, EmergencyNumbers, Extension, ExtensionLength, ExtensionNumber, FileFetch,
    LineNumber, LocalDialing, Mac, NumberRanges, Phone, Recheck, Sighting, Site, SiteId, SiteName,
    SiteSettings, Transport, Upload, UploadInfo, Vendor, ZoneName, parse_stored_call_servers,
};
use crate::store::StoreError;
use crate::store::secrets::SecretKey;

pub(super) const SITE_COLUMNS: &str = "id, name, call_servers, sip_port, utc_offset_seconds, \
     daylight_saving, sntp_server, extension_length, local_dialing, mwi_beep, \
     registration_expiry, alternate_site_id, voicemail_server, reserved_numbers, \
     trust_first_address, switched_over, time_zone, time_offset_set, emergency_numbers, recheck, \
     dial_plan";

pub(super) const EXTENSION_COLUMNS: &str = "number, display_name, label, auth_user, password, \
     home_site_id, current_site_id, switchover_enabled, primary_server, backup_server, \
     in_directory";

pub(super) const PHONE_COLUMNS: &str = "mac, vendor, vendor_pinned, model";

pub(super) const LAST_SEEN_COLUMNS: &str = "last_seen_at_ms, last_ip, last_user_agent, \
     last_firmware, last_file, last_transport";

/// A row that does not hold a valid value, naming the table and key.
pub(super) fn corrupt(table: &'static str, key: &str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

pub(super) fn site(row: &AnyRow) -> Result<Site, StoreError> {
    let name: String = row.try_get("name")?;
    let bad = |reason: &str| corrupt("sites", &name, reason);
    let sip_port = match row.try_get::<Option<i64>, _>("sip_port")? {
        Some(port) => Some(u16::try_from(port).map_err(|_| bad("sip_port out of range"))?),
        None => None,
    };
    let registration_expiry = match row.try_get::<Option<i64>, _>("registration_expiry")? {
        Some(secs) => {
            Some(u32::try_from(secs).map_err(|_| bad("registration_expiry out of range"))?)
        }
        None => None,
    };
    let settings = SiteSettings {
        call_servers: parse_stored_call_servers(&row.try_get::<String, _>("call_servers")?)
            .map_err(|e| bad(&e.to_string()))?,
        sip_port,
        time_zone: row
            .try_get::<Option<String>, _>("time_zone")?
            .map(|name| ZoneName::parse(&name))
            .transpose()
            .map_err(|e| bad(&e.to_string()))?,
        utc_offset_seconds: flag(row, "time_offset_set")?
            .then(|| row.try_get::<i64, _>("utc_offset_seconds"))
            .transpose()?
            .map(|offset| i32::try_from(offset).map_err(|_| bad("utc_offset_seconds out of range")))
            .transpose()?,
        daylight_saving: flag(row, "daylight_saving")?,
        sntp_server: row.try_get("sntp_server")?,
        extension_length: ExtensionLength::from_digits(row.try_get("extension_length")?)
            .ok_or_else(|| bad("extension_length is not 3 or 4"))?,
        local_dialing: LocalDialing::from_digits(row.try_get("local_dialing")?)
            .ok_or_else(|| bad("local_dialing is not 7 or 10"))?,
        mwi_beep: flag(row, "mwi_beep")?,
        registration_expiry,
        alternate_site: row
            .try_get::<Option<i64>, _>("alternate_site_id")?
            .map(SiteId),
        voicemail_server: row.try_get("voicemail_server")?,
        reserved_numbers: NumberRanges::parse(&row.try_get::<String, _>("reserved_numbers")?)
            .map_err(|e| bad(&e.to_string()))?,
        trust_first_address: flag(row, "trust_first_address")?,
        emergency_numbers: EmergencyNumbers::parse(&row.try_get::<String, _>("emergency_numbers")?)
            .map_err(|e| bad(&e.to_string()))?,
        recheck: Recheck::parse(&row.try_get::<String, _>("recheck")?)
            .map_err(|e| bad(&e.to_string()))?,
        dial_plan: row
            .try_get::<Option<String>, _>("dial_plan")?
            .map(|text| DialPlan::parse(&text))
            .transpose()
            .map_err(|e| bad(&e.to_string()))?,
    };
    Ok(Site {
        id: SiteId(row.try_get("id")?),
        name: SiteName::parse(&name).map_err(|e| bad(&e.to_string()))?,
        settings,
        switched_over: flag(row, "switched_over")?,
    })
}

/// An extension, its password opened with `key`.
pub(super) fn extension(row: &AnyRow, key: &SecretKey) -> Result<Extension, StoreError> {
    let number: String = row.try_get("number")?;
    Ok(Extension {
        number: ExtensionNumber::parse(&number).map_err(|e| corrupt("extensions", &number, e))?,
        display_name: row.try_get("display_name")?,
        label: row.try_get("label")?,
        auth_user: row.try_get("auth_user")?,
        password: key.open(&row.try_get::<String, _>("password")?)?,
        home_site: SiteId(row.try_get("home_site_id")?),
        current_site: SiteId(row.try_get("current_site_id")?),
        switchover_enabled: flag(row, "switchover_enabled")?,
        in_directory: flag(row, "in_directory")?,
        registration: row
            .try_get::<Option<String>, _>("primary_server")?
            .map(|primary| {
                Ok::<_, sqlx::Error>(Assignment {
                    primary,
                    backup: row.try_get("backup_server")?,
                })
            })
            .transpose()?,
    })
}

fn mac(table: &'static str, text: &str) -> Result<Mac, StoreError> {
    Mac::parse(text).map_err(|e| corrupt(table, text, e))
}

/// A phone without its lines (see [`line_of_join`]); last-seen data only `with_last_seen`
/// (the row then has [`LAST_SEEN_COLUMNS`]).
pub(super) fn phone(row: &AnyRow, with_last_seen: bool) -> Result<Phone, StoreError> {
    let mac_text: String = row.try_get("mac")?;
    let mac = mac("phones", &mac_text)?;
    let vendor_text: String = row.try_get("vendor")?;
    let vendor = Vendor::parse(&vendor_text).ok_or_else(|| {
        corrupt(
            "phones",
            &mac_text,
            format!("unknown vendor {vendor_text:?}"),
        )
    })?;
    let seen_at = if with_last_seen {
        row.try_get::<Option<i64>, _>("last_seen_at_ms")?
    } else {
        None
    };
    let last_seen = match seen_at {
        Some(at_ms) => {
            let transport: Option<String> = row.try_get("last_transport")?;
            let transport = transport
                .as_deref()
                .and_then(Transport::parse)
                .ok_or_else(|| corrupt("phones", &mac_text, "unknown last_transport"))?;
            Some(Sighting {
                mac,
                at_ms,
                ip: row
                    .try_get::<Option<String>, _>("last_ip")?
                    .unwrap_or_default(),
                user_agent: row.try_get("last_user_agent")?,
                firmware: row.try_get("last_firmware")?,
                file: row
                    .try_get::<Option<String>, _>("last_file")?
                    .unwrap_or_default(),
                transport,
            })
        }
        None => None,
    };
    Ok(Phone {
        mac,
        vendor,
        vendor_pinned: flag(row, "vendor_pinned")?,
        model: row.try_get("model")?,
        lines: Default::default(),
        last_seen,
    })
}

/// `(line, extension)` from a phone row joined with `phone_lines`; `None` for a phone without lines.
pub(super) fn line_of_join(
    row: &AnyRow,
) -> Result<Option<(LineNumber, ExtensionNumber)>, StoreError> {
    let (Some(line), Some(number)) = (
        row.try_get::<Option<i64>, _>("line")?,
        row.try_get::<Option<String>, _>("extension")?,
    ) else {
        return Ok(None);
    };
    let mac_text: String = row.try_get("mac")?;
    let line = LineNumber::try_from(line)
        .map_err(|_| corrupt("phone_lines", &mac_text, "line out of range"))?;
    let number =
        ExtensionNumber::parse(&number).map_err(|e| corrupt("phone_lines", &mac_text, e))?;
    Ok(Some((line, number)))
}

pub(super) fn fetch(row: &AnyRow) -> Result<FileFetch, StoreError> {
    let file: String = row.try_get("file")?;
    let transport: String = row.try_get("transport")?;
    Ok(FileFetch {
        transport: Transport::parse(&transport)
            .ok_or_else(|| corrupt("phone_fetches", &file, "unknown transport"))?,
        count: row.try_get("fetch_count")?,
        last_at_ms: row.try_get("last_at_ms")?,
        file,
    })
}

pub(super) fn upload_info(row: &AnyRow) -> Result<UploadInfo, StoreError> {
    Ok(UploadInfo {
        name: row.try_get("name")?,
        size: row.try_get("size")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        accepted: row.try_get::<Option<i64>, _>("accepted_at_ms")?.is_some(),
    })
}

pub(super) fn upload(row: &AnyRow) -> Result<Upload, StoreError> {
    let mac_text: String = row.try_get("mac")?;
    Ok(Upload {
        mac: mac("phone_uploads", &mac_text)?,
        name: row.try_get("name")?,
        content: row.try_get("content")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}
