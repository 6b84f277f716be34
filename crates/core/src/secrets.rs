//! Secrets (AWS keys, relay token, unsubscribe signing key) live in the OS keychain under an
//! entry per workspace and kind; never in SQLite, logs, exports or error messages.
//!
//! [`OsKeychain`] is the real store (macOS Keychain, Windows Credential Manager, Secret
//! Service on Linux). [`MemorySecretStore`] exists for unit tests only.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The keychain service name every Herald entry is filed under.
pub const KEYCHAIN_SERVICE: &str = "Herald";

/// What a secret is for. Each workspace has at most one of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    AwsCredentials,
    RelayToken,
    UnsubscribeKey,
}

impl SecretKind {
    pub const ALL: [SecretKind; 3] = [
        SecretKind::AwsCredentials,
        SecretKind::RelayToken,
        SecretKind::UnsubscribeKey,
    ];

    fn label(self) -> &'static str {
        match self {
            SecretKind::AwsCredentials => "aws-credentials",
            SecretKind::RelayToken => "relay-token",
            SecretKind::UnsubscribeKey => "unsubscribe-key",
        }
    }
}

/// The keychain account name of a workspace's secret, e.g. `workspace/<uuid>/aws-credentials`.
pub fn account_name(workspace_id: &str, kind: SecretKind) -> String {
    format!("workspace/{workspace_id}/{}", kind.label())
}

/// Where secrets are kept.
pub trait SecretStore: Send + Sync {
    fn get(&self, workspace_id: &str, kind: SecretKind) -> Result<Option<String>>;
    fn set(&self, workspace_id: &str, kind: SecretKind, value: &str) -> Result<()>;
    /// Removes the secret; removing one that is not there is not an error.
    fn delete(&self, workspace_id: &str, kind: SecretKind) -> Result<()>;
}

/// The operating system's keychain.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeychain;

impl OsKeychain {
    fn entry(workspace_id: &str, kind: SecretKind) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYCHAIN_SERVICE, &account_name(workspace_id, kind))
            .map_err(keychain_error)
    }
}

impl SecretStore for OsKeychain {
    fn get(&self, workspace_id: &str, kind: SecretKind) -> Result<Option<String>> {
        match Self::entry(workspace_id, kind)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, workspace_id: &str, kind: SecretKind, value: &str) -> Result<()> {
        Self::entry(workspace_id, kind)?
            .set_password(value)
            .map_err(keychain_error)
    }

    fn delete(&self, workspace_id: &str, kind: SecretKind) -> Result<()> {
        match Self::entry(workspace_id, kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

/// Turns a keyring error into a message a person can act on. keyring's errors never hold
/// the secret itself, but only the variant is used here to be sure.
fn keychain_error(e: keyring::Error) -> Error {
    let message = match e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            "it is locked or not running. On Linux, Herald needs a Secret Service \
             (GNOME Keyring or KWallet) in your session."
        }
        keyring::Error::Ambiguous(_) => {
            "more than one entry matches; remove duplicates named “Herald”."
        }
        keyring::Error::TooLong(..) => "the value is too long for the keychain.",
        keyring::Error::Invalid(..) | keyring::Error::BadEncoding(_) => {
            "the stored entry is unreadable."
        }
        _ => "an unexpected keychain error occurred.",
    };
    Error::Keychain(message.to_owned())
}

/// An in-memory store for unit tests; it forgets everything when dropped.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    values: Mutex<HashMap<(String, SecretKind), String>>,
}

impl SecretStore for MemorySecretStore {
    fn get(&self, workspace_id: &str, kind: SecretKind) -> Result<Option<String>> {
        Ok(self
            .values
            .lock()
            .unwrap()
            .get(&(workspace_id.to_owned(), kind))
            .cloned())
    }

    fn set(&self, workspace_id: &str, kind: SecretKind, value: &str) -> Result<()> {
        self.values
            .lock()
            .unwrap()
            .insert((workspace_id.to_owned(), kind), value.to_owned());
        Ok(())
    }

    fn delete(&self, workspace_id: &str, kind: SecretKind) -> Result<()> {
        self.values
            .lock()
            .unwrap()
            .remove(&(workspace_id.to_owned(), kind));
        Ok(())
    }
}
