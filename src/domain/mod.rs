//! Pure types and rules of the deployment, no I/O: MAC addresses, vendors and models, sites,
//! extensions, phones, DHCP leases and check-sync pushes. Types parse instead of validate: a `Mac`, `ExtensionNumber` or
//! `SiteName` can only hold a valid value, and every refusal names the value.

mod ban;
mod call_server;
mod deployment;
mod dial_plan;
mod distribution;
mod emergency;
mod extension;
mod extension_number;
mod failover;
mod key;
mod lease;
mod login;
mod neutral;
mod server_view;
mod snapshot;

mod mac;
mod numbers;
mod password;
mod phone;
mod profile;
mod push;
mod recheck;
mod setting;
mod sighting;
mod site;
mod text;
mod time_zone;
mod vendor;
mod voicemail;

pub use ban::Ban;
pub use call_server::{
    CallServer, CallServerError, MAX_CALL_SERVERS, call_servers_text, check_call_servers, host,
    is_host, parse_call_servers, parse_stored_call_servers, split_host_port, url_host,
};
pub use deployment::{
    Deployment, DeploymentError, EXPIRY_SECONDS, LARGE_DEPLOYMENT, LARGE_DEPLOYMENT_EXPIRY_SECONDS,
    LineRegistration,
};
pub use dial_plan::{DialPlan, DialPlanError, zone_dials_north_american};
pub use distribution::{Assignment, Bin, Mode, distribute};
pub use emergency::{EmergencyNumbers, EmergencyNumbersError};
pub use extension::{
    AuthUserError, Extension, MAX_AUTH_USER, MAX_DISPLAY_NAME, MAX_LABEL, MAX_PASSWORD,
    check_auth_user, check_display_name, check_label, check_password, password_names_its_extension,
};
pub use extension_number::{ExtensionNumber, ExtensionNumberError, MAX_EXTENSION_DIGITS};
pub use failover::{
    SiteRuleBreach, SwitchoverSplit, is_switched, new_site_rule_breach, site_rule_breach,
    switchover_split,
};
pub use key::{
    KeyKind, KeyOwner, MAX_KEY_LABEL, MAX_KEY_VALUE, ProgrammedKey, check_key_text, keys_of,
};
pub use lease::{ClientKey, Lease, LeaseState, hardware_text};
pub use login::{
    MAX_LOGIN_PASSWORDS, MAX_LOGIN_TEXT, MIN_LOGIN_PASSWORD, PhoneLogin, PhoneLoginError,
};
pub use mac::{Mac, MacError};
pub use neutral::{
    ADMIN_PASSWORD, CLOUD, Codec, DIRECTORY, DirectoryScope, GENERATED_ADMIN_PASSWORD_DIGITS,
    Language, MAX_ADMIN_PASSWORD, NEUTRAL_NAMES, Neutral,
};
pub use numbers::{NumberRanges, NumberRangesError};
pub use password::{GENERATED_PASSWORD_LEN, RandomError, generate_password};
pub use phone::{
    FileFetch, LastSeen, LineNumber, Phone, Sighting, Transport, Upload, UploadInfo, UploadWrite,
    append_log,
};
pub use profile::{MAX_PROFILE_NAME, ProfileName, ProfileNameError};
pub use push::{PushOutcome, PushRecord};
pub use recheck::{RECHECK_SPREAD_MINUTES, Recheck, RecheckError};
pub use server_view::ServerView;
pub use setting::{
    Effective, MAX_PARAMETER, MAX_VALUE, ParameterName, ParameterNameError, ParameterSpec,
    PhoneFacts, Scope, ScopeError, Setting, SettingsBook, Translate, ValueError, ValueKind,
    VendorTold, check_value,
};
pub use sighting::SightingBatch;
pub use site::{
    DEFAULT_SIP_PORT, DEFAULT_SITE, ExtensionLength, LocalDialing, MAXCS_SIP_PORT, Site, SiteId,
    SiteName, SiteNameError, SiteSettings,
};
pub use snapshot::Snapshot;
pub use text::{TextError, check_text, is_forbidden_char, quoted};
pub use time_zone::{
    ChangeDay, ClockChange, ClockRules, DaylightSaving, US_DAYLIGHT_SAVING, ZoneName, ZoneNameError,
};
pub use vendor::{MODELS, Model, Vendor, detect_vendor};
pub use voicemail::Voicemail;
