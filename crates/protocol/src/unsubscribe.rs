//! The unsubscribe token (RFC 8058 one-click and the footer link). The desktop app makes
//! it when sending; the relay checks it when someone unsubscribes.
//!
//! A token is `base64url(payload) "." base64url(mac)` (no padding), where the payload is
//! `workspace_id "\n" campaign_id "\n" lowercased_email` and the mac is HMAC-SHA256 under
//! the workspace's unsubscribe key over `"herald-unsubscribe-v1\n" || payload`. Mail that
//! has already been sent carries these tokens, so this format must never change; a new
//! format needs a new domain string.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

const DOMAIN: &[u8] = b"herald-unsubscribe-v1\n";

/// The length of the keys Herald makes; shorter keys are refused wherever a key is accepted.
pub const KEY_BYTES: usize = 32;

/// Who asked to unsubscribe, as recovered from a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeRequest {
    /// The desktop workspace's id (not the relay's workspace name).
    pub workspace_id: String,
    pub campaign_id: i64,
    /// Lowercased.
    pub email: String,
}

/// The opaque token for one recipient of one campaign.
pub fn token(key: &[u8], workspace_id: &str, campaign_id: i64, email: &str) -> String {
    let payload = payload(workspace_id, campaign_id, email);
    let mac = mac(key, payload.as_bytes()).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload.as_bytes()),
        URL_SAFE_NO_PAD.encode(mac)
    )
}

/// Checks a token in constant time and says whom it is for.
pub fn verify(key: &[u8], token: &str) -> Option<UnsubscribeRequest> {
    let (payload_b64, mac_b64) = token.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).ok()?;
    let claimed = URL_SAFE_NO_PAD.decode(mac_b64).ok()?;
    mac(key, &payload).verify_slice(&claimed).ok()?;
    parse_payload(&payload)
}

/// The workspace id a token claims to be for, WITHOUT checking it: the relay uses it only
/// to pick the keys to [`verify`] with.
pub fn claimed_workspace_id(token: &str) -> Option<String> {
    let (payload_b64, _) = token.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).ok()?;
    parse_payload(&payload).map(|request| request.workspace_id)
}

/// A short public name for a key (hex of the first 8 bytes of its SHA-256), so the app and
/// the relay can tell which key they hold without showing it.
pub fn key_fingerprint(key: &[u8]) -> String {
    Sha256::digest(key)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_payload(payload: &[u8]) -> Option<UnsubscribeRequest> {
    let payload = std::str::from_utf8(payload).ok()?;
    let mut parts = payload.splitn(3, '\n');
    let workspace_id = parts.next()?.to_owned();
    let campaign_id = parts.next()?.parse().ok()?;
    let email = parts.next()?.to_owned();
    Some(UnsubscribeRequest {
        workspace_id,
        campaign_id,
        email,
    })
}

fn payload(workspace_id: &str, campaign_id: i64, email: &str) -> String {
    format!(
        "{workspace_id}\n{campaign_id}\n{}",
        email.trim().to_lowercase()
    )
}

fn mac(key: &[u8], payload: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(DOMAIN);
    mac.update(payload);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn the_token_format_is_frozen() {
        // Mail already sent carries tokens in this exact form.
        let token = token(KEY, "ws-1", 42, " Jane@Example.com ");
        let (payload, mac) = token.split_once('.').unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(payload).unwrap(),
            b"ws-1\n42\njane@example.com"
        );
        let mut expected = HmacSha256::new_from_slice(KEY).unwrap();
        expected.update(b"herald-unsubscribe-v1\nws-1\n42\njane@example.com");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(mac).unwrap(),
            expected.finalize().into_bytes().as_slice()
        );
    }

    #[test]
    fn tokens_verify_and_resist_tampering() {
        let token = token(KEY, "ws-1", 42, "jane@example.com");
        assert_eq!(claimed_workspace_id(&token).as_deref(), Some("ws-1"));
        assert_eq!(
            verify(KEY, &token),
            Some(UnsubscribeRequest {
                workspace_id: "ws-1".into(),
                campaign_id: 42,
                email: "jane@example.com".into(),
            })
        );
        let other_key = [7u8; 32];
        assert_eq!(verify(&other_key, &token), None);
        let (_, mac) = token.split_once('.').unwrap();
        let edited = URL_SAFE_NO_PAD.encode("ws-1\n42\nsomeone@example.com");
        assert_eq!(verify(KEY, &format!("{edited}.{mac}")), None);
        assert_eq!(verify(KEY, "garbage"), None);
        assert_eq!(claimed_workspace_id("garbage"), None);
    }

    #[test]
    fn fingerprints_are_short_and_differ_per_key() {
        assert_eq!(key_fingerprint(KEY).len(), 16);
        assert_ne!(key_fingerprint(KEY), key_fingerprint(&[7u8; 32]));
    }
}
