//! The installation's secret key, used to seal secrets kept in the database (an account's SMTP
//! password, R-MAIL-2) so a copy of the database alone does not reveal them.
//!
//! XChaCha20-Poly1305 with a random 192-bit nonce per seal; the account id is bound as
//! associated data, so a sealed value moved to another account's row does not open.
use std::fmt;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "secret.key";

/// A 256-bit key. Its `Debug` does not show it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// A sealed value that does not open: wrong key, or tampered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sealed value cannot be opened with this installation's secret key")]
pub struct Unsealable;

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, String> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| format!("no randomness available: {e}"))?;
        Ok(Self(k))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key written as 64 hex digits (`ROSTER_SECRET_KEY`).
    pub fn from_hex(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || "use 64 hex digits (32 random bytes), e.g. from `openssl rand -hex 32`".to_owned();
        if s.len() != 64 {
            return Err(bad());
        }
        let mut k = [0u8; 32];
        for (i, byte) in k.iter_mut().enumerate() {
            let pair = s.get(2 * i..2 * i + 2).ok_or_else(bad)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(Self(k))
    }

    /// The key in `dir/secret.key`, made (readable by its owner only) when there is none yet.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        let path = dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate()?;
                write_private(&path, &key.to_hex()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok(key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// A key for another purpose, derived from this one (HMAC-SHA256 of `label`), so the
    /// installation key itself is never used twice.
    pub(crate) fn derive(&self, label: &[u8]) -> [u8; 32] {
        crate::signin::known_device::hmac_sha256(&self.0, label)
    }

    fn to_hex(&self) -> String {
        crate::signin::token::hex(&self.0)
    }

    /// Seals `plain`, bound to `context` (e.g. the account id's bytes).
    pub fn seal(&self, context: &[u8], plain: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness available: {e}"))?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: context })
            .map_err(|_| "cannot seal the value".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`SecretKey::seal`] made with the same key and context.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Unsealable> {
        if sealed.len() < NONCE_LEN {
            return Err(Unsealable);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Unsealable)?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher.decrypt(&XNonce::from(nonce), Payload { msg: body, aad: context }).map_err(|_| Unsealable)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{text}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let key = SecretKey::generate().expect("key");
        let sealed = key.seal(b"account-a", b"hunter2").expect("seal");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(key.open(b"account-a", &sealed).expect("open"), b"hunter2");
        assert_eq!(key.open(b"account-b", &sealed), Err(Unsealable));
        assert_eq!(SecretKey::generate().expect("key").open(b"account-a", &sealed), Err(Unsealable));
        assert_eq!(key.open(b"account-a", &sealed[..10]), Err(Unsealable));
        assert_ne!(key.seal(b"account-a", b"hunter2").expect("seal"), sealed, "a fresh nonce each time");
    }

    #[test]
    fn keys_parse_from_hex_and_persist_in_the_data_dir() {
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
        let dir = std::env::temp_dir().join(format!("roster-key-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let first = SecretKey::load_or_create(&dir).expect("created");
        let again = SecretKey::load_or_create(&dir).expect("loaded");
        assert_eq!(first.0, again.0);
        assert_eq!(format!("{first:?}"), "SecretKey(***)");
        std::fs::remove_dir_all(&dir).ok();
    }
}
