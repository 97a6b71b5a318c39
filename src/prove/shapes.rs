//! Shapes of ARNs: the resource types AWS sends for each action (as
//! `s3guard can` infers them, spec M-5), and the ARNs and values worth
//! showing first in a witness.

use super::automaton::{Class, Tok};
use super::lang::{arn_valid, Lang};
use crate::catalog::S3_RESOURCE_PREFIXES;

/// Strings of a request part that are worth showing first in a witness,
/// most specific first; the last preference is always the language itself.
pub(crate) fn nice_arns(account: Option<&str>) -> Vec<Lang> {
    let not_ugly = || {
        Lang::Or(vec![
            Lang::contains("//"),
            Lang::contains(":/"),
            Lang::seq(vec![Tok::Star(Class::Any), Tok::Lit('/')]),
            Lang::seq(vec![Tok::Star(Class::Any), Tok::Lit(':')]),
        ])
        .not()
    };
    let aws = || Lang::prefix("arn:aws:");
    let mut accounts = vec!["", "111122223333"];
    if let Some(a) = account {
        accounts.insert(1, a);
    }
    // arn:aws:SERVICE:REGION:ACCOUNT:… with a usual region and account
    let mut shaped = Vec::new();
    for region in ["", "us-east-1"] {
        for acct in &accounts {
            let mut t: Vec<Tok> = "arn:aws:".chars().map(Tok::Lit).collect();
            t.push(Tok::Star(Class::no_colon()));
            t.push(Tok::Lit(':'));
            t.extend(region.chars().map(Tok::Lit));
            t.push(Tok::Lit(':'));
            t.extend(acct.chars().map(Tok::Lit));
            t.push(Tok::Lit(':'));
            t.push(Tok::Star(Class::Any));
            shaped.push(t);
        }
    }
    vec![
        Lang::And(vec![Lang::Seqs(shaped), not_ugly()]),
        Lang::And(vec![aws(), not_ugly()]),
        not_ugly(),
        aws(),
    ]
}

/// Non-empty strings first (condition values, actions).
pub(crate) fn nice_strings() -> Vec<Lang> {
    vec![Lang::seq(vec![Tok::One(Class::Any), Tok::Star(Class::Any)])]
}

/// The ARNs of a resource type as `s3guard can` infers it from the ARN's
/// shape (`catalog::resource_type_of`, spec M-5): the request space of an
/// action is the ARNs of the types the catalog lists for it.
pub(crate) fn resource_type(name: &str) -> Lang {
    let nc = || Tok::Star(Class::no_colon());
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:REST with the given parts
    let arn = |service: &str, region: Vec<Tok>, account: Vec<Tok>, rest: Vec<Tok>| {
        let mut t: Vec<Tok> = "arn:".chars().map(Tok::Lit).collect();
        t.push(nc());
        t.push(Tok::Lit(':'));
        t.extend(service.chars().map(Tok::Lit));
        t.push(Tok::Lit(':'));
        t.extend(region);
        t.push(Tok::Lit(':'));
        t.extend(account);
        t.push(Tok::Lit(':'));
        t.extend(rest);
        Lang::seq(t)
    };
    let any_seg = || vec![nc()];
    let nonempty = || vec![Tok::One(Class::no_colon()), nc()];
    let rest_prefix = |p: &str| {
        let mut t: Vec<Tok> = p.chars().map(Tok::Lit).collect();
        t.push(Tok::Star(Class::Any));
        t
    };
    let s3_plain = |rest: Vec<Tok>| arn("s3", vec![], vec![], rest);
    let s3_any = |rest: Vec<Tok>| arn("s3", any_seg(), any_seg(), rest);
    // s3 ARNs with a region or an account: access points, jobs, …
    let s3_located = |rest: Vec<Tok>| {
        Lang::And(vec![
            s3_any(rest),
            s3_plain(vec![Tok::Star(Class::Any)]).not(),
        ])
    };
    let ap = || rest_prefix("accesspoint/");
    let ap_object = || {
        let mut t: Vec<Tok> = "accesspoint/".chars().map(Tok::Lit).collect();
        t.push(Tok::Star(Class::Any));
        t.extend("/object/".chars().map(Tok::Lit));
        t.push(Tok::Star(Class::Any));
        t
    };
    let prefixes = S3_RESOURCE_PREFIXES;
    let mut langs: Vec<Lang> = Vec::new();
    match name {
        "object" => langs.push(s3_plain(vec![
            Tok::Star(Class::Any),
            Tok::Lit('/'),
            Tok::Star(Class::Any),
        ])),
        "bucket" => {
            langs.push(s3_plain(vec![Tok::Star(Class::Except(vec!['/']))]));
            langs.push(arn(
                "s3express",
                any_seg(),
                any_seg(),
                rest_prefix("bucket/"),
            ));
        }
        "multiregionaccesspoint" => langs.push(Lang::And(vec![
            s3_located(ap()),
            arn("s3", vec![], any_seg(), ap()),
        ])),
        "accesspointobject" => langs.push(Lang::And(vec![
            s3_located(ap_object()),
            arn("s3", nonempty(), any_seg(), ap_object()),
        ])),
        "accesspoint" => {
            langs.push(Lang::And(vec![
                s3_located(ap()),
                arn("s3", nonempty(), any_seg(), ap()),
                s3_any(ap_object()).not(),
            ]));
            langs.push(Lang::And(vec![
                arn("s3express", any_seg(), any_seg(), ap()),
                arn("s3express", any_seg(), any_seg(), rest_prefix("bucket/")).not(),
            ]));
        }
        "objectlambdaaccesspoint" => {
            langs.push(arn("s3-object-lambda", any_seg(), any_seg(), ap()));
        }
        _ => {
            if let Some(pos) = prefixes.iter().position(|(_, n)| *n == name) {
                let mut parts = vec![s3_located(vec![Tok::Star(Class::Any)]), s3_any(ap()).not()];
                for (i, (p, _)) in prefixes.iter().enumerate() {
                    if i < pos {
                        parts.push(s3_any(rest_prefix(p)).not());
                    } else if i == pos {
                        parts.push(s3_any(rest_prefix(p)));
                    }
                }
                langs.push(Lang::And(parts));
            }
        }
    }
    if langs.is_empty() {
        Lang::Empty
    } else {
        Lang::And(vec![Lang::Or(langs), arn_valid()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::ArnRef;
    use crate::prove::alphabet::Alphabet;
    use crate::prove::automaton::Dfa;

    #[test]
    fn resource_types_agree_with_the_catalog_inference_spec_m5() {
        let samples = [
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b/k:x",
            "arn:aws:s3:::",
            "arn:aws:s3:us-east-1:111:accesspoint/ap",
            "arn:aws:s3:us-east-1:111:accesspoint/ap/object/k",
            "arn:aws:s3::111:accesspoint/m.mrap",
            "arn:aws:s3::111:accesspoint/m/object/k",
            "arn:aws:s3:us-east-1::accesspoint/ap",
            "arn:aws:s3:us-east-1:111:job/j",
            "arn:aws:s3:us-east-1:111:storage-lens/c",
            "arn:aws:s3:us-east-1:111:storage-lens-group/g",
            "arn:aws:s3:us-east-1:111:access-grants/default",
            "arn:aws:s3:us-east-1:111:access-grants/default/location/l",
            "arn:aws:s3:us-east-1:111:access-grants/default/grant/g",
            "arn:aws:s3:us-east-1:111:access-grants/defaultx",
            "arn:aws:s3:us-west-2:111:async-request/mrap/op/t",
            "arn:aws:s3:us-east-1:111:other/x",
            "arn:aws:s3express:us-west-2:111:bucket/b--usw2-az1--x-s3",
            "arn:aws:s3express:us-west-2:111:accesspoint/a",
            "arn:aws:s3express:us-west-2:111:other",
            "arn:aws:s3-object-lambda:us-east-1:111:accesspoint/o",
            "arn:aws:ec2:us-east-1:111:instance/i",
            "arn:aws:s3:x::b/k",
        ];
        let names = [
            "object",
            "bucket",
            "accesspoint",
            "accesspointobject",
            "multiregionaccesspoint",
            "job",
            "storagelensconfiguration",
            "storagelensgroup",
            "accessgrantsinstance",
            "accessgrantslocation",
            "accessgrant",
            "multiregionaccesspointrequestarn",
            "objectlambdaaccesspoint",
        ];
        let langs: Vec<Lang> = names.iter().map(|n| resource_type(n)).collect();
        let mut cs: Vec<char> = samples.iter().flat_map(|s| s.chars()).collect();
        for l in &langs {
            l.chars(&mut cs);
        }
        let alpha = Alphabet::new(cs);
        let dfas: Vec<Dfa> = langs.iter().map(|l| l.compile(&alpha).unwrap()).collect();
        for s in samples {
            let want = crate::catalog::resource_type_of(ArnRef::parse(s).unwrap());
            for (n, d) in names.iter().zip(&dfas) {
                assert_eq!(
                    d.accepts(&alpha.encode(s)),
                    want == Some(*n),
                    "{s} as {n} (catalog says {want:?})"
                );
            }
        }
    }
}
