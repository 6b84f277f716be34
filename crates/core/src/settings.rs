//! Per-workspace settings: sender defaults, the postal address required in mail footers,
//! and how Herald reaches AWS. Secrets are not settings: see [`crate::credentials`].

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::policy::Policy;
use crate::time::now_rfc3339;

/// Environment variable that overrides the SES endpoint (for local emulators and tests).
pub const SES_ENDPOINT_ENV: &str = "HERALD_SES_ENDPOINT";
/// Environment variable that overrides the S3 endpoint used to publish assets (tests).
pub const S3_ENDPOINT_ENV: &str = "HERALD_S3_ENDPOINT";

/// A workspace's settings. `None` means not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    pub reply_to: Option<String>,
    /// The organisation's postal address, printed in every mail footer (anti-spam law).
    pub postal_address: Option<String>,
    pub aws_region: Option<String>,
    /// A named profile from the standard AWS config (`~/.aws/config`), SSO included.
    pub aws_profile: Option<String>,
    /// Advanced: send SES calls to this URL instead of AWS (a local emulator).
    pub ses_endpoint: Option<String>,
    /// The team's Herald Relay (events and unsubscribe links), e.g. https://relay.example.com.
    pub relay_url: Option<String>,
    /// The S3 bucket that publishes assets for recipients' mail clients.
    pub assets_bucket: Option<String>,
    /// Optional key prefix inside the bucket, e.g. `herald/`.
    pub assets_prefix: Option<String>,
    /// The public URL that serves the bucket (a CDN or the bucket's website); defaults to
    /// the bucket's own virtual-hosted URL.
    pub assets_public_base_url: Option<String>,
    /// Advanced: send S3 calls to this URL instead of AWS.
    pub s3_endpoint: Option<String>,
    /// The SES configuration set every campaign is sent with (events are only published
    /// for mail sent with one).
    pub configuration_set: Option<String>,
    /// A mailbox for `mailto:` unsubscribes in the `List-Unsubscribe` header, if any.
    pub unsubscribe_mailto: Option<String>,
    /// How many hours late a scheduled campaign may still start by itself after Herald was
    /// closed or the computer slept (default 24).
    pub schedule_grace_hours: Option<String>,
    /// A ceiling on the sending rate (recipients per second) below the account's maximum.
    pub max_send_rate: Option<String>,
    /// The bounce-rate guard: a sending campaign pauses itself when more than this percent
    /// of its sent messages bounced permanently (default [`DEFAULT_BOUNCE_GUARD_PERCENT`]).
    pub bounce_guard_percent: Option<String>,
    /// ... once at least this many messages were sent (default
    /// [`DEFAULT_BOUNCE_GUARD_MIN_SENT`]).
    pub bounce_guard_min_sent: Option<String>,
}

/// SES reviews an account whose bounce rate reaches 5%; pausing a little before that keeps
/// one bad list from putting the whole account under review.
pub const DEFAULT_BOUNCE_GUARD_PERCENT: f64 = 4.0;
/// Below this many sends a few bounces say little about the list.
pub const DEFAULT_BOUNCE_GUARD_MIN_SENT: u64 = 200;

/// The grace period when `schedule_grace_hours` is not set.
pub const DEFAULT_SCHEDULE_GRACE_HOURS: u32 = 24;

/// The settings keys, as `herald settings set KEY VALUE` and the database know them.
pub const KEYS: [&str; 18] = [
    "from_name",
    "from_address",
    "reply_to",
    "postal_address",
    "aws_region",
    "aws_profile",
    "ses_endpoint",
    "relay_url",
    "assets_bucket",
    "assets_prefix",
    "assets_public_base_url",
    "s3_endpoint",
    "configuration_set",
    "unsubscribe_mailto",
    "schedule_grace_hours",
    "max_send_rate",
    "bounce_guard_percent",
    "bounce_guard_min_sent",
];

impl Settings {
    pub fn get(&self, key: &str) -> Result<Option<&str>> {
        Ok(self.slot(key)?.as_deref())
    }

    /// Sets one key; an empty or blank value clears it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let value = value.trim();
        *self.slot_mut(key)? = (!value.is_empty()).then(|| value.to_owned());
        Ok(())
    }

    fn slot(&self, key: &str) -> Result<&Option<String>> {
        Ok(match key {
            "from_name" => &self.from_name,
            "from_address" => &self.from_address,
            "reply_to" => &self.reply_to,
            "postal_address" => &self.postal_address,
            "aws_region" => &self.aws_region,
            "aws_profile" => &self.aws_profile,
            "ses_endpoint" => &self.ses_endpoint,
            "relay_url" => &self.relay_url,
            "assets_bucket" => &self.assets_bucket,
            "assets_prefix" => &self.assets_prefix,
            "assets_public_base_url" => &self.assets_public_base_url,
            "s3_endpoint" => &self.s3_endpoint,
            "configuration_set" => &self.configuration_set,
            "unsubscribe_mailto" => &self.unsubscribe_mailto,
            "schedule_grace_hours" => &self.schedule_grace_hours,
            "max_send_rate" => &self.max_send_rate,
            "bounce_guard_percent" => &self.bounce_guard_percent,
            "bounce_guard_min_sent" => &self.bounce_guard_min_sent,
            _ => return Err(unknown_key(key)),
        })
    }

    fn slot_mut(&mut self, key: &str) -> Result<&mut Option<String>> {
        Ok(match key {
            "from_name" => &mut self.from_name,
            "from_address" => &mut self.from_address,
            "reply_to" => &mut self.reply_to,
            "postal_address" => &mut self.postal_address,
            "aws_region" => &mut self.aws_region,
            "aws_profile" => &mut self.aws_profile,
            "ses_endpoint" => &mut self.ses_endpoint,
            "relay_url" => &mut self.relay_url,
            "assets_bucket" => &mut self.assets_bucket,
            "assets_prefix" => &mut self.assets_prefix,
            "assets_public_base_url" => &mut self.assets_public_base_url,
            "s3_endpoint" => &mut self.s3_endpoint,
            "configuration_set" => &mut self.configuration_set,
            "unsubscribe_mailto" => &mut self.unsubscribe_mailto,
            "schedule_grace_hours" => &mut self.schedule_grace_hours,
            "max_send_rate" => &mut self.max_send_rate,
            "bounce_guard_percent" => &mut self.bounce_guard_percent,
            "bounce_guard_min_sent" => &mut self.bounce_guard_min_sent,
            _ => return Err(unknown_key(key)),
        })
    }

    /// Trims every value and turns blanks into `None`.
    fn normalised(mut self) -> Self {
        for key in KEYS {
            let slot = self.slot_mut(key).expect("every key has a slot");
            *slot = slot
                .take()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty());
        }
        self
    }

    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if let Some(name) = &self.from_name {
            if name.chars().count() > 120 {
                problems.push(FieldError::new("from_name", "Use at most 120 characters."));
            }
            if name.chars().any(|c| c.is_control()) {
                problems.push(FieldError::new(
                    "from_name",
                    "The sender name cannot contain line breaks.",
                ));
            }
        }
        for field in ["from_address", "reply_to"] {
            if let Some(addr) = self.get(field)? {
                if let Err(reason) = check_email(addr) {
                    problems.push(FieldError::new(field, reason));
                }
            }
        }
        if let Some(address) = &self.postal_address {
            if address.chars().count() > 500 {
                problems.push(FieldError::new(
                    "postal_address",
                    "Use at most 500 characters.",
                ));
            }
        }
        if let Some(region) = &self.aws_region {
            if !is_region_name(region) {
                problems.push(FieldError::new(
                    "aws_region",
                    format!("“{region}” is not an AWS region name; it looks like eu-west-1 or us-east-1."),
                ));
            }
        }
        if let Some(profile) = &self.aws_profile {
            if profile.chars().any(|c| c.is_whitespace() || c.is_control()) {
                problems.push(FieldError::new(
                    "aws_profile",
                    "A profile name has no spaces.",
                ));
            }
        }
        for field in ["ses_endpoint", "s3_endpoint"] {
            if let Some(endpoint) = self.get(field)? {
                if let Err(reason) = check_endpoint(endpoint) {
                    problems.push(FieldError::new(field, reason));
                }
            }
        }
        if let Some(bucket) = &self.assets_bucket {
            if !is_bucket_name(bucket) {
                problems.push(FieldError::new(
                    "assets_bucket",
                    "A bucket name is 3–63 lowercase letters, digits, dots and hyphens, like acme-mail-assets.",
                ));
            }
        }
        if let Some(prefix) = &self.assets_prefix {
            if prefix.starts_with('/')
                || prefix.contains("..")
                || prefix.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                problems.push(FieldError::new(
                    "assets_prefix",
                    "A prefix is a folder-like path without spaces, like herald/ (no leading slash).",
                ));
            }
        }
        if let Some(url) = &self.assets_public_base_url {
            if let Err(reason) = check_endpoint(url) {
                problems.push(FieldError::new(
                    "assets_public_base_url",
                    reason.replace("endpoint", "public URL"),
                ));
            }
            if self.assets_bucket.is_none() {
                problems.push(FieldError::new(
                    "assets_bucket",
                    "Set the bucket that the public URL serves.",
                ));
            }
        }
        if let Some(url) = &self.relay_url {
            if let Err(reason) = check_endpoint(url) {
                problems.push(FieldError::new("relay_url", reason));
            }
        }
        if let Some(set) = &self.configuration_set {
            let ok = set.len() <= 64
                && set
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok {
                problems.push(FieldError::new(
                    "configuration_set",
                    "A configuration set name is up to 64 letters, digits, _ and -, like herald-events.",
                ));
            }
        }
        if let Some(mailto) = &self.unsubscribe_mailto {
            if let Err(reason) = check_email(mailto) {
                problems.push(FieldError::new("unsubscribe_mailto", reason));
            }
        }
        if let Some(hours) = &self.schedule_grace_hours {
            if !hours.parse::<u32>().is_ok_and(|h| h <= 24 * 30) {
                problems.push(FieldError::new(
                    "schedule_grace_hours",
                    "Enter a whole number of hours from 0 to 720, like 24.",
                ));
            }
        }
        if let Some(rate) = &self.max_send_rate {
            if !rate
                .parse::<f64>()
                .is_ok_and(|r| r.is_finite() && r > 0.0 && r <= 100_000.0)
            {
                problems.push(FieldError::new(
                    "max_send_rate",
                    "Enter a number of emails per second above 0, like 10 or 0.5.",
                ));
            }
        }
        if let Some(percent) = &self.bounce_guard_percent {
            if !percent
                .parse::<f64>()
                .is_ok_and(|p| p.is_finite() && (0.1..=100.0).contains(&p))
            {
                problems.push(FieldError::new(
                    "bounce_guard_percent",
                    "Enter a percentage between 0.1 and 100, like 4 or 2.5.",
                ));
            }
        }
        if let Some(min) = &self.bounce_guard_min_sent {
            if !min
                .parse::<u64>()
                .is_ok_and(|n| (1..=10_000_000).contains(&n))
            {
                problems.push(FieldError::new(
                    "bounce_guard_min_sent",
                    "Enter a whole number of messages, at least 1, like 200.",
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(problems))
        }
    }

    /// The grace period for late scheduled campaigns, in hours.
    pub fn schedule_grace_hours(&self) -> u32 {
        self.schedule_grace_hours
            .as_deref()
            .and_then(|h| h.parse().ok())
            .unwrap_or(DEFAULT_SCHEDULE_GRACE_HOURS)
    }

    /// The workspace's ceiling on the sending rate, if one is set.
    pub fn max_send_rate(&self) -> Option<f64> {
        self.max_send_rate
            .as_deref()
            .and_then(|r| r.parse().ok())
            .filter(|r: &f64| r.is_finite() && *r > 0.0)
    }

    /// The SES endpoint in force: `HERALD_SES_ENDPOINT` wins over the setting.
    pub fn effective_ses_endpoint(&self) -> Option<String> {
        std::env::var(SES_ENDPOINT_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.ses_endpoint.clone())
    }

    /// The S3 endpoint in force: `HERALD_S3_ENDPOINT` wins over the setting.
    pub fn effective_s3_endpoint(&self) -> Option<String> {
        std::env::var(S3_ENDPOINT_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.s3_endpoint.clone())
    }

    /// Whether assets can be published for recipients.
    pub fn publishing_configured(&self) -> bool {
        self.assets_bucket.is_some()
    }
}

fn is_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("..")
}

fn unknown_key(key: &str) -> Error {
    Error::invalid(
        "key",
        format!(
            "There is no setting “{key}”. Settings are: {}.",
            KEYS.join(", ")
        ),
    )
}

/// Checks an address with a maintained RFC 5322 parser, and refuses display-name forms.
pub fn check_email(addr: &str) -> std::result::Result<(), String> {
    use std::str::FromStr;
    if addr.contains('<') || addr.contains(' ') {
        return Err("Enter the address only, like news@example.com.".into());
    }
    match email_address::EmailAddress::from_str(addr) {
        Ok(parsed) if parsed.domain().contains('.') => Ok(()),
        Ok(_) => Err(format!(
            "“{addr}” has no full domain; use an address like news@example.com."
        )),
        Err(_) => Err(format!("“{addr}” is not a valid email address.")),
    }
}

fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

fn check_endpoint(endpoint: &str) -> std::result::Result<(), String> {
    let rest = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .ok_or("The endpoint must start with http:// or https://.")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') || endpoint.contains(char::is_whitespace) {
        return Err("The endpoint must be a plain URL like http://localhost:8005.".into());
    }
    Ok(())
}

/// The workspace's settings in force: its own values under the machine's admin policy.
pub fn load(conn: &Connection) -> Result<Settings> {
    load_with(conn, &Policy::load()?)
}

/// The workspace's settings in force under `policy`.
pub fn load_with(conn: &Connection, policy: &Policy) -> Result<Settings> {
    Ok(policy.apply(load_stored(conn)?))
}

/// The workspace's own settings, without the admin policy.
pub fn load_stored(conn: &Connection) -> Result<Settings> {
    let mut settings = Settings::default();
    for key in KEYS {
        let value: Option<String> = conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(value) = value {
            settings.set(key, &value)?;
        }
    }
    Ok(settings)
}

/// Validates and stores the settings, all or nothing, under the machine's admin policy;
/// returns the settings in force afterwards.
pub fn save(conn: &mut Connection, settings: Settings) -> Result<Settings> {
    save_with(conn, settings, &Policy::load()?)
}

/// Validates and stores the settings under `policy`: a change to a setting the policy locks
/// is refused with "Managed by your IT department" at that field.
pub fn save_with(conn: &mut Connection, settings: Settings, policy: &Policy) -> Result<Settings> {
    let settings = policy.check_save(&load_stored(conn)?, settings.normalised())?;
    settings.validate()?;
    let tx = conn.transaction()?;
    let now = now_rfc3339();
    for key in KEYS {
        match settings.get(key)? {
            Some(value) => tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, value, &now),
            )?,
            None => tx.execute("DELETE FROM settings WHERE key = ?1", [key])?,
        };
    }
    tx.commit()?;
    Ok(policy.apply(settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{open, OpenMode};

    #[test]
    fn settings_round_trip_and_blank_values_clear() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        assert_eq!(load(&conn).unwrap(), Settings::default());
        let mut s = Settings::default();
        s.set("from_name", "  Acme News ").unwrap();
        s.set("from_address", "news@acme.example").unwrap();
        s.set("aws_region", "eu-west-1").unwrap();
        s.set("postal_address", "1 Main St\nSpringfield").unwrap();
        let saved = save(&mut conn, s).unwrap();
        assert_eq!(saved.from_name.as_deref(), Some("Acme News"));
        assert_eq!(load(&conn).unwrap(), saved);

        let mut cleared = saved.clone();
        cleared.aws_region = Some("   ".into());
        save(&mut conn, cleared).unwrap();
        assert_eq!(load(&conn).unwrap().aws_region, None);
    }

    #[test]
    fn every_bad_field_is_reported_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        let bad = Settings {
            from_address: Some("not-an-address".into()),
            reply_to: Some("Bob <bob@example.com>".into()),
            aws_region: Some("Europe".into()),
            ses_endpoint: Some("localhost:8005".into()),
            from_name: Some("ok".into()),
            ..Settings::default()
        };
        let err = save(&mut conn, bad).unwrap_err();
        let fields: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["from_address", "reply_to", "aws_region", "ses_endpoint"]
        );
        assert_eq!(load(&conn).unwrap(), Settings::default());
    }

    #[test]
    fn regions_and_endpoints() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-3",
            "il-central-1",
        ] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "eu-west-1 "] {
            assert!(!is_region_name(bad), "{bad}");
        }
        assert!(check_endpoint("http://127.0.0.1:8005").is_ok());
        assert!(check_endpoint("https://email.eu-west-1.amazonaws.com/").is_ok());
        assert!(check_endpoint("ftp://x").is_err());
        assert!(check_endpoint("http://user@host").is_err());
    }

    #[test]
    fn a_locked_setting_cannot_be_saved_and_the_database_keeps_its_own_value() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("h.db"), OpenMode::CreateNew).unwrap();
        let own = Settings {
            aws_region: Some("us-east-1".into()),
            ..Settings::default()
        };
        save_with(&mut conn, own, &Policy::default()).unwrap();

        let policy = Policy::parse(
            std::path::Path::new("policy.json"),
            r#"{ "aws_region": { "value": "eu-west-1", "locked": true },
                 "relay_url": { "value": "https://relay.example.com" } }"#,
        )
        .unwrap();
        let shown = load_with(&conn, &policy).unwrap();
        assert_eq!(shown.aws_region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            shown.relay_url.as_deref(),
            Some("https://relay.example.com")
        );

        let mut changed = shown.clone();
        changed.aws_region = Some("us-west-2".into());
        let err = save_with(&mut conn, changed, &policy).unwrap_err();
        assert_eq!(err.fields()[0].field, "aws_region");
        assert_eq!(err.fields()[0].message, crate::policy::MANAGED_MESSAGE);

        let mut other = shown;
        other.from_name = Some("Acme".into());
        let saved = save_with(&mut conn, other, &policy).unwrap();
        assert_eq!(saved.aws_region.as_deref(), Some("eu-west-1"));
        assert_eq!(saved.from_name.as_deref(), Some("Acme"));
        let stored = load_stored(&conn).unwrap();
        assert_eq!(stored.aws_region.as_deref(), Some("us-east-1"));
        assert_eq!(stored.relay_url, None);
    }

    #[test]
    fn unknown_keys_name_the_known_ones() {
        let mut s = Settings::default();
        let err = s.set("region", "x").unwrap_err();
        assert!(err.to_string().contains("aws_region"));
    }
}
