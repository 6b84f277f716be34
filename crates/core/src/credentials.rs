//! Which AWS credentials a workspace uses, in this order: an access key pair stored in the OS
//! keychain, else a named profile from the standard AWS config, else the SDK's default chain
//! (environment variables, default profile, SSO, instance roles).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, FieldError, Result};
use crate::secrets::{SecretKind, SecretStore};
use crate::settings::Settings;

/// An access key pair as the user types it. `Debug` never shows the secret.
#[derive(Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AwsKeyPair {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for AwsKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsKeyPair")
            .field("access_key_id", &mask_key_id(&self.access_key_id))
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

impl AwsKeyPair {
    fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        let id = self.access_key_id.trim();
        if id.is_empty() {
            problems.push(FieldError::new("access_key_id", "Enter the access key ID."));
        } else if !(16..=128).contains(&id.len()) || !id.chars().all(|c| c.is_ascii_alphanumeric())
        {
            problems.push(FieldError::new(
                "access_key_id",
                "An access key ID is 16–128 letters and digits, such as AKIA followed by 16 more.",
            ));
        }
        let secret = self.secret_access_key.trim();
        if secret.is_empty() {
            problems.push(FieldError::new(
                "secret_access_key",
                "Enter the secret access key.",
            ));
        } else if secret.len() < 16 || secret.chars().any(char::is_whitespace) {
            problems.push(FieldError::new(
                "secret_access_key",
                "That does not look like a secret access key (40 characters, no spaces).",
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(problems))
        }
    }
}

/// Where the credentials in force come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CredentialSource {
    Keychain,
    Profile,
    Environment,
    DefaultChain,
}

/// What Settings shows about credentials; never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CredentialsStatus {
    pub source: CredentialSource,
    /// The stored key's ID, shortened like `AKIA…MPLE`.
    pub access_key_id: Option<String>,
    pub profile: Option<String>,
    /// One sentence for the user.
    pub description: String,
    /// Set when the keychain could not be read; the other sources still apply.
    pub keychain_error: Option<String>,
}

/// The credentials to hand to the AWS SDK.
#[derive(Debug, Clone)]
pub enum ResolvedCredentials {
    Keys(AwsKeyPair),
    Profile(String),
    DefaultChain,
}

impl ResolvedCredentials {
    pub fn source(&self) -> CredentialSource {
        match self {
            ResolvedCredentials::Keys(_) => CredentialSource::Keychain,
            ResolvedCredentials::Profile(_) => CredentialSource::Profile,
            ResolvedCredentials::DefaultChain if env_keys_present() => {
                CredentialSource::Environment
            }
            ResolvedCredentials::DefaultChain => CredentialSource::DefaultChain,
        }
    }
}

/// Stores the key pair in the keychain, replacing any earlier one.
pub fn store(secrets: &dyn SecretStore, workspace_id: &str, keys: &AwsKeyPair) -> Result<()> {
    keys.validate()?;
    let trimmed = AwsKeyPair {
        access_key_id: keys.access_key_id.trim().to_owned(),
        secret_access_key: keys.secret_access_key.trim().to_owned(),
    };
    let json = serde_json::to_string(&trimmed).expect("a key pair serialises");
    secrets.set(workspace_id, SecretKind::AwsCredentials, &json)
}

/// Removes the stored key pair, if any.
pub fn clear(secrets: &dyn SecretStore, workspace_id: &str) -> Result<()> {
    secrets.delete(workspace_id, SecretKind::AwsCredentials)
}

fn stored(secrets: &dyn SecretStore, workspace_id: &str) -> Result<Option<AwsKeyPair>> {
    match secrets.get(workspace_id, SecretKind::AwsCredentials)? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|_| {
            Error::Keychain("the stored AWS credentials are unreadable; store them again.".into())
        }),
    }
}

/// Picks the credentials in force for a workspace.
pub fn resolve(
    settings: &Settings,
    secrets: &dyn SecretStore,
    workspace_id: &str,
) -> Result<ResolvedCredentials> {
    if let Some(keys) = stored(secrets, workspace_id)? {
        return Ok(ResolvedCredentials::Keys(keys));
    }
    Ok(match &settings.aws_profile {
        Some(profile) => ResolvedCredentials::Profile(profile.clone()),
        None => ResolvedCredentials::DefaultChain,
    })
}

/// Describes the credentials in force without failing when the keychain is unavailable.
pub fn status(
    settings: &Settings,
    secrets: &dyn SecretStore,
    workspace_id: &str,
) -> CredentialsStatus {
    let (resolved, keychain_error) = match resolve(settings, secrets, workspace_id) {
        Ok(r) => (r, None),
        Err(e) => {
            let fallback = match &settings.aws_profile {
                Some(p) => ResolvedCredentials::Profile(p.clone()),
                None => ResolvedCredentials::DefaultChain,
            };
            (fallback, Some(e.to_string()))
        }
    };
    let source = resolved.source();
    let (access_key_id, profile, description) = match &resolved {
        ResolvedCredentials::Keys(keys) => {
            let masked = mask_key_id(&keys.access_key_id);
            let text = format!("Access key {masked}, stored in the system keychain.");
            (Some(masked), None, text)
        }
        ResolvedCredentials::Profile(p) => {
            (None, Some(p.clone()), format!("AWS profile “{p}” from the standard AWS config (~/.aws)."))
        }
        ResolvedCredentials::DefaultChain if source == CredentialSource::Environment => (
            None,
            None,
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.".to_owned(),
        ),
        ResolvedCredentials::DefaultChain => (
            None,
            None,
            "The AWS default chain: environment variables, the default profile, SSO or an instance role."
                .to_owned(),
        ),
    };
    CredentialsStatus {
        source,
        access_key_id,
        profile,
        description,
        keychain_error,
    }
}

fn env_keys_present() -> bool {
    std::env::var_os("AWS_ACCESS_KEY_ID").is_some_and(|v| !v.is_empty())
}

/// `AKIA` + `IOSFODNN7EXAMPLE` → `AKIA…MPLE`.
pub fn mask_key_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() <= 8 {
        return "…".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    const ID_TAIL: &str = "IOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn stored_keys_win_and_are_masked() {
        let store = MemorySecretStore::default();
        let settings = Settings {
            aws_profile: Some("marketing".into()),
            ..Settings::default()
        };
        assert_eq!(
            status(&settings, &store, "w1").source,
            CredentialSource::Profile
        );

        store_keys(&store);
        let st = status(&settings, &store, "w1");
        assert_eq!(st.source, CredentialSource::Keychain);
        assert_eq!(st.access_key_id.as_deref(), Some("AKIA…MPLE"));
        assert!(!format!("{st:?}").contains(SECRET));
        assert!(!format!("{:?}", resolve(&settings, &store, "w1").unwrap()).contains(SECRET));

        clear(&store, "w1").unwrap();
        assert_eq!(
            status(&settings, &store, "w1").source,
            CredentialSource::Profile
        );
    }

    #[test]
    fn malformed_keys_are_refused_at_the_field() {
        let secrets = MemorySecretStore::default();
        let err = store(
            &secrets,
            "w1",
            &AwsKeyPair {
                access_key_id: "short".into(),
                secret_access_key: "has space in it here".into(),
            },
        )
        .unwrap_err();
        let fields: Vec<&str> = err.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["access_key_id", "secret_access_key"]);
        assert!(!err.to_string().contains("has space"));
    }

    fn store_keys(store: &MemorySecretStore) {
        super::store(
            store,
            "w1",
            &AwsKeyPair {
                access_key_id: format!(" AKIA{ID_TAIL} "),
                secret_access_key: SECRET.into(),
            },
        )
        .unwrap();
    }
}
