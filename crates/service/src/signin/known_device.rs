//! "Known device" cookies (R-AUTH-7): a browser that signed in to a login before carries a signed
//! note of it, so failures caused from elsewhere (other addresses, the login's total) never block
//! it; only failures it made itself do.
//!
//! The cookie holds up to [`MAX_ENTRIES`] entries joined by `~` (a browser shared by a few
//! people), each `<user id>.<device id>.<HMAC-SHA256>` in hex. The MAC key is derived from the
//! installation's secret key (`ROSTER_SECRET_KEY`), so replicas sharing the key accept each
//! other's cookies and nobody can forge one for another login. The device id is 128 random bits,
//! kept for the life of the cookie: it names this browser's own throttle key.
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::signin::secret::SecretKey;
use crate::signin::token::hex;
use crate::{Result, ServiceError};

/// How many logins one browser remembers.
pub const MAX_ENTRIES: usize = 5;
/// How long the cookie lives (the web layer's `Max-Age`): a year.
pub const LIFETIME_SECS: u64 = 365 * 24 * 3600;
const LABEL: &[u8] = b"roster known-device cookie v1";

/// HMAC-SHA256 (RFC 2104) over the workspace's `sha2`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new().chain_update(&ipad).chain_update(msg).finalize();
    Sha256::new().chain_update(&opad).chain_update(inner).finalize().into()
}

/// The key that signs known-device cookies, derived from the installation's key.
pub(crate) fn cookie_key(secret: &SecretKey) -> [u8; 32] {
    secret.derive(LABEL)
}

fn mac(key: &[u8; 32], user: Uuid, device: &str) -> String {
    hex(&hmac_sha256(key, format!("{}|{device}", user.simple()).as_bytes()))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The entries of a cookie whose signature holds, in order (at most [`MAX_ENTRIES`]).
pub(crate) fn entries(key: &[u8; 32], cookie: &str) -> Vec<(Uuid, String)> {
    cookie
        .split('~')
        .take(MAX_ENTRIES)
        .filter_map(|e| {
            let mut parts = e.split('.');
            let (user, device, sig) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || device.len() != 32 || !device.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let user = Uuid::try_parse(user).ok()?;
            same(sig, &mac(key, user, device)).then(|| (user, device.to_owned()))
        })
        .collect()
}

/// This browser's device id for `user`, when its cookie holds a valid entry for them.
pub(crate) fn device_of(key: &[u8; 32], cookie: Option<&str>, user: Uuid) -> Option<String> {
    entries(key, cookie?).into_iter().find(|(u, _)| *u == user).map(|(_, d)| d)
}

/// The cookie after `user` signed in on this browser: their entry first (the same device id as
/// before, else a new one), then the other valid entries.
pub(crate) fn after_sign_in(key: &[u8; 32], cookie: Option<&str>, user: Uuid) -> Result<String> {
    let known = cookie.map(|c| entries(key, c)).unwrap_or_default();
    let device = match known.iter().find(|(u, _)| *u == user) {
        Some((_, d)) => d.clone(),
        None => {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(e.to_string()))?;
            hex(&bytes)
        }
    };
    let mut out = vec![format!("{}.{device}.{}", user.simple(), mac(key, user, &device))];
    for (u, d) in known.into_iter().filter(|(u, _)| *u != user).take(MAX_ENTRIES - 1) {
        out.push(format!("{}.{d}.{}", u.simple(), mac(key, u, &d)));
    }
    Ok(out.join("~"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: key "Jefe".
        let got = hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?"));
        assert_eq!(got, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // Test case 6: a key longer than the block.
        let got = hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First"));
        assert_eq!(got, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[test]
    fn r_auth_7_a_known_device_cookie_is_bound_to_its_login_and_key() {
        let key = [7u8; 32];
        let (ada, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let c = after_sign_in(&key, None, ada).unwrap();
        let device = device_of(&key, Some(&c), ada).unwrap();
        assert_eq!(device.len(), 32);
        assert_eq!(device_of(&key, Some(&c), bob), None, "not another login's");
        assert_eq!(device_of(&[8u8; 32], Some(&c), ada), None, "not under another installation key");
        let forged = c.replace(&ada.simple().to_string(), &bob.simple().to_string());
        assert_eq!(device_of(&key, Some(&forged), bob), None, "the user id is signed");
        // A second person on the same browser; the first keeps their device id.
        let both = after_sign_in(&key, Some(&c), bob).unwrap();
        assert_eq!(device_of(&key, Some(&both), ada).as_deref(), Some(device.as_str()));
        assert!(device_of(&key, Some(&both), bob).is_some());
        let again = after_sign_in(&key, Some(&both), ada).unwrap();
        assert_eq!(device_of(&key, Some(&again), ada).as_deref(), Some(device.as_str()), "kept");
        assert!(again.starts_with(&ada.simple().to_string()), "the last signed in first");
        assert_eq!(entries(&key, "garbage~a.b.c~~"), vec![]);
        let mut many = None;
        for _ in 0..8 {
            many = Some(after_sign_in(&key, many.as_deref(), Uuid::now_v7()).unwrap());
        }
        assert_eq!(entries(&key, &many.unwrap()).len(), MAX_ENTRIES);
    }
}
