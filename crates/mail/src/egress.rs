//! Where an account's own SMTP server may be (R-MAIL-7): a public unicast address on an SMTP
//! port, checked when the settings are saved and again, after a fresh name resolution, each
//! time a connection is made (so a name that later resolves to 127.0.0.1 or 169.254.169.254,
//! DNS rebinding, reaches nothing). The connection then goes to the address that was checked,
//! never to the name again. The operator may allow private addresses and any port
//! (`ROSTER_SMTP_ALLOW_PRIVATE=true`) for a relay on their own network.
//!
//! Classification uses `std` only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The ports an account's server may use: SMTP (25), submission over TLS (465), submission
/// (587) and the common alternative (2525).
pub const SMTP_PORTS: [u16; 4] = [25, 465, 587, 2525];

/// Why a host or port is refused; the text is one sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    /// The port is not one of [`SMTP_PORTS`].
    #[error("use an SMTP port: 25, 465, 587 or 2525")]
    Port,
    /// The name resolves to (or is) an address that is not public.
    #[error("{0} is not a public internet address; use your mail provider's public server name")]
    NotPublic(String),
    /// The name does not resolve.
    #[error("the host name does not resolve to any address")]
    Unresolved,
}

/// Whether `port` may be used by an account's server.
pub fn check_port(port: u16, allow_private: bool) -> Result<(), EgressError> {
    if allow_private || SMTP_PORTS.contains(&port) { Ok(()) } else { Err(EgressError::Port) }
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local (such as
/// 169.254.169.254), unspecified, shared (CGNAT), multicast, broadcast, reserved or set aside
/// for documentation; for IPv6 also not unique-local, site-local, link-local, nor an IPv4
/// address in an IPv6 form (mapped, compatible, NAT64, 6to4, Teredo) that is not public itself.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let private = a == 0 // "this network", 0.0.0.0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 169 && b == 254) // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224; // multicast, reserved, broadcast
    !private
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if s[..6] == [0; 6] {
        return false;
    }
    // NAT64 (64:ff9b::/96): the IPv4 address is the last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
    }
    let global_unicast = (s[0] & 0xe000) == 0x2000; // 2000::/3
    let special = s[0] == 0x2002 // 6to4
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments incl. Teredo 2001::/32
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x3fff && s[1] < 0x1000); // documentation (3fff::/20)
    global_unicast && !special
}

/// Resolves `host` and checks every address it names: all must be public (a name that also
/// resolves to a private address is refused, so it cannot win a race at connect time). Answers
/// the first address to connect to. `allow_private` skips the check (the first address is
/// still answered).
pub async fn resolve_public(host: &str, port: u16, allow_private: bool) -> Result<IpAddr, EgressError> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let local_name = host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost");
    if local_name && !allow_private {
        return Err(EgressError::NotPublic(host.to_owned()));
    }
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => {
            tokio::net::lookup_host((host, port)).await.map_err(|_| EgressError::Unresolved)?.map(|a| a.ip()).collect()
        }
    };
    let first = *addrs.first().ok_or(EgressError::Unresolved)?;
    if !allow_private && let Some(bad) = addrs.iter().find(|ip| !is_public(**ip)) {
        let shown = if host.parse::<IpAddr>().is_ok() { bad.to_string() } else { format!("{host} ({bad})") };
        return Err(EgressError::NotPublic(shown));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn r_mail_7_private_and_special_addresses_are_not_public() {
        for s in [
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
        ] {
            assert!(!is_public(ip(s)), "{s} must not count as public");
        }
    }

    #[test]
    fn r_mail_7_public_addresses_are_public() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(s)), "{s} is public");
        }
    }

    #[test]
    fn r_mail_7_only_smtp_ports_unless_private_is_allowed() {
        for p in SMTP_PORTS {
            assert_eq!(check_port(p, false), Ok(()));
        }
        assert_eq!(check_port(22, false), Err(EgressError::Port));
        assert_eq!(check_port(22, true), Ok(()));
    }

    #[tokio::test]
    async fn r_mail_7_names_and_shorthands_resolve_before_the_check() {
        for host in ["localhost", "127.1", "0.0.0.0", "0", "127.0.0.1", "[::1]", "LOCALHOST", "a.localhost"] {
            assert!(resolve_public(host, 25, false).await.is_err(), "{host} must be refused");
        }
        assert_eq!(resolve_public("127.0.0.1", 2525, true).await, Ok(ip("127.0.0.1")));
    }
}
