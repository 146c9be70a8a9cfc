//! The client's address (R-AUTH-7): the TCP peer, unless the peer is a trusted reverse proxy
//! (`ROSTER_TRUSTED_PROXIES`); then `X-Forwarded-For` is walked from the right, skipping trusted
//! proxies, and the first untrusted address is the client. Without trusted proxies the header is
//! ignored, so nobody can pick their own address by sending it.
use std::net::IpAddr;

/// One network, such as `10.0.0.0/8` or `2001:db8::/32` (an address alone is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| format!("{s:?} is not an address or network, like 10.0.0.0/8"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| {
                format!("{s:?} has a bad prefix length: use 0 to {max} after the slash, like 10.0.0.0/8")
            })?,
        };
        Ok(Self { net: canonical(net), bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                masked(u128::from(u32::from(n)), self.bits, 32) == masked(u128::from(u32::from(a)), self.bits, 32)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                masked(u128::from(n), self.bits, 128) == masked(u128::from(a), self.bits, 128)
            }
            _ => false,
        }
    }
}

fn masked(v: u128, bits: u8, width: u8) -> u128 {
    if bits == 0 { 0 } else { v >> (width - bits) }
}

/// `::ffff:192.0.2.7` is `192.0.2.7`.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_canonical(),
        v4 => v4,
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// A comma-separated list of networks (`ROSTER_TRUSTED_PROXIES`); empty means none.
    pub fn parse(s: &str) -> Result<Self, String> {
        s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(Cidr::parse).collect::<Result<_, _>>().map(Self)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address for a request from `peer` carrying these `X-Forwarded-For` values.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).map(str::trim).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            // A hop that is not an address ends the walk: what lies left of it is not believed.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.7:5000`, `[2001:db8::1]:5000`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<std::net::SocketAddr>().ok().map(|s| canonical(s.ip()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains(ip("10.1.2.3")) && !c.contains(ip("11.0.0.1")));
        assert!(c.contains(ip("::ffff:10.9.9.9")), "mapped v4");
        assert!(Cidr::parse("192.0.2.7").unwrap().contains(ip("192.0.2.7")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.9")));
        assert!(Cidr::parse("2001:db8::/32").unwrap().contains(ip("2001:db8:1::1")));
        assert!(!Cidr::parse("2001:db8::/32").unwrap().contains(ip("10.0.0.1")));
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "nope", "::/129", "10.0.0.0/-1"] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?}");
        }
        assert!(TrustedProxies::parse("10.0.0.0/8, 127.0.0.1,").unwrap().trusts(ip("127.0.0.1")));
        assert!(TrustedProxies::parse("10.0.0.0/8, banana").is_err());
        assert!(TrustedProxies::parse(" ").unwrap().is_empty());
    }

    #[test]
    fn r_auth_7_forwarded_for_is_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("127.0.0.1"), ["203.0.113.9"].into_iter()), ip("127.0.0.1"), "spoofed");
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        assert_eq!(t.client(ip("127.0.0.1"), ["203.0.113.9"].into_iter()), ip("203.0.113.9"));
        // The client prepends a lie; the proxies append the truth: walk from the right.
        assert_eq!(t.client(ip("127.0.0.1"), ["1.1.1.1, 203.0.113.9, 10.0.0.5"].into_iter()), ip("203.0.113.9"));
        assert_eq!(t.client(ip("127.0.0.1"), ["1.1.1.1", "203.0.113.9:4711"].into_iter()), ip("203.0.113.9"));
        assert_eq!(t.client(ip("198.51.100.1"), ["203.0.113.9"].into_iter()), ip("198.51.100.1"), "untrusted peer");
        assert_eq!(t.client(ip("127.0.0.1"), std::iter::empty()), ip("127.0.0.1"), "no header");
        assert_eq!(t.client(ip("127.0.0.1"), ["garbage, 10.0.0.5"].into_iter()), ip("10.0.0.5"), "walk stops");
        assert_eq!(t.client(ip("127.0.0.1"), ["[2001:db8::1]:80"].into_iter()), ip("2001:db8::1"));
    }
}
