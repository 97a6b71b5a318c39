//! `IpAddress` / `NotIpAddress`: IPv4 and IPv6 ranges in CIDR form (spec C-9).

use std::net::IpAddr;

/// An address range: a network address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    addr: IpAddr,
    prefix: u8,
    host_bits_set: bool,
}

/// `IpAddr::from_str`, trying only the family the text can be: an IPv6
/// address holds a `:`, an IPv4 one never does.
fn parse_addr(text: &str) -> Option<IpAddr> {
    match memchr::memchr(b':', text.as_bytes()) {
        Some(_) => text.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
        None => text.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

impl IpRange {
    /// Parses `a.b.c.d/n`, `x:…/n`, or a bare address (`/32`, `/128`).
    pub fn parse(text: &str) -> Option<IpRange> {
        let t = text.trim();
        let (addr, prefix) = match t.split_once('/') {
            Some((a, p)) => {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3 {
                    return None;
                }
                (parse_addr(a)?, Some(p.parse::<u8>().ok()?))
            }
            None => (parse_addr(t)?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        let host_bits_set = bits(addr) & !mask(addr, prefix) != 0;
        Some(IpRange {
            addr,
            prefix,
            host_bits_set,
        })
    }

    /// Whether the address lies in the range. IPv4 never matches IPv6 ranges and vice versa.
    pub fn contains(&self, ip: IpAddr) -> bool {
        if ip.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        let m = mask(self.addr, self.prefix);
        bits(ip) & m == bits(self.addr) & m
    }

    /// Whether the address has bits set beyond the prefix (`10.0.0.1/8`: IMPROVE_IP_RANGE).
    pub fn has_host_bits(&self) -> bool {
        self.host_bits_set
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The address as written (before masking).
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// Whether the range lies inside private address space (RFC 1918, unique
    /// local, loopback, link-local): such ranges in `aws:SourceIp` never match
    /// traffic that reaches S3 over the internet (PRIVATE_IP_ADDRESS).
    pub fn is_private(&self) -> bool {
        match self.addr {
            IpAddr::V4(a) => {
                let o = a.octets();
                let inside = |net: [u8; 4], p: u8| {
                    self.prefix >= p
                        && IpRange {
                            addr: IpAddr::from(net),
                            prefix: p,
                            host_bits_set: false,
                        }
                        .contains(IpAddr::V4(a))
                };
                let _ = o;
                inside([10, 0, 0, 0], 8)
                    || inside([172, 16, 0, 0], 12)
                    || inside([192, 168, 0, 0], 16)
                    || inside([127, 0, 0, 0], 8)
                    || inside([169, 254, 0, 0], 16)
            }
            IpAddr::V6(a) => {
                let first = a.segments().first().copied().unwrap_or(0);
                (self.prefix >= 7 && first & 0xfe00 == 0xfc00)
                    || (self.prefix >= 10 && first & 0xffc0 == 0xfe80)
                    || (self.prefix == 128 && a.is_loopback())
            }
        }
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn mask(ip: IpAddr, prefix: u8) -> u128 {
    let width: u32 = if ip.is_ipv4() { 32 } else { 128 };
    let p = u32::from(prefix).min(width);
    if p == 0 {
        return 0;
    }
    let ones = u128::MAX << (128 - p);
    ones >> (128 - width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(range: &str, ip: &str) -> bool {
        IpRange::parse(range).unwrap().contains(ip.parse().unwrap())
    }

    #[test]
    fn cidr_table_spec_c9() {
        assert!(contains("203.0.113.0/24", "203.0.113.9"));
        assert!(!contains("203.0.113.0/24", "198.51.100.7"));
        assert!(contains("0.0.0.0/0", "198.51.100.7"));
        assert!(contains("203.0.113.5", "203.0.113.5"));
        assert!(!contains("203.0.113.5", "203.0.113.6"));
        assert!(contains("2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1"));
        assert!(contains("2001:db8::1", "2001:0db8:0:0:0:0:0:1"));
        assert!(!contains("0.0.0.0/0", "2001:db8::1"));
        assert!(!contains("::/0", "10.0.0.1"));
        assert!(contains("::/0", "2001:db8::1"));
        assert!(contains("10.0.0.1/8", "10.200.0.1"));
    }

    #[test]
    fn rejects_bad_ranges_and_flags_details() {
        for s in [
            "300.1.1.1/8",
            "1.2.3.4/33",
            "1.2.3.4/",
            "abc",
            "::/129",
            "1.2.3.4/-1",
            "1.2.3.4/ 8",
        ] {
            assert!(IpRange::parse(s).is_none(), "{s}");
        }
        assert!(IpRange::parse("10.0.0.1/8").unwrap().has_host_bits());
        assert!(!IpRange::parse("10.0.0.0/8").unwrap().has_host_bits());
        assert!(IpRange::parse("10.1.0.0/16").unwrap().is_private());
        assert!(IpRange::parse("192.168.1.1").unwrap().is_private());
        assert!(!IpRange::parse("203.0.113.0/24").unwrap().is_private());
        assert!(!IpRange::parse("0.0.0.0/0").unwrap().is_private());
        assert!(IpRange::parse("fd00::/8").unwrap().is_private());
    }

    #[test]
    fn addresses_parse_as_ip_addr_from_str() {
        for t in [
            "10.0.0.1",
            "::1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "10.0.0",
            "1:2",
            "",
            ":",
            "10.0.0.1:80",
            "256.0.0.1",
            "fe80::1%eth0",
        ] {
            assert_eq!(parse_addr(t), t.parse::<IpAddr>().ok(), "{t}");
        }
    }
}
