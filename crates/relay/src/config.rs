//! The relay's settings: a TOML file (optional) overridden by `HERALD_RELAY_*` environment
//! variables. Every field has a default except the public URL, which links depend on.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// A per-client-IP token bucket: `per_minute` requests on average, `burst` at once.
/// `per_minute = 0` turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub per_minute: u32,
    pub burst: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Unsubscribe pages and one-click POSTs.
    pub pages: Limit,
    /// The app's API (`/v1/...`).
    pub api: Limit,
    /// SNS intake. Off by default: SNS sends from a few AWS addresses at high rates, and
    /// every message is signature-checked anyway.
    pub sns: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            pages: Limit {
                per_minute: 60,
                burst: 20,
            },
            api: Limit {
                per_minute: 600,
                burst: 120,
            },
            sns: Limit {
                per_minute: 0,
                burst: 0,
            },
        }
    }
}

/// Switches that exist only for tests. Never set them in production.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Testing {
    /// Accept `SigningCertURL` and `SubscribeURL` on a loopback address (http or https),
    /// so tests can sign with their own certificate. Off unless set explicitly.
    pub allow_loopback_certificates: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on; put an HTTPS reverse proxy in front.
    pub listen: String,
    /// The SQLite file (created on first start).
    pub database: PathBuf,
    /// The public HTTPS URL people and SNS reach the relay at, e.g. `https://relay.example.com`.
    pub public_url: String,
    /// Events older than this are deleted.
    pub retention_days: u32,
    /// The largest request body accepted on `/sns` (SNS messages are at most 256 KiB).
    pub body_limit_bytes: usize,
    pub log_format: LogFormat,
    /// If not empty, the only topics any workspace may register.
    pub allowed_topic_arns: Vec<String>,
    /// Take the client address for rate limits from the last `X-Forwarded-For` entry when
    /// the connection comes from a loopback address (the reverse proxy).
    pub trust_forwarded_for: bool,
    pub rate_limits: RateLimits,
    pub testing: Testing,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8787".into(),
            database: PathBuf::from("herald-relay.db"),
            public_url: String::new(),
            retention_days: 30,
            body_limit_bytes: 512 * 1024,
            log_format: LogFormat::Text,
            allowed_topic_arns: Vec::new(),
            trust_forwarded_for: false,
            rate_limits: RateLimits::default(),
            testing: Testing::default(),
        }
    }
}

impl Config {
    /// Reads `file` (when given), then the environment, then checks the result.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Applies `HERALD_RELAY_*` overrides; `get` reads one variable.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = get("HERALD_RELAY_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("HERALD_RELAY_DATABASE") {
            self.database = PathBuf::from(v);
        }
        if let Some(v) = get("HERALD_RELAY_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = get("HERALD_RELAY_RETENTION_DAYS") {
            self.retention_days = parse_env("HERALD_RELAY_RETENTION_DAYS", &v)?;
        }
        if let Some(v) = get("HERALD_RELAY_BODY_LIMIT_BYTES") {
            self.body_limit_bytes = parse_env("HERALD_RELAY_BODY_LIMIT_BYTES", &v)?;
        }
        if let Some(v) = get("HERALD_RELAY_LOG_FORMAT") {
            self.log_format = match v.trim() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Invalid(format!(
                        "HERALD_RELAY_LOG_FORMAT must be text or json, not {v:?}"
                    )))
                }
            };
        }
        if let Some(v) = get("HERALD_RELAY_ALLOWED_TOPIC_ARNS") {
            self.allowed_topic_arns = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = get("HERALD_RELAY_TRUST_FORWARDED_FOR") {
            self.trust_forwarded_for = parse_bool("HERALD_RELAY_TRUST_FORWARDED_FOR", &v)?;
        }
        if let Some(v) = get("HERALD_RELAY_TESTING_ALLOW_LOOPBACK_CERTIFICATES") {
            self.testing.allow_loopback_certificates =
                parse_bool("HERALD_RELAY_TESTING_ALLOW_LOOPBACK_CERTIFICATES", &v)?;
        }
        Ok(())
    }

    /// Reports every problem at once.
    pub fn validate(&mut self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        self.public_url = self.public_url.trim().trim_end_matches('/').to_owned();
        match url::Url::parse(&self.public_url) {
            Ok(url) if matches!(url.scheme(), "https" | "http") && url.host().is_some() => {}
            _ => problems.push(format!(
                "public_url must be the relay's public URL, e.g. https://relay.example.com (got {:?})",
                self.public_url
            )),
        }
        if self.retention_days == 0 {
            problems.push("retention_days must be at least 1".to_owned());
        }
        if self.body_limit_bytes < 16 * 1024 {
            problems.push("body_limit_bytes must be at least 16384".to_owned());
        }
        for arn in &self.allowed_topic_arns {
            if !is_topic_arn(arn) {
                problems.push(format!(
                    "allowed_topic_arns: {arn:?} is not an SNS topic ARN"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems.join("; ")))
        }
    }
}

/// `arn:aws:sns:REGION:ACCOUNT:NAME` (other partitions such as `aws-cn` included).
pub fn is_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && !parts[5].is_empty()
        && parts[5].len() <= 256
        && parts[5]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn parse_env<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| ConfigError::Invalid(format!("{name} must be a number, not {value:?}")))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim() {
        "1" | "true" | "yes" => Ok(true),
        "0" | "false" | "no" | "" => Ok(false),
        _ => Err(ConfigError::Invalid(format!(
            "{name} must be true or false, not {value:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_read_and_the_environment_wins() {
        let mut config: Config = toml::from_str(
            r#"
            listen = "0.0.0.0:9000"
            public_url = "https://relay.example.com/"
            retention_days = 7
            [rate_limits.pages]
            per_minute = 10
            burst = 5
            "#,
        )
        .unwrap();
        config
            .apply_env(|name| match name {
                "HERALD_RELAY_RETENTION_DAYS" => Some("14".into()),
                "HERALD_RELAY_LOG_FORMAT" => Some("json".into()),
                _ => None,
            })
            .unwrap();
        config.validate().unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000");
        assert_eq!(config.public_url, "https://relay.example.com");
        assert_eq!(config.retention_days, 14);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.rate_limits.pages.per_minute, 10);
        assert_eq!(config.rate_limits.api, RateLimits::default().api);
        assert!(
            !config.testing.allow_loopback_certificates,
            "off by default"
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let mut config = Config {
            retention_days: 0,
            allowed_topic_arns: vec!["nope".into()],
            ..Config::default()
        };
        let message = config.validate().unwrap_err().to_string();
        assert!(message.contains("public_url"), "{message}");
        assert!(message.contains("retention_days"), "{message}");
        assert!(message.contains("nope"), "{message}");
        assert!(
            toml::from_str::<Config>("lisen = \"x\"").is_err(),
            "typos are refused"
        );
    }

    #[test]
    fn topic_arns_are_recognised() {
        assert!(is_topic_arn(
            "arn:aws:sns:eu-west-1:123456789012:herald-events"
        ));
        assert!(!is_topic_arn(
            "arn:aws:sqs:eu-west-1:123456789012:herald-events"
        ));
        assert!(!is_topic_arn("arn:aws:sns:eu-west-1:1234:herald"));
    }
}
