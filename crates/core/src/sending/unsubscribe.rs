//! One-click unsubscribe (RFC 8058): the per-workspace signing key kept in the keychain
//! (`SecretKind::UnsubscribeKey`) and the header values that carry the token. The token
//! format itself lives in `herald_protocol::unsubscribe`, shared with the relay that
//! checks it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use herald_protocol::unsubscribe::{self as protocol, KEY_BYTES};

use crate::error::{Error, Result};
use crate::secrets::{SecretKind, SecretStore};

pub use herald_protocol::unsubscribe::{verify, UnsubscribeRequest};

/// The workspace's unsubscribe signing key, created on first use.
pub fn signing_key(secrets: &dyn SecretStore, workspace_id: &str) -> Result<Vec<u8>> {
    if let Some(stored) = secrets.get(workspace_id, SecretKind::UnsubscribeKey)? {
        return STANDARD
            .decode(stored.trim())
            .ok()
            .filter(|k| k.len() >= KEY_BYTES)
            .ok_or_else(|| {
                Error::Keychain(
                    "the stored unsubscribe signing key is unreadable; remove it so Herald makes a new one \
                     (links in mail already sent will stop working)."
                        .into(),
                )
            });
    }
    // Two v4 UUIDs are 244 bits from the OS random source.
    let mut key = Vec::with_capacity(KEY_BYTES);
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    secrets.set(
        workspace_id,
        SecretKind::UnsubscribeKey,
        &STANDARD.encode(&key),
    )?;
    Ok(key)
}

/// Makes the tokens and headers for one workspace's mail.
#[derive(Clone)]
pub struct UnsubscribeLinks {
    key: Vec<u8>,
    workspace_id: String,
    /// The relay's public base URL, e.g. `https://relay.example.com` (no trailing slash).
    relay_base_url: String,
    /// The mailbox for `mailto:` unsubscribes, if the team has one.
    mailto: Option<String>,
}

impl std::fmt::Debug for UnsubscribeLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnsubscribeLinks")
            .field("workspace_id", &self.workspace_id)
            .field("relay_base_url", &self.relay_base_url)
            .field("mailto", &self.mailto)
            .finish_non_exhaustive()
    }
}

impl UnsubscribeLinks {
    pub fn new(
        key: Vec<u8>,
        workspace_id: &str,
        relay_base_url: &str,
        mailto: Option<&str>,
    ) -> Self {
        Self {
            key,
            workspace_id: workspace_id.to_owned(),
            relay_base_url: relay_base_url.trim().trim_end_matches('/').to_owned(),
            mailto: mailto
                .map(|m| m.trim().to_owned())
                .filter(|m| !m.is_empty()),
        }
    }

    /// The opaque token for one recipient of one campaign.
    pub fn token(&self, campaign_id: i64, email: &str) -> String {
        protocol::token(&self.key, &self.workspace_id, campaign_id, email)
    }

    /// The page a person opens from the footer link (a GET shows a confirmation there).
    pub fn url(&self, token: &str) -> String {
        format!("{}/u/{token}", self.relay_base_url)
    }

    /// `List-Unsubscribe` and `List-Unsubscribe-Post`, in the order AWS recommends.
    pub fn headers(&self, token: &str) -> [(String, String); 2] {
        let mut value = format!("<{}>", self.url(token));
        if let Some(mailto) = &self.mailto {
            value.push_str(&format!(", <mailto:{mailto}?subject=unsubscribe-{token}>"));
        }
        [
            ("List-Unsubscribe".to_owned(), value),
            (
                "List-Unsubscribe-Post".to_owned(),
                "List-Unsubscribe=One-Click".to_owned(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn tokens_verify_and_resist_tampering() {
        let secrets = MemorySecretStore::default();
        let key = signing_key(&secrets, "ws-1").unwrap();
        assert_eq!(key.len(), 32);
        assert_eq!(signing_key(&secrets, "ws-1").unwrap(), key, "created once");
        assert_ne!(signing_key(&secrets, "ws-2").unwrap(), key);

        let links = UnsubscribeLinks::new(
            key.clone(),
            "ws-1",
            "https://relay.example.com/",
            Some("unsub@acme.example"),
        );
        let token = links.token(42, "Jane@Example.com");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert_eq!(
            verify(&key, &token),
            Some(UnsubscribeRequest {
                workspace_id: "ws-1".into(),
                campaign_id: 42,
                email: "jane@example.com".into(),
            })
        );
        assert_eq!(
            token,
            links.token(42, "jane@example.com"),
            "case-insensitive"
        );
        assert_ne!(token, links.token(43, "jane@example.com"));

        let other_key = signing_key(&secrets, "ws-2").unwrap();
        assert_eq!(verify(&other_key, &token), None, "another workspace's key");
        let (payload, mac) = token.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode("ws-1\n42\nsomeone@example.com");
        assert_eq!(verify(&key, &format!("{forged_payload}.{mac}")), None);
        let mut bad_mac = mac.to_owned();
        bad_mac.replace_range(0..1, if mac.starts_with('A') { "B" } else { "A" });
        assert_eq!(verify(&key, &format!("{payload}.{bad_mac}")), None);
        assert_eq!(verify(&key, "garbage"), None);
        assert_eq!(verify(&key, "a.b"), None);

        let [(n1, v1), (n2, v2)] = links.headers(&token);
        assert_eq!(n1, "List-Unsubscribe");
        assert_eq!(
            v1,
            format!(
                "<https://relay.example.com/u/{token}>, <mailto:unsub@acme.example?subject=unsubscribe-{token}>"
            )
        );
        assert_eq!(
            (n2.as_str(), v2.as_str()),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        );
        assert!(v1.len() <= 870, "SES header value limit");
    }

    #[test]
    fn an_unreadable_stored_key_is_reported_not_replaced() {
        let secrets = MemorySecretStore::default();
        secrets
            .set("ws", SecretKind::UnsubscribeKey, "not base64!")
            .unwrap();
        let err = signing_key(&secrets, "ws").unwrap_err();
        assert_eq!(err.code(), "keychain");
        assert_eq!(
            secrets
                .get("ws", SecretKind::UnsubscribeKey)
                .unwrap()
                .as_deref(),
            Some("not base64!")
        );
    }
}
