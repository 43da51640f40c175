//! The phone-file policy every transport shares ([`phone_files`]): what a name finds (rendered,
//! uploaded, firmware), who may receive it ([`access`]: the addresses acting for a phone
//! ([`followers`]), the networks it was seen on ([`home_networks`]), trust-on-first-use
//! [`bindings`], phone logins ([`digest`], [`login_limit`]),
//! client certificates), the enumeration defense ([`guard`], shared through the store by
//! [`shared_bans`]), uploads ([`upload_writer`], [`held_uploads`]), the firmware folder
//! ([`firmware`]), the last-seen record ([`sightings`]) the one refusal type ([`refused`]) and the
//! constant-time comparison of secrets ([`secret_compare`]).

pub mod access;
pub mod bindings;
pub mod digest;
pub mod firmware;
pub mod followers;
pub mod guard;
pub mod held_uploads;
pub mod home_networks;
pub mod inbox;
pub mod login_limit;
pub mod phone_files;
pub mod phone_logs;
pub mod refused;
pub mod secret_compare;
pub mod shared_bans;
pub mod sightings;
pub mod upload_writer;
