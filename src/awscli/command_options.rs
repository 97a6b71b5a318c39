//! The options of each `aws s3` subcommand and how many values they take
//! (AWS CLI v2 reference pages), global options included.

use super::command::Verb;

/// How many values an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arity {
    Flag,
    One,
    Optional,
    Many,
    Two,
}

const GLOBAL: &[(&str, Arity)] = &[
    ("--region", Arity::One),
    ("--profile", Arity::One),
    ("--endpoint-url", Arity::One),
    ("--debug", Arity::Flag),
    ("--no-verify-ssl", Arity::Flag),
    ("--no-paginate", Arity::Flag),
    ("--output", Arity::One),
    ("--query", Arity::One),
    ("--color", Arity::One),
    ("--no-sign-request", Arity::Flag),
    ("--ca-bundle", Arity::One),
    ("--cli-read-timeout", Arity::One),
    ("--cli-connect-timeout", Arity::One),
    ("--cli-binary-format", Arity::One),
    ("--no-cli-pager", Arity::Flag),
];

const TRANSFER: &[(&str, Arity)] = &[
    ("--dryrun", Arity::Flag),
    ("--quiet", Arity::Flag),
    ("--include", Arity::One),
    ("--exclude", Arity::One),
    ("--acl", Arity::One),
    ("--follow-symlinks", Arity::Flag),
    ("--no-follow-symlinks", Arity::Flag),
    ("--no-guess-mime-type", Arity::Flag),
    ("--sse", Arity::Optional),
    ("--sse-c", Arity::Optional),
    ("--sse-c-key", Arity::One),
    ("--sse-kms-key-id", Arity::One),
    ("--sse-c-copy-source", Arity::Optional),
    ("--sse-c-copy-source-key", Arity::One),
    ("--storage-class", Arity::One),
    ("--grants", Arity::Many),
    ("--website-redirect", Arity::One),
    ("--content-type", Arity::One),
    ("--cache-control", Arity::One),
    ("--content-disposition", Arity::One),
    ("--content-encoding", Arity::One),
    ("--content-language", Arity::One),
    ("--expires", Arity::One),
    ("--source-region", Arity::One),
    ("--only-show-errors", Arity::Flag),
    ("--no-progress", Arity::Flag),
    ("--page-size", Arity::One),
    ("--ignore-glacier-warnings", Arity::Flag),
    ("--force-glacier-transfer", Arity::Flag),
    ("--request-payer", Arity::Optional),
    ("--checksum-mode", Arity::One),
    ("--checksum-algorithm", Arity::One),
    ("--metadata", Arity::One),
    ("--copy-props", Arity::One),
    ("--metadata-directive", Arity::One),
    ("--no-overwrite", Arity::Flag),
];

/// The options a subcommand accepts (AWS CLI v2 `aws s3 VERB help`), global ones included.
pub(super) fn verb_options(verb: Verb) -> Vec<(&'static str, Arity)> {
    let mut v: Vec<(&str, Arity)> = Vec::new();
    match verb {
        Verb::Ls => v.extend([
            ("--recursive", Arity::Flag),
            ("--page-size", Arity::One),
            ("--human-readable", Arity::Flag),
            ("--summarize", Arity::Flag),
            ("--request-payer", Arity::Optional),
            ("--bucket-name-prefix", Arity::One),
            ("--bucket-region", Arity::One),
        ]),
        Verb::Mb => v.push(("--tags", Arity::Two)),
        Verb::Rb => v.push(("--force", Arity::Flag)),
        Verb::Cp | Verb::Mv => {
            v.extend_from_slice(TRANSFER);
            v.extend([
                ("--recursive", Arity::Flag),
                ("--expected-size", Arity::One),
            ]);
            if verb == Verb::Mv {
                v.push(("--validate-same-s3-paths", Arity::Flag));
            }
        }
        Verb::Sync => {
            v.extend_from_slice(TRANSFER);
            v.extend([
                ("--delete", Arity::Flag),
                ("--exact-timestamps", Arity::Flag),
                ("--size-only", Arity::Flag),
            ]);
        }
        Verb::Rm => v.extend([
            ("--dryrun", Arity::Flag),
            ("--quiet", Arity::Flag),
            ("--recursive", Arity::Flag),
            ("--request-payer", Arity::Optional),
            ("--include", Arity::One),
            ("--exclude", Arity::One),
            ("--only-show-errors", Arity::Flag),
            ("--page-size", Arity::One),
        ]),
        Verb::Presign => v.push(("--expires-in", Arity::One)),
        Verb::Website => v.extend([
            ("--index-document", Arity::One),
            ("--error-document", Arity::One),
        ]),
    }
    v.extend_from_slice(GLOBAL);
    v
}
