//! Parsing an `aws s3 …` command line (AWS CLI v2 high-level commands) into
//! a typed command: the verb, its paths and the options that change what is
//! asked of IAM (`docs/can-run.md`).

use std::fmt;

use super::command_options::{verb_options, Arity};

/// The `aws s3` subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `ls`
    Ls,
    /// `mb`
    Mb,
    /// `rb`
    Rb,
    /// `cp`
    Cp,
    /// `mv`
    Mv,
    /// `rm`
    Rm,
    /// `sync`
    Sync,
    /// `presign`
    Presign,
    /// `website`
    Website,
}

impl Verb {
    const ALL: [(&'static str, Verb); 9] = [
        ("ls", Verb::Ls),
        ("mb", Verb::Mb),
        ("rb", Verb::Rb),
        ("cp", Verb::Cp),
        ("mv", Verb::Mv),
        ("rm", Verb::Rm),
        ("sync", Verb::Sync),
        ("presign", Verb::Presign),
        ("website", Verb::Website),
    ];

    /// Whether the CLI takes this subcommand's path argument as an S3
    /// location with or without `s3://` (awscli `customizations/s3/subcommands.py`:
    /// `ls`, `website` and `presign` strip an optional `s3://`; `mb`, `rb`
    /// and the transfer commands require it).
    fn takes_bare_bucket(self) -> bool {
        matches!(self, Verb::Ls | Verb::Website | Verb::Presign)
    }

    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        Verb::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// A path argument: local or `s3://bucket/key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathArg {
    /// A local file or directory.
    Local(String),
    /// An S3 location.
    S3 {
        /// Bucket.
        bucket: String,
        /// Key or prefix (may be empty).
        key: String,
    },
}

impl fmt::Display for PathArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathArg::Local(p) => f.write_str(p),
            PathArg::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
        }
    }
}

/// Options that matter for IAM (others are accepted and listed in `ignored`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--recursive`
    pub recursive: bool,
    /// `rb --force`
    pub force: bool,
    /// `sync --delete`
    pub delete: bool,
    /// `--dryrun`
    pub dryrun: bool,
    /// `--no-overwrite`
    pub no_overwrite: bool,
    /// `--no-sign-request`: anonymous requests.
    pub no_sign_request: bool,
    /// `--acl`
    pub acl: Option<String>,
    /// `--grants Permission=Grantee_Type=Grantee_ID …`
    pub grants: Vec<String>,
    /// `--sse [AES256|aws:kms|aws:kms:dsse]` (`AES256` when given without value).
    pub sse: Option<String>,
    /// `--sse-kms-key-id`
    pub sse_kms_key_id: Option<String>,
    /// `--sse-c [AES256]`
    pub sse_c: Option<String>,
    /// `--storage-class`
    pub storage_class: Option<String>,
    /// `--copy-props none|metadata-directive|default`
    pub copy_props: Option<String>,
    /// `--metadata-directive COPY|REPLACE`
    pub metadata_directive: Option<String>,
    /// `presign --expires-in` seconds.
    pub expires_in: Option<u64>,
    /// `website --index-document`
    pub index_document: Option<String>,
    /// `website --error-document`
    pub error_document: Option<String>,
    /// `--page-size` (the list calls' MaxKeys).
    pub page_size: Option<u64>,
    /// `--request-payer`
    pub request_payer: bool,
    /// `--region`
    pub region: Option<String>,
    /// `mb --tags KEY VALUE` (repeatable).
    pub tags: Vec<(String, String)>,
    /// `--include` / `--exclude` filters given.
    pub filters: Vec<String>,
    /// `ls --bucket-name-prefix`
    pub bucket_name_prefix: Option<String>,
    /// Accepted options without effect on IAM requests.
    pub ignored: Vec<String>,
}

/// A parsed `aws s3` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Command {
    /// The command as given.
    pub text: String,
    /// The subcommand.
    pub verb: Verb,
    /// Its path arguments.
    pub paths: Vec<PathArg>,
    /// Its options.
    pub options: Options,
}

/// Why a command could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

fn err(message: impl Into<String>, hint: impl Into<String>) -> CommandError {
    CommandError {
        message: message.into(),
        hint: hint.into(),
    }
}

/// Splits a command line into words: spaces separate, single and double
/// quotes group, a backslash escapes the next character (outside single quotes).
pub fn split_words(s: &str) -> Result<Vec<String>, CommandError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    has = true;
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if quote.is_some() {
        return Err(err(
            "unterminated quote in the command",
            "close the quote, e.g. \"aws s3 cp 'my file.txt' s3://b/k\"",
        ));
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    Ok(words)
}

fn s3_path(rest: &str) -> PathArg {
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    PathArg::S3 {
        bucket: bucket.to_string(),
        key: key.to_string(),
    }
}

fn parse_path(word: &str, verb: Verb) -> PathArg {
    match word.strip_prefix("s3://") {
        Some(rest) => s3_path(rest),
        None if verb.takes_bare_bucket() => s3_path(word),
        None => PathArg::Local(word.to_string()),
    }
}

fn number(opt: &str, v: &str) -> Result<u64, CommandError> {
    v.parse().map_err(|_| {
        err(
            format!("`{opt}` needs a whole number, found `{v}`"),
            format!("e.g. {opt} 3600"),
        )
    })
}

/// Parses `aws s3 VERB ARGS…` (the `aws s3` prefix is required).
pub fn parse(text: &str) -> Result<S3Command, CommandError> {
    let words = split_words(text)?;
    let mut it = words.iter().map(String::as_str).peekable();
    let usage = "write the whole command, e.g. \"aws s3 rb s3://my-bucket --force\"";
    if it.next() != Some("aws") {
        return Err(err("the command must start with `aws s3`", usage));
    }
    match it.next() {
        Some("s3") => {}
        Some("s3api") => {
            return Err(err(
                "`aws s3api` calls one API operation: ask `s3guard can ACTION RESOURCE` instead",
                "can-run understands the high-level `aws s3` commands (ls, mb, rb, cp, mv, rm, sync, presign, website)",
            ))
        }
        _ => return Err(err("the command must start with `aws s3`", usage)),
    }
    let Some(verb_word) = it.next() else {
        return Err(err(
            "`aws s3` needs a subcommand",
            "ls, mb, rb, cp, mv, rm, sync, presign or website, e.g. \"aws s3 ls s3://bucket\"",
        ));
    };
    let Some(verb) = Verb::ALL
        .iter()
        .find(|(n, _)| *n == verb_word)
        .map(|(_, v)| *v)
    else {
        let names: Vec<&str> = Verb::ALL.iter().map(|(n, _)| *n).collect();
        let hint = crate::diagnostic::did_you_mean(verb_word, names.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("known subcommands: {}", names.join(", ")));
        return Err(err(
            format!("`aws s3 {verb_word}` is not an `aws s3` subcommand"),
            hint,
        ));
    };
    let table = verb_options(verb);
    let mut paths = Vec::new();
    let mut o = Options::default();
    while let Some(w) = it.next() {
        if !w.starts_with("--") {
            match parse_path(w, verb) {
                // `aws s3 ls s3://` lists every bucket, as `aws s3 ls` does
                PathArg::S3 { bucket, .. } if bucket.is_empty() && verb == Verb::Ls => {}
                p => paths.push(p),
            }
            continue;
        }
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (w, None),
        };
        let Some((_, arity)) = table.iter().find(|(n, _)| *n == name) else {
            let hint = crate::diagnostic::did_you_mean(name, table.iter().map(|(n, _)| *n))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("see `aws s3 {} help`", verb.name()));
            return Err(err(
                format!("`{name}` is not an option of `aws s3 {}`", verb.name()),
                hint,
            ));
        };
        let mut values: Vec<String> = Vec::new();
        match arity {
            Arity::Flag => {}
            Arity::One => match inline.or_else(|| it.next().map(str::to_string)) {
                Some(v) => values.push(v),
                None => {
                    return Err(err(
                        format!("`{name}` needs a value"),
                        format!("see `aws s3 {} help`", verb.name()),
                    ))
                }
            },
            Arity::Optional => {
                if let Some(v) = inline {
                    values.push(v);
                } else if let Some(v) = it.next_if(|n| {
                    !n.starts_with("--")
                        && !n.starts_with("s3://")
                        && !n.contains('/')
                        && !n.contains('.')
                }) {
                    values.push(v.to_string());
                }
            }
            Arity::Many => {
                values.extend(inline);
                while let Some(v) = it.next_if(|n| !n.starts_with("--")) {
                    values.push(v.to_string());
                }
                if values.is_empty() {
                    return Err(err(
                        format!("`{name}` needs at least one value"),
                        "e.g. --grants read=uri=http://acs.amazonaws.com/groups/global/AllUsers",
                    ));
                }
            }
            Arity::Two => {
                let k = inline.or_else(|| it.next().map(str::to_string));
                let v = it.next().map(str::to_string);
                match (k, v) {
                    (Some(k), Some(v)) => values.extend([k, v]),
                    _ => {
                        return Err(err(
                            format!("`{name}` needs a key and a value"),
                            "e.g. --tags team web",
                        ))
                    }
                }
            }
        }
        let first = values.first().cloned();
        match name {
            "--recursive" => o.recursive = true,
            "--force" => o.force = true,
            "--delete" => o.delete = true,
            "--dryrun" => o.dryrun = true,
            "--no-overwrite" => o.no_overwrite = true,
            "--no-sign-request" => o.no_sign_request = true,
            "--acl" => o.acl = first,
            "--grants" => o.grants.extend(values),
            "--sse" => o.sse = Some(first.unwrap_or_else(|| "AES256".into())),
            "--sse-kms-key-id" => o.sse_kms_key_id = first,
            "--sse-c" => o.sse_c = Some(first.unwrap_or_else(|| "AES256".into())),
            "--storage-class" => o.storage_class = first,
            "--copy-props" => o.copy_props = first,
            "--metadata-directive" => o.metadata_directive = first,
            "--expires-in" => o.expires_in = Some(number(name, &first.unwrap_or_default())?),
            "--index-document" => o.index_document = first,
            "--error-document" => o.error_document = first,
            "--page-size" => o.page_size = Some(number(name, &first.unwrap_or_default())?),
            "--request-payer" => o.request_payer = true,
            "--region" => o.region = first,
            "--tags" => {
                if let [k, v] = values.as_slice() {
                    o.tags.push((k.clone(), v.clone()));
                }
            }
            "--include" | "--exclude" => o
                .filters
                .push(format!("{name} {}", first.unwrap_or_default())),
            "--bucket-name-prefix" => o.bucket_name_prefix = first,
            other => o.ignored.push(other.to_string()),
        }
    }
    let cmd = S3Command {
        text: text.trim().to_string(),
        verb,
        paths,
        options: o,
    };
    validate(&cmd)?;
    Ok(cmd)
}

fn s3_count(paths: &[PathArg]) -> usize {
    paths
        .iter()
        .filter(|p| matches!(p, PathArg::S3 { .. }))
        .count()
}

fn validate(c: &S3Command) -> Result<(), CommandError> {
    let v = c.verb.name();
    let n = c.paths.len();
    let help = format!("see `aws s3 {v} help`");
    for p in &c.paths {
        if let PathArg::S3 { bucket, .. } = p {
            if bucket.is_empty() {
                return Err(err(
                    "an s3:// path has no bucket name",
                    "write s3://BUCKET/KEY",
                ));
            }
        }
    }
    let want = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(err(format!("`aws s3 {v}` takes {what}"), help.clone()))
        }
    };
    match c.verb {
        Verb::Ls => want(n <= 1, "at most one s3:// path"),
        Verb::Mb | Verb::Rb | Verb::Website => {
            want(n == 1 && s3_count(&c.paths) == 1, "one s3://BUCKET path")?;
            match c.paths.first() {
                Some(PathArg::S3 { key, .. }) if !key.is_empty() => Err(err(
                    format!("`aws s3 {v}` takes a bucket, not an object path"),
                    "write s3://BUCKET",
                )),
                _ => Ok(()),
            }
        }
        Verb::Rm => {
            want(n == 1 && s3_count(&c.paths) == 1, "one s3:// path")?;
            match c.paths.first() {
                Some(PathArg::S3 { key, .. }) if key.is_empty() && !c.options.recursive => Err(err(
                    "`aws s3 rm s3://BUCKET` needs a key, or --recursive to delete every object",
                    "e.g. aws s3 rm s3://bucket/key, or aws s3 rm s3://bucket --recursive",
                )),
                _ => Ok(()),
            }
        }
        Verb::Presign => {
            want(
                n == 1 && s3_count(&c.paths) == 1,
                "one s3://BUCKET/KEY path",
            )?;
            match c.paths.first() {
                Some(PathArg::S3 { key, .. }) if key.is_empty() => Err(err(
                    "`aws s3 presign` needs an object key",
                    "write s3://BUCKET/KEY",
                )),
                _ if c.options.expires_in.is_some_and(|e| e > 604_800) => Err(err(
                    "`--expires-in` is at most 604800 seconds (7 days) for SigV4 presigned URLs",
                    "e.g. --expires-in 3600",
                )),
                _ => Ok(()),
            }
        }
        Verb::Cp | Verb::Mv | Verb::Sync => {
            want(n == 2, "a source and a destination")?;
            if s3_count(&c.paths) == 0 {
                return Err(err(
                    format!("`aws s3 {v}` needs at least one s3:// path"),
                    "e.g. aws s3 cp ./a.txt s3://bucket/a.txt",
                ));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_with_quotes() {
        assert_eq!(
            split_words(r#"aws s3 cp "my file.txt" 's3://b/a b'"#).unwrap(),
            ["aws", "s3", "cp", "my file.txt", "s3://b/a b"]
        );
        assert!(split_words("aws s3 cp 'x").is_err());
    }

    #[test]
    fn parses_rb_force() {
        let c = parse("aws s3 rb s3://another-test-bucket --force").unwrap();
        assert_eq!(c.verb, Verb::Rb);
        assert!(c.options.force);
        assert_eq!(
            c.paths,
            [PathArg::S3 {
                bucket: "another-test-bucket".into(),
                key: String::new()
            }]
        );
    }

    /// awscli `customizations/s3/subcommands.py`: `ls`, `website` and
    /// `presign` strip an optional `s3://` from their path (the seed
    /// tutorial's `aws s3 ls another-test-bucket`); `ls s3://` lists buckets.
    #[test]
    fn ls_website_and_presign_take_a_bare_bucket() {
        for (text, bucket, key) in [
            ("aws s3 ls another-test-bucket", "another-test-bucket", ""),
            (
                "aws s3 ls another-test-bucket/logs/",
                "another-test-bucket",
                "logs/",
            ),
            (
                "aws s3 website my-site --index-document index.html",
                "my-site",
                "",
            ),
            (
                "aws s3 website s3://my-site/ --index-document index.html",
                "my-site",
                "",
            ),
            ("aws s3 presign b/report.pdf", "b", "report.pdf"),
        ] {
            let c = parse(text).unwrap();
            assert_eq!(
                c.paths,
                [PathArg::S3 {
                    bucket: bucket.into(),
                    key: key.into()
                }],
                "{text}"
            );
        }
        assert!(parse("aws s3 ls s3://").unwrap().paths.is_empty());
        // mb, rb and rm require s3:// (the CLI: "Invalid argument type")
        for text in ["aws s3 mb b", "aws s3 rb b", "aws s3 rm b/k"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn parses_options_with_values() {
        let c = parse("aws s3 cp a.txt s3://b/a.txt --acl public-read --sse --storage-class STANDARD_IA --grants read=uri=x full=id=y").unwrap();
        assert_eq!(c.options.acl.as_deref(), Some("public-read"));
        assert_eq!(c.options.sse.as_deref(), Some("AES256"));
        assert_eq!(c.options.storage_class.as_deref(), Some("STANDARD_IA"));
        assert_eq!(c.options.grants, ["read=uri=x", "full=id=y"]);
        let c = parse("aws s3 cp a.txt s3://b/a.txt --sse aws:kms --sse-kms-key-id arn:aws:kms:us-east-1:111122223333:key/k").unwrap();
        assert_eq!(c.options.sse.as_deref(), Some("aws:kms"));
        let c =
            parse("aws s3 mb s3://b --tags team web --tags env prod --region eu-west-1").unwrap();
        assert_eq!(c.options.tags.len(), 2);
        assert_eq!(c.options.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn rejects_what_the_cli_rejects() {
        for (cmd, needle) in [
            ("aws s3 rmm s3://b/k", "did you mean `rm`"),
            ("aws s3 cp a b", "at least one s3://"),
            ("aws s3 rb s3://b/k", "bucket, not an object"),
            (
                "aws s3 cp a s3://b/k --recursiv",
                "did you mean `--recursive`",
            ),
            ("aws s3 presign s3://b", "needs an object key"),
            ("s3 ls", "must start with `aws s3`"),
            ("aws s3api get-object", "s3guard can"),
            ("aws s3 presign s3://b/k --expires-in soon", "whole number"),
        ] {
            let e = parse(cmd).unwrap_err();
            assert!(
                format!("{} {}", e.message, e.hint).contains(needle),
                "{cmd}: {e:?}"
            );
        }
    }
}
