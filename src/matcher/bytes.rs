//! Searches of the short texts of patterns (an ARN's fields, a bucket and
//! key) eight bytes at a time: a byte loop costs about seven instructions
//! a byte, and a `memchr` call about sixty for a text of thirty bytes
//! (its set-up and vector loads).

/// `0x01` in each byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of a word.
const HIGHS: u64 = 0x80 * ONES;

/// The high bit of each zero byte of `x`, and maybe of bytes above the
/// first zero byte (a borrow runs up): the lowest set bit is exact.
#[inline(always)]
const fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The offset of the first byte whose high bit `test` sets in its word
/// (exact for the lowest set bit), for `bytes` of eight or more: every
/// whole word, then the last eight bytes (overlapping the word before).
#[inline(always)]
fn first_by_words(bytes: &[u8], test: impl Fn(u64) -> u64) -> Option<usize> {
    let last = bytes.len().checked_sub(8)?;
    let mut at = 0;
    loop {
        let start = at.min(last);
        let x = bytes
            .get(start..start + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes);
        let found = test(x);
        if found != 0 {
            return Some(start + (found.trailing_zeros() / 8) as usize);
        }
        if start == last {
            return None;
        }
        at += 8;
    }
}

/// The offset of the first `*` or `?` of `bytes`.
#[inline]
pub(crate) fn first_wildcard(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 8 {
        return bytes.iter().position(|&b| b == b'*' || b == b'?');
    }
    // each term's lowest set bit is exact, so their union's is
    first_by_words(bytes, |x| {
        zero_bytes(x ^ (u64::from(b'*') * ONES)) | zero_bytes(x ^ (u64::from(b'?') * ONES))
    })
}

/// Whether `bytes` holds the byte `b`.
#[inline]
pub(crate) fn contains(bytes: &[u8], b: u8) -> bool {
    find(bytes, b).is_some()
}

/// The offset of the first byte `b` of `bytes`.
#[inline]
pub(crate) fn find(bytes: &[u8], b: u8) -> Option<usize> {
    if bytes.len() < 8 {
        return bytes.iter().position(|&x| x == b);
    }
    let pattern = u64::from(b) * ONES;
    first_by_words(bytes, |x| zero_bytes(x ^ pattern))
}

/// Whether every byte of `bytes` is an ASCII letter or digit (a `Sid` of
/// an IAM policy), eight bytes at a time.
#[inline]
pub(crate) fn all_ascii_alphanumeric(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return bytes.iter().all(u8::is_ascii_alphanumeric);
    }
    // the high bit of each byte of `x` (ASCII, so no carry leaves a byte)
    // set when the byte is `c` or more
    const fn at_least(x: u64, c: u8) -> u64 {
        x.wrapping_add((0x80 - c as u64) * ONES)
    }
    first_by_words(bytes, |x| {
        let ascii = x & !HIGHS;
        let digit = at_least(ascii, b'0') & !at_least(ascii, b'9' + 1);
        let upper = at_least(ascii, b'A') & !at_least(ascii, b'Z' + 1);
        let lower = at_least(ascii, b'a') & !at_least(ascii, b'z' + 1);
        // a byte with its high bit set is not ASCII
        (x | !(digit | upper | lower)) & HIGHS
    })
    .is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length up to 40, with `*`, `?`, `$`, their neighbours and
    /// non-ASCII bytes at every place, alone and in pairs: the answers of
    /// the byte loops.
    #[test]
    fn word_searches_answer_as_byte_loops() {
        // with the neighbours of the ranges of letters and digits
        let specials = [
            b'*', b'?', b'$', b')', b'+', b'>', b'@', b'#', b'%', 0x80, 0xff, 0, b'/', b'0', b'9',
            b':', b'A', b'Z', b'[', b'`', b'a', b'z', b'{', 0x7f, 0xc0, 0xb0, 0xe1,
        ];
        for len in 0..=40usize {
            let base: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut cases = vec![base.clone()];
            for at in 0..len {
                for &s in &specials {
                    let mut one = base.clone();
                    one[at] = s;
                    cases.push(one.clone());
                    for later in at + 1..len {
                        for &t in b"*?$" {
                            let mut two = one.clone();
                            two[later] = t;
                            cases.push(two);
                        }
                    }
                }
            }
            for bytes in &cases {
                assert_eq!(
                    first_wildcard(bytes),
                    bytes.iter().position(|&b| b == b'*' || b == b'?'),
                    "{bytes:?}"
                );
                assert_eq!(
                    all_ascii_alphanumeric(bytes),
                    bytes.iter().all(u8::is_ascii_alphanumeric),
                    "{bytes:?}"
                );
                for b in [b'$', b'*', b':', 0x80, 0] {
                    assert_eq!(contains(bytes, b), bytes.contains(&b), "{b} in {bytes:?}");
                    assert_eq!(
                        find(bytes, b),
                        bytes.iter().position(|&x| x == b),
                        "{b} in {bytes:?}"
                    );
                }
            }
        }
    }
}
