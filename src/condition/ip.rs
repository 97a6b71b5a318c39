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
        None => dotted_quad(text.as_bytes())
            .or_else(|| text.parse::<std::net::Ipv4Addr>().ok())
            .map(IpAddr::V4),
    }
}

/// The usual IPv4 text, `a.b.c.d` with each part 0 to 255 written without
/// leading zeros, read in one pass; `None` (declines: the caller asks
/// `Ipv4Addr::from_str`) for anything else, valid or not. The standard
/// parser's general reader took ~500 instructions an address.
fn dotted_quad(text: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split(|&b| b == b'.');
    for octet in &mut octets {
        *octet = decimal_octet(parts.next()?)?;
    }
    match parts.next() {
        Some(_) => None,
        None => Some(std::net::Ipv4Addr::from(octets)),
    }
}

/// `0` to `255` in one to three digits, the first not `0` unless it is the
/// only one.
fn decimal_octet(digits: &[u8]) -> Option<u8> {
    if digits.is_empty() || digits.len() > 3 || (digits.len() > 1 && digits.first() == Some(&b'0'))
    {
        return None;
    }
    let mut value = 0u32;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(d - b'0');
    }
    u8::try_from(value).ok()
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
            "01.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "255.255.255.256",
            "1.2.3.4.",
            ".1.2.3.4",
            "1..2.3",
            "1.2.3.4.5",
            "1.2.3.+4",
            "1.2.3.0004",
            "1.2.3.４",
        ] {
            assert_eq!(parse_addr(t), t.parse::<IpAddr>().ok(), "{t}");
        }
    }

    /// Wherever the dotted-quad reader answers, `Ipv4Addr::from_str` gives
    /// the same address: every octet 0..=999 and its zero-padded forms at
    /// each place, and texts made of digits, dots and a few other bytes.
    #[test]
    fn the_dotted_quad_reader_agrees_with_from_str() {
        let check = |t: &str| {
            if let Some(fast) = dotted_quad(t.as_bytes()) {
                assert_eq!(Some(fast), t.parse::<std::net::Ipv4Addr>().ok(), "{t}");
            }
        };
        for n in 0..1000 {
            for octet in [
                format!("{n}"),
                format!("{n:02}"),
                format!("{n:03}"),
                format!("{n:04}"),
            ] {
                check(&format!("{octet}.1.2.3"));
                check(&format!("1.{octet}.2.3"));
                check(&format!("1.2.{octet}.3"));
                let t = format!("1.2.3.{octet}");
                check(&t);
                assert_eq!(
                    dotted_quad(t.as_bytes()).is_some(),
                    t.parse::<std::net::Ipv4Addr>().is_ok(),
                    "{t}"
                );
            }
        }
        let alphabet = [b'0', b'1', b'2', b'5', b'9', b'.', b'.', b'x', b' ', b'+'];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 16) as usize;
            let t: Vec<u8> = (0..len)
                .map(|i| alphabet[((state >> (4 + 4 * i)) % 10) as usize])
                .collect();
            check(std::str::from_utf8(&t).unwrap_or_default());
        }
    }
}
