//! Profiles' names: a profile is a named set of settings and keys given to phones.

use std::fmt;

use crate::domain::text::{quoted, short_name};

/// Longest profile name.
pub const MAX_PROFILE_NAME: usize = 32;

/// A profile's name: 1 to 32 of `a-z 0-9 - _`, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileName(String);

/// Why a value is not a profile name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a profile name (1 to 32 letters, digits, - and _, starting with a letter or digit)",
    quoted(.0)
)]
pub struct ProfileNameError(pub String);

impl ProfileName {
    /// Parses and lowercases a profile name.
    pub fn parse(text: &str) -> Result<ProfileName, ProfileNameError> {
        short_name(text.trim(), MAX_PROFILE_NAME)
            .map(ProfileName)
            .ok_or_else(|| ProfileNameError(text.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
