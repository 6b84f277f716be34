//! The admin policy: a JSON file IT places at a per-machine location to preset settings and,
//! where it says so, lock them. A locked value wins over the workspace's own value and no
//! front end can change it; a preset only fills a setting the workspace has not set.
//!
//! ```json
//! {
//!   "aws_region":        { "value": "eu-west-1", "locked": true },
//!   "ses_endpoint":      { "value": "https://email.eu-west-1.amazonaws.com", "locked": true },
//!   "relay_url":         { "value": "https://relay.example.com" },
//!   "update_channel":    { "value": "stable", "locked": true },
//!   "automatic_updates": { "value": false, "locked": true }
//! }
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::settings::Settings;
use crate::updates::UpdateChannel;

/// Environment variable naming another policy file (tests, or IT trying a policy out).
pub const POLICY_FILE_ENV: &str = "HERALD_POLICY_FILE";

/// The field error a front end shows when someone tries to change a locked setting.
pub const MANAGED_MESSAGE: &str = "Managed by your IT department";

/// Every key a policy may set: the workspace settings IT manages, then the app's update
/// preferences.
pub const POLICY_KEYS: [&str; 5] = [
    "aws_region",
    "ses_endpoint",
    "relay_url",
    "update_channel",
    "automatic_updates",
];

/// The workspace settings among [`POLICY_KEYS`].
const SETTINGS_KEYS: [&str; 3] = ["aws_region", "ses_endpoint", "relay_url"];

/// One setting the policy presets or locks, as the front ends show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ManagedSetting {
    pub key: String,
    /// The value as text: `true`/`false` for `automatic_updates`.
    pub value: String,
    /// Locked settings cannot be changed; unlocked ones are only a default.
    pub locked: bool,
}

/// The policy in force on this machine. Without a policy file nothing is managed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Policy {
    /// The file the policy came from; `None` when there is none.
    pub file: Option<String>,
    pub settings: Vec<ManagedSetting>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    value: Value,
    #[serde(default)]
    locked: bool,
}

/// Where IT puts the policy on this operating system.
pub fn machine_path() -> PathBuf {
    if cfg!(windows) {
        let program_data =
            std::env::var_os("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
        PathBuf::from(program_data)
            .join("Herald")
            .join("policy.json")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Herald/policy.json")
    } else {
        PathBuf::from("/etc/herald/policy.json")
    }
}

/// The policy file Herald reads: `HERALD_POLICY_FILE` when set, else [`machine_path`].
pub fn path() -> PathBuf {
    std::env::var_os(POLICY_FILE_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(machine_path)
}

impl Policy {
    /// Loads the machine's policy; a missing file means no policy.
    pub fn load() -> Result<Policy> {
        Self::from_file(&path())
    }

    /// Loads the policy in `file`; a missing file means no policy.
    pub fn from_file(file: &Path) -> Result<Policy> {
        match std::fs::read_to_string(file) {
            Ok(text) => Self::parse(file, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Policy::default()),
            Err(e) => Err(Error::io("read", file, e)),
        }
    }

    /// Parses and validates a policy, reporting every problem with the key it concerns.
    pub fn parse(file: &Path, text: &str) -> Result<Policy> {
        let invalid = |problems: Vec<FieldError>| Error::PolicyInvalid {
            path: file.to_owned(),
            problems,
        };
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                return Err(invalid(vec![FieldError::new(
                    "(file)",
                    "The policy must be a JSON object with one entry per setting.",
                )]))
            }
            Err(e) => {
                return Err(invalid(vec![FieldError::new(
                    "(file)",
                    format!("This is not valid JSON: {e}."),
                )]))
            }
        };

        let mut problems = Vec::new();
        let mut settings = Vec::new();
        for (key, raw) in object {
            if !POLICY_KEYS.contains(&key.as_str()) {
                problems.push(FieldError::new(
                    &key,
                    format!(
                        "A policy cannot set “{key}”. It can set: {}.",
                        POLICY_KEYS.join(", ")
                    ),
                ));
                continue;
            }
            let entry: Entry = match serde_json::from_value(raw) {
                Ok(entry) => entry,
                Err(e) => {
                    problems.push(FieldError::new(
                        &key,
                        format!("Write it as {{ \"value\": …, \"locked\": true }} ({e})."),
                    ));
                    continue;
                }
            };
            match check_value(&key, &entry.value) {
                Ok(value) => settings.push(ManagedSetting {
                    key,
                    value,
                    locked: entry.locked,
                }),
                Err(message) => problems.push(FieldError::new(&key, message)),
            }
        }
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        settings.sort_by_key(|s| POLICY_KEYS.iter().position(|k| *k == s.key));
        Ok(Policy {
            file: Some(file.display().to_string()),
            settings,
        })
    }

    pub fn get(&self, key: &str) -> Option<&ManagedSetting> {
        self.settings.iter().find(|s| s.key == key)
    }

    pub fn is_locked(&self, key: &str) -> bool {
        self.get(key).is_some_and(|s| s.locked)
    }

    /// The workspace settings as they are in force: locked values replace the workspace's
    /// own, presets fill what the workspace has not set.
    pub fn apply(&self, mut stored: Settings) -> Settings {
        for managed in self.workspace_settings() {
            let current = stored.get(&managed.key).ok().flatten();
            if managed.locked || current.is_none() {
                stored
                    .set(&managed.key, &managed.value)
                    .expect("policy keys are settings keys");
            }
        }
        stored
    }

    /// What to store when a user saves `submitted` over the workspace's `stored` settings.
    /// A locked setting may only be submitted with the policy's value (the UI sends back what
    /// it shows) and keeps the workspace's own value underneath; a preset submitted
    /// unchanged stays a preset rather than becoming the workspace's own value.
    pub fn check_save(&self, stored: &Settings, mut submitted: Settings) -> Result<Settings> {
        let mut problems = Vec::new();
        for managed in self.workspace_settings() {
            let key = managed.key.as_str();
            let wanted = submitted.get(key)?.map(str::to_owned);
            let own = stored.get(key)?.map(str::to_owned);
            if managed.locked {
                if wanted.as_deref() != Some(managed.value.as_str()) {
                    problems.push(FieldError::new(key, MANAGED_MESSAGE));
                }
                submitted.set(key, own.as_deref().unwrap_or(""))?;
            } else if own.is_none() && wanted.as_deref() == Some(managed.value.as_str()) {
                submitted.set(key, "")?;
            }
        }
        if problems.is_empty() {
            Ok(submitted)
        } else {
            Err(Error::Validation(problems))
        }
    }

    /// The update channel the policy sets, if it sets one.
    pub fn update_channel(&self) -> Option<(UpdateChannel, bool)> {
        let managed = self.get("update_channel")?;
        Some((managed.value.parse().ok()?, managed.locked))
    }

    /// Whether the policy turns automatic update checks on or off, if it says.
    pub fn automatic_updates(&self) -> Option<(bool, bool)> {
        let managed = self.get("automatic_updates")?;
        Some((managed.value == "true", managed.locked))
    }

    fn workspace_settings(&self) -> impl Iterator<Item = &ManagedSetting> {
        self.settings
            .iter()
            .filter(|s| SETTINGS_KEYS.contains(&s.key.as_str()))
    }
}

/// Checks one policy value with the same rules the settings form uses.
fn check_value(key: &str, value: &Value) -> std::result::Result<String, String> {
    match key {
        "automatic_updates" => value
            .as_bool()
            .map(|b| b.to_string())
            .ok_or_else(|| "Use true or false.".to_owned()),
        "update_channel" => {
            let text = value.as_str().unwrap_or_default();
            text.parse::<UpdateChannel>()
                .map(|channel| channel.as_str().to_owned())
                .map_err(|_| "Use \"stable\" or \"beta\".".to_owned())
        }
        _ => {
            let text = value
                .as_str()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or("Use a non-empty text value.")?;
            let mut probe = Settings::default();
            probe.set(key, text).map_err(|e| e.to_string())?;
            match probe.validate() {
                Ok(()) => Ok(text.to_owned()),
                Err(e) => Err(e
                    .fields()
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{
        "aws_region": { "value": "eu-west-1", "locked": true },
        "ses_endpoint": { "value": "https://email.eu-west-1.amazonaws.com", "locked": true },
        "relay_url": { "value": "https://relay.example.com" },
        "update_channel": { "value": "beta", "locked": true },
        "automatic_updates": { "value": false, "locked": true }
    }"#;

    fn policy(text: &str) -> Policy {
        Policy::parse(Path::new("/etc/herald/policy.json"), text).unwrap()
    }

    #[test]
    fn a_full_policy_parses_in_key_order() {
        let p = policy(FULL);
        let keys: Vec<&str> = p.settings.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, POLICY_KEYS);
        assert_eq!(p.file.as_deref(), Some("/etc/herald/policy.json"));
        assert!(p.is_locked("aws_region"));
        assert!(!p.is_locked("relay_url"));
        assert_eq!(p.update_channel(), Some((UpdateChannel::Beta, true)));
        assert_eq!(p.automatic_updates(), Some((false, true)));
    }

    #[test]
    fn a_missing_file_is_no_policy_and_an_empty_object_manages_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let none = Policy::from_file(&dir.path().join("policy.json")).unwrap();
        assert_eq!(none, Policy::default());
        assert!(policy("{}").settings.is_empty());
    }

    #[test]
    fn every_problem_names_the_file_and_the_key() {
        let err = Policy::parse(
            Path::new("/etc/herald/policy.json"),
            r#"{
                "aws_region": { "value": "Europe", "locked": true },
                "update_channel": { "value": "nightly" },
                "automatic_updates": { "value": "no" },
                "relay_url": "https://relay.example.com",
                "from_name": { "value": "x" }
            }"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "policy_invalid");
        let mut keys: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "automatic_updates",
                "aws_region",
                "from_name",
                "relay_url",
                "update_channel"
            ]
        );
        let message = err.to_string();
        assert!(message.contains("/etc/herald/policy.json"), "{message}");
        assert!(message.contains("aws_region"), "{message}");
        assert!(message.contains("not an AWS region name"), "{message}");
    }

    #[test]
    fn broken_json_names_the_file() {
        let err = Policy::parse(Path::new("/tmp/p.json"), "{ nope").unwrap_err();
        assert!(err.to_string().contains("/tmp/p.json"));
        assert!(err.to_string().contains("not valid JSON"));
    }

    #[test]
    fn locked_values_win_and_presets_only_fill_gaps() {
        let p = policy(FULL);
        let stored = Settings {
            aws_region: Some("us-east-1".into()),
            relay_url: Some("https://own-relay.example.org".into()),
            ..Settings::default()
        };
        let effective = p.apply(stored);
        assert_eq!(effective.aws_region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            effective.ses_endpoint.as_deref(),
            Some("https://email.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            effective.relay_url.as_deref(),
            Some("https://own-relay.example.org")
        );
        assert_eq!(
            p.apply(Settings::default()).relay_url.as_deref(),
            Some("https://relay.example.com")
        );
    }

    #[test]
    fn saving_a_locked_setting_with_another_value_is_refused() {
        let p = policy(FULL);
        let stored = Settings::default();
        let mut submitted = p.apply(stored.clone());
        submitted.aws_region = Some("us-west-2".into());
        submitted.ses_endpoint = None;
        let err = p.check_save(&stored, submitted).unwrap_err();
        assert_eq!(err.code(), "validation");
        let fields: Vec<(&str, &str)> = err
            .fields()
            .iter()
            .map(|f| (f.field.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("aws_region", MANAGED_MESSAGE),
                ("ses_endpoint", MANAGED_MESSAGE)
            ]
        );
    }

    #[test]
    fn saving_what_the_policy_shows_keeps_the_workspace_values_underneath() {
        let p = policy(FULL);
        let stored = Settings {
            aws_region: Some("us-east-1".into()),
            ..Settings::default()
        };
        let mut submitted = p.apply(stored.clone());
        submitted.from_name = Some("Acme".into());
        let to_store = p.check_save(&stored, submitted).unwrap();
        assert_eq!(to_store.aws_region.as_deref(), Some("us-east-1"));
        assert_eq!(to_store.ses_endpoint, None);
        // The unchanged preset stays a preset, so a later policy change reaches this workspace.
        assert_eq!(to_store.relay_url, None);
        assert_eq!(to_store.from_name.as_deref(), Some("Acme"));
    }
}
