//! argon2id hashing off the async threads, bounded to one hash per core at a time, so a storm
//! of sign-ins queues instead of starving every other request (PRODUCT.md §10).
use std::sync::Arc;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use roster_core::Password;
use tokio::sync::Semaphore;

use crate::{Result, ServiceError};

#[derive(Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// A hash of a random password: verifying an unknown login against it costs what a real
    /// verification costs (R-AUTH-7).
    dummy: Arc<String>,
}

impl Hasher {
    /// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
    pub fn new() -> Result<Self> {
        Self::with_params(19 * 1024, 2)
    }

    /// Cheaper parameters for tests; never use in production.
    pub fn for_tests() -> Result<Self> {
        Self::with_params(1024, 1)
    }

    fn with_params(m_cost: u32, t_cost: u32) -> Result<Self> {
        let params = Params::new(m_cost, t_cost, 1, None).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let dummy = dummy_hash(m_cost, t_cost)?;
        Ok(Self { params, permits: Arc::new(Semaphore::new(cores)), dummy: Arc::new(dummy) })
    }

    pub async fn hash(&self, password: &Password) -> Result<String> {
        let params = self.params.clone();
        let pw = password.expose().to_owned();
        self.blocking(move || hash_sync(&params, &pw)).await?
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is none, so
    /// the time taken does not tell whether the login exists.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy.as_str().to_owned(), str::to_owned);
        let params = self.params.clone();
        let pw = password.to_owned();
        let ok = self
            .blocking(move || {
                Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                    .verify_password(pw.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(ok && known)
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self.permits.acquire().await.map_err(|e| ServiceError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(f).await.map_err(|e| ServiceError::Internal(e.to_string()))
    }
}

/// A PHC string with our parameters, a random salt and a random "hash". Verifying any password
/// against it runs the full argon2id computation and fails, and making it costs nothing at start
/// (no 19 MiB hash before the first request).
fn dummy_hash(m_cost: u32, t_cost: u32) -> Result<String> {
    let mut random = [0u8; 48];
    getrandom::fill(&mut random).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let (salt, hash) = random.split_at(16);
    Ok(format!("$argon2id$v=19$m={m_cost},t={t_cost},p=1${}${}", b64(salt), b64(hash)))
}

/// Unpadded standard base64, as PHC strings use.
fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn hash_sync(params: &Params, password: &str) -> Result<String> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn r_auth_7_dummy_hash_is_a_real_verification_that_fails() {
        let h = Hasher::for_tests().expect("hasher");
        assert!(h.dummy.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{}", h.dummy);
        // Parses as a PHC string (verification would return an error rather than run otherwise).
        let parsed = argon2::password_hash::phc::PasswordHash::new(&h.dummy);
        assert!(parsed.is_ok(), "{parsed:?}");
        assert!(!h.verify("anything at all", None).await.expect("verify"));
        let real = h.hash(&Password::parse("correct horse battery").expect("pw")).await.expect("hash");
        assert!(h.verify("correct horse battery", Some(&real)).await.expect("verify"));
        assert!(!h.verify("wrong horse battery", Some(&real)).await.expect("verify"));
    }

    #[test]
    fn b64_matches_the_standard_alphabet_unpadded() {
        assert_eq!(b64(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64(b"fooba"), "Zm9vYmE");
        assert_eq!(b64(b"f"), "Zg");
    }
}
