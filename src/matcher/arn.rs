//! ARNs of requests: split once into their six parts (spec M-3).

use std::fmt;

/// A request's resource: one ARN, or `*` for actions without a resource type (M-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `*`: the request targets no specific resource (e.g. `s3:ListAllMyBuckets`).
    Wildcard,
    /// A concrete ARN.
    Arn(Arn),
}

impl Resource {
    /// Parses `*` or an ARN.
    pub fn parse(text: &str) -> Result<Resource, ArnError> {
        if text == "*" {
            Ok(Resource::Wildcard)
        } else {
            Arn::parse(text).map(Resource::Arn)
        }
    }

    /// Makes this the resource `text` names, as [`Resource::parse`] would,
    /// reusing the ARN's buffer (no allocation when it is long enough).
    /// Left unchanged on an error.
    pub fn set(&mut self, text: &str) -> Result<(), ArnError> {
        if text == "*" {
            *self = Resource::Wildcard;
            return Ok(());
        }
        match self {
            Resource::Arn(arn) => arn.set(text),
            Resource::Wildcard => {
                *self = Resource::Arn(Arn::parse(text)?);
                Ok(())
            }
        }
    }

    /// The resource as text.
    pub fn as_str(&self) -> &str {
        match self {
            Resource::Wildcard => "*",
            Resource::Arn(a) => a.as_str(),
        }
    }

    /// The ARN, unless this is `*`.
    pub fn arn(&self) -> Option<&Arn> {
        match self {
            Resource::Wildcard => None,
            Resource::Arn(a) => Some(a),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ARN split on its first five colons: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    text: String,
    /// Byte offsets of the first five colons.
    colons: [u32; 5],
}

/// A borrowed, split ARN: what matching works on (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnRef<'a> {
    text: &'a str,
    colons: [u32; 5],
}

/// Why a string is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArnError {
    /// It does not start with `arn:`.
    #[error("`{0}` is not an ARN (it must start with `arn:`)")]
    MissingPrefix(String),
    /// It has fewer than six colon-separated parts.
    #[error(
        "`{0}` is not a complete ARN (expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"
    )]
    MissingField(String),
}

/// The byte offsets of the first five colons, looking no further than the
/// fifth (an S3 key may be long, and hold colons of its own). A byte loop:
/// the colons of an ARN are a few bytes apart.
fn split_colons(text: &str) -> Option<[u32; 5]> {
    // S3 buckets and objects, most ARNs asked about
    if text.starts_with("arn:aws:s3:::") {
        return Some([3, 7, 10, 11, 12]);
    }
    let mut colons = [0u32; 5];
    let mut found = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b':' {
            *colons.get_mut(found)? = u32::try_from(i).ok()?;
            found += 1;
            if found == colons.len() {
                return Some(colons);
            }
        }
    }
    None
}

impl<'a> ArnRef<'a> {
    /// Splits `text` when it is a complete ARN (starts with `arn:`, six parts).
    pub fn parse(text: &'a str) -> Option<ArnRef<'a>> {
        if !text.starts_with("arn:") {
            return None;
        }
        split_colons(text).map(|colons| ArnRef { text, colons })
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Part `i` (0 = `arn`, 1 = partition, …, 5 = resource).
    // inlined into `ResourcePattern::matches_arn`'s loop (out of line,
    // ~6 instructions a part more when thin LTO's choice moved)
    #[inline]
    pub fn part(&self, i: usize) -> &'a str {
        let start = self.start_of(i);
        let end = self
            .colons
            .get(i)
            .map(|&c| c as usize)
            .unwrap_or(self.text.len());
        self.text.get(start..end.max(start)).unwrap_or_default()
    }

    fn start_of(&self, i: usize) -> usize {
        match i {
            0 => 0,
            _ => self
                .colons
                .get(i - 1)
                .map(|&c| c as usize + 1)
                .unwrap_or(self.text.len()),
        }
    }

    /// Everything from part `i` on, colons included.
    pub fn rest_from(&self, i: usize) -> &'a str {
        self.text.get(self.start_of(i)..).unwrap_or_default()
    }

    /// The partition (`aws`).
    pub fn partition(&self) -> &'a str {
        self.part(1)
    }
    /// The service (`s3`).
    pub fn service(&self) -> &'a str {
        self.part(2)
    }
    /// The region (empty for S3 buckets and objects).
    pub fn region(&self) -> &'a str {
        self.part(3)
    }
    /// The account (empty for S3 buckets and objects).
    pub fn account(&self) -> &'a str {
        self.part(4)
    }
    /// The resource part: everything after the fifth colon.
    #[inline]
    pub fn resource(&self) -> &'a str {
        self.part(5)
    }
}

impl Arn {
    /// Parses a complete ARN.
    pub fn parse(text: &str) -> Result<Arn, ArnError> {
        let parsed = ArnRef::parse(text).ok_or_else(|| Arn::error(text))?;
        Ok(Arn {
            text: text.to_string(),
            colons: parsed.colons,
        })
    }

    /// Makes this the ARN `text`, as [`Arn::parse`] would, reusing its
    /// buffer. Left unchanged on an error.
    pub fn set(&mut self, text: &str) -> Result<(), ArnError> {
        let parsed = ArnRef::parse(text).ok_or_else(|| Arn::error(text))?;
        self.assign(parsed);
        Ok(())
    }

    /// Makes this the ARN `arn` (already split), reusing its buffer.
    pub fn assign(&mut self, arn: ArnRef<'_>) {
        self.text.clear();
        self.text.push_str(arn.text);
        self.colons = arn.colons;
    }

    fn error(text: &str) -> ArnError {
        if text.starts_with("arn:") {
            ArnError::MissingField(text.to_string())
        } else {
            ArnError::MissingPrefix(text.to_string())
        }
    }

    /// The borrowed, split view.
    pub fn as_ref(&self) -> ArnRef<'_> {
        ArnRef {
            text: &self.text,
            colons: self.colons,
        }
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// Part `i` (0 = `arn`, 1 = partition, …, 5 = resource).
    pub fn part(&self, i: usize) -> &str {
        self.as_ref().part(i)
    }
    /// Everything from part `i` on, colons included.
    pub fn rest_from(&self, i: usize) -> &str {
        self.as_ref().rest_from(i)
    }
    /// The partition (`aws`).
    pub fn partition(&self) -> &str {
        self.part(1)
    }
    /// The service (`s3`).
    pub fn service(&self) -> &str {
        self.part(2)
    }
    /// The region (empty for S3 buckets and objects).
    pub fn region(&self) -> &str {
        self.part(3)
    }
    /// The account (empty for S3 buckets and objects).
    pub fn account(&self) -> &str {
        self.part(4)
    }
    /// The resource part: everything after the fifth colon.
    pub fn resource(&self) -> &str {
        self.part(5)
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_the_first_five_colons_spec_m3() {
        let a = Arn::parse("arn:aws:s3:::b/a:b:c").unwrap();
        assert_eq!(
            (
                a.partition(),
                a.service(),
                a.region(),
                a.account(),
                a.resource()
            ),
            ("aws", "s3", "", "", "b/a:b:c")
        );
        assert_eq!(a.rest_from(3), "::b/a:b:c");
        let ap = Arn::parse("arn:aws:s3:us-east-1:111122223333:accesspoint/r/object/k").unwrap();
        assert_eq!(ap.account(), "111122223333");
        assert_eq!(ap.resource(), "accesspoint/r/object/k");
    }

    /// Setting a resource in place gives what parsing gives, and an error
    /// leaves it as it was.
    #[test]
    fn set_reads_like_parse() {
        let texts = [
            "arn:aws:s3:::b/k",
            "*",
            "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/a:b:c",
            "arn:aws:s3:::b",
            "arn:aws:s3:b",
            "s3:::b",
            "arn:aws:s3:::",
        ];
        for from in texts {
            for to in texts {
                let Ok(mut r) = Resource::parse(from) else {
                    continue;
                };
                let before = r.clone();
                match Resource::parse(to) {
                    Ok(parsed) => {
                        assert_eq!(r.set(to), Ok(()));
                        assert_eq!(r, parsed, "{from} -> {to}");
                    }
                    Err(e) => {
                        assert_eq!(r.set(to), Err(e));
                        assert_eq!(r, before);
                    }
                }
            }
        }
        // colons past the fifth belong to the resource part
        let long = format!("arn:aws:s3:::b/{}", ":".repeat(1000));
        let a = Arn::parse(&long).unwrap();
        assert_eq!(a.resource().len(), 1002);
    }

    #[test]
    fn rejects_non_arns() {
        assert!(matches!(
            Arn::parse("s3:::b"),
            Err(ArnError::MissingPrefix(_))
        ));
        assert!(matches!(
            Arn::parse("arn:aws:s3:b"),
            Err(ArnError::MissingField(_))
        ));
        assert_eq!(Resource::parse("*").unwrap(), Resource::Wildcard);
    }
}
