//! Update preferences: which release channel this machine follows and whether Herald checks
//! for updates by itself at start. They belong to the installation, not to a workspace, so
//! they live in `<home>/updates.json`; the admin policy can preset or lock both.

use std::fmt;
use std::fs;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::policy::{Policy, MANAGED_MESSAGE};
use crate::workspaces::Home;

const PREFERENCES_FILE: &str = "updates.json";

/// Where each channel's update manifest (`latest.json`) is published.
pub const UPDATE_BASE_URL: &str = "https://updates.herald.app";

/// A release channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum UpdateChannel {
    /// Releases for everyone.
    #[default]
    Stable,
    /// Release candidates, a week or two ahead of stable.
    Beta,
}

impl UpdateChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateChannel::Stable => "stable",
            UpdateChannel::Beta => "beta",
        }
    }

    /// The URL of the channel's update manifest.
    pub fn manifest_url(self) -> String {
        format!("{UPDATE_BASE_URL}/{}/latest.json", self.as_str())
    }
}

impl fmt::Display for UpdateChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UpdateChannel {
    type Err = ();

    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.trim() {
            "stable" => Ok(UpdateChannel::Stable),
            "beta" => Ok(UpdateChannel::Beta),
            _ => Err(()),
        }
    }
}

/// What the user chose (or the policy imposes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UpdatePreferences {
    pub channel: UpdateChannel,
    /// Check for updates when Herald starts.
    pub automatic: bool,
}

impl Default for UpdatePreferences {
    fn default() -> Self {
        Self {
            channel: UpdateChannel::Stable,
            automatic: true,
        }
    }
}

/// The preferences in force and which of them IT has locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UpdateSettings {
    pub preferences: UpdatePreferences,
    pub channel_locked: bool,
    pub automatic_locked: bool,
}

fn read_own(home: &Home) -> Result<Option<UpdatePreferences>> {
    let path = home.root().join(PREFERENCES_FILE);
    match fs::read_to_string(&path) {
        // A damaged preferences file falls back to the defaults rather than blocking updates.
        Ok(text) => Ok(serde_json::from_str(&text).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// The preferences in force: locked policy values, else the user's own choice, else the
/// policy's preset, else the defaults.
pub fn load(home: &Home, policy: &Policy) -> Result<UpdateSettings> {
    let own = read_own(home)?;
    let defaults = UpdatePreferences::default();
    let channel = policy.update_channel();
    let automatic = policy.automatic_updates();
    Ok(UpdateSettings {
        preferences: UpdatePreferences {
            channel: pick(channel, own.map(|o| o.channel), defaults.channel),
            automatic: pick(automatic, own.map(|o| o.automatic), defaults.automatic),
        },
        channel_locked: channel.is_some_and(|(_, locked)| locked),
        automatic_locked: automatic.is_some_and(|(_, locked)| locked),
    })
}

/// A locked policy value, else the user's own, else the policy's preset, else the default.
fn pick<T>(policy_value: Option<(T, bool)>, own_value: Option<T>, default: T) -> T {
    match policy_value {
        Some((value, true)) => value,
        Some((value, false)) => own_value.unwrap_or(value),
        None => own_value.unwrap_or(default),
    }
}

/// Stores the user's choice; a change to a locked preference is refused.
pub fn save(home: &Home, policy: &Policy, wanted: UpdatePreferences) -> Result<UpdateSettings> {
    let current = load(home, policy)?;
    let mut problems = Vec::new();
    if current.channel_locked && wanted.channel != current.preferences.channel {
        problems.push(FieldError::new("update_channel", MANAGED_MESSAGE));
    }
    if current.automatic_locked && wanted.automatic != current.preferences.automatic {
        problems.push(FieldError::new("automatic_updates", MANAGED_MESSAGE));
    }
    if !problems.is_empty() {
        return Err(Error::Validation(problems));
    }
    let root = home.root();
    fs::create_dir_all(root).map_err(|e| Error::io("created", root, e))?;
    let path = root.join(PREFERENCES_FILE);
    let json = serde_json::to_vec_pretty(&wanted).expect("preferences serialise");
    fs::write(&path, json).map_err(|e| Error::io("written", &path, e))?;
    load(home, policy)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::parse(Path::new("policy.json"), text).unwrap()
    }

    #[test]
    fn defaults_then_own_choice() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let none = Policy::default();
        let loaded = load(&home, &none).unwrap();
        assert_eq!(loaded.preferences, UpdatePreferences::default());
        assert!(!loaded.channel_locked && !loaded.automatic_locked);

        let beta = UpdatePreferences {
            channel: UpdateChannel::Beta,
            automatic: false,
        };
        assert_eq!(save(&home, &none, beta).unwrap().preferences, beta);
        assert_eq!(load(&home, &none).unwrap().preferences, beta);
    }

    #[test]
    fn a_locked_policy_wins_and_refuses_changes_while_a_preset_yields() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let own = UpdatePreferences {
            channel: UpdateChannel::Beta,
            automatic: true,
        };
        save(&home, &Policy::default(), own).unwrap();

        let locked = policy(
            r#"{ "automatic_updates": { "value": false, "locked": true },
                 "update_channel": { "value": "stable" } }"#,
        );
        let loaded = load(&home, &locked).unwrap();
        assert!(!loaded.preferences.automatic);
        assert!(loaded.automatic_locked);
        // The preset channel yields to the user's own choice.
        assert_eq!(loaded.preferences.channel, UpdateChannel::Beta);
        assert!(!loaded.channel_locked);

        let err = save(&home, &locked, own).unwrap_err();
        assert_eq!(err.fields()[0].field, "automatic_updates");
        assert_eq!(err.fields()[0].message, MANAGED_MESSAGE);
        // Changing only what is not locked is fine.
        let stable = UpdatePreferences {
            channel: UpdateChannel::Stable,
            automatic: false,
        };
        assert_eq!(save(&home, &locked, stable).unwrap().preferences, stable);
    }

    #[test]
    fn channels_have_their_own_manifest() {
        assert_eq!(
            UpdateChannel::Beta.manifest_url(),
            "https://updates.herald.app/beta/latest.json"
        );
        assert_eq!("stable".parse(), Ok(UpdateChannel::Stable));
        assert!("nightly".parse::<UpdateChannel>().is_err());
    }
}
