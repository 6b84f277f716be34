//! How an update artifact's signature is checked: the same steps the Tauri updater plugin
//! takes before installing anything (base64 minisign public key from `tauri.conf.json`,
//! base64 minisign signature from the manifest, then the version the artifact was signed
//! for). Kept here so Herald's tests can prove that artifacts signed the way the release
//! workflow signs them verify with the key the app ships, and tampered ones do not.

use base64::Engine;
use minisign_verify::{PublicKey, Signature};

/// The updater public key built into Herald (`plugins.updater.pubkey` in tauri.conf.json).
pub fn configured_public_key() -> Option<String> {
    let config: serde_json::Value =
        serde_json::from_str(include_str!("../../tauri.conf.json")).ok()?;
    config["plugins"]["updater"]["pubkey"]
        .as_str()
        .map(str::to_owned)
}

fn decode(base64_text: &str, what: &str) -> Result<String, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_text.trim())
        .map_err(|e| format!("the {what} is not base64: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("the {what} is not text"))
}

/// Verifies `data` against a `.sig` file's content, as the updater does with
/// `requireSignedVersion` on: the signature must be valid for the key and name
/// `announced_version` in its trusted comment.
pub fn verify(
    data: &[u8],
    signature_base64: &str,
    public_key_base64: &str,
    announced_version: &str,
) -> Result<(), String> {
    let public_key = PublicKey::decode(&decode(public_key_base64, "public key")?)
        .map_err(|e| format!("the public key is not a minisign key: {e}"))?;
    let signature = Signature::decode(&decode(signature_base64, "signature")?)
        .map_err(|e| format!("the signature is not a minisign signature: {e}"))?;
    public_key
        .verify(data, &signature, true)
        .map_err(|e| format!("the signature does not match: {e}"))?;
    let signed_version = signature
        .trusted_comment()
        .split('\t')
        .find_map(|field| field.strip_prefix("version:"))
        .ok_or("the signature does not say which version it was made for")?;
    if signed_version.trim_start_matches('v') == announced_version.trim_start_matches('v') {
        Ok(())
    } else {
        Err(format!(
            "the artifact was signed for version {signed_version}, not {announced_version}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use base64::Engine;
    use minisign::KeyPair;

    use super::*;

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    /// Signs like `tauri signer sign`: prehashed minisign signature, the trusted comment
    /// carrying the timestamp, file name and version, the whole `.sig` file base64-encoded.
    fn sign(keys: &KeyPair, data: &[u8], version: &str) -> String {
        let trusted =
            format!("timestamp:1790000000\tfile:Herald_{version}_amd64.deb\tversion:{version}");
        let signature = minisign::sign(
            Some(&keys.pk),
            &keys.sk,
            Cursor::new(data),
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        b64(&signature.into_string())
    }

    fn public_key(keys: &KeyPair) -> String {
        b64(&keys.pk.to_box().unwrap().into_string())
    }

    #[test]
    fn a_signed_artifact_verifies_and_a_tampered_one_does_not() {
        let keys = KeyPair::generate_unencrypted_keypair().unwrap();
        let artifact = b"pretend this is Herald_0.2.0_amd64.deb".repeat(1000);
        let signature = sign(&keys, &artifact, "0.2.0");
        let key = public_key(&keys);

        assert_eq!(verify(&artifact, &signature, &key, "0.2.0"), Ok(()));

        let mut tampered = artifact.clone();
        tampered[500] ^= 1;
        let err = verify(&tampered, &signature, &key, "0.2.0").unwrap_err();
        assert!(err.contains("does not match"), "{err}");

        let other = public_key(&KeyPair::generate_unencrypted_keypair().unwrap());
        assert!(verify(&artifact, &signature, &other, "0.2.0").is_err());
    }

    #[test]
    fn an_old_release_cannot_be_passed_off_as_a_new_version() {
        let keys = KeyPair::generate_unencrypted_keypair().unwrap();
        let old = b"Herald 0.1.0";
        let signature = sign(&keys, old, "0.1.0");
        let err = verify(old, &signature, &public_key(&keys), "0.9.0").unwrap_err();
        assert!(err.contains("signed for version 0.1.0"), "{err}");
    }

    #[test]
    fn the_configured_key_is_a_minisign_public_key_in_the_updater_format() {
        let key = configured_public_key().expect("tauri.conf.json has plugins.updater.pubkey");
        let text = decode(&key, "public key").unwrap();
        assert!(
            text.starts_with("untrusted comment: minisign public key"),
            "{text}"
        );
        PublicKey::decode(&text).expect("the configured key decodes");
        // A signature from some other key never verifies against Herald's key.
        let stranger = KeyPair::generate_unencrypted_keypair().unwrap();
        let signature = sign(&stranger, b"artifact", "0.2.0");
        assert!(verify(b"artifact", &signature, &key, "0.2.0").is_err());
    }
}
