//! Properties: on generated account dumps, `who-can` lists whom `can`
//! allows, for a concrete question and for patterns (issue 16).

use proptest::prelude::*;
use s3guard::access::{self, Access, AccountModel, Analysis, BucketPolicy, Question};
use s3guard::sources::{NamedPolicy, Params, Source};
use s3guard::{Decision, PolicySet, PolicyType, RequestBuilder};

use super::{account, analysis_of, ACCOUNT, BUCKET_POLICY};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Invariant: for every user and role, who-can lists it as `allowed`
    /// only if `can` (the `--policy-from DUMP --select ARN` set, the same
    /// bucket policy, the same request defaults) allows, and lists it at
    /// all whenever `can` allows. Without conditions, listed ⇔ allowed.
    #[test]
    fn who_can_agrees_with_can_principal_by_principal(dump in account(), with_bucket in any::<bool>()) {
        let source = Source::from_text("acct.json", &dump).unwrap();
        let model = AccountModel::from_dumps(&[("acct.json".into(), source.account_dump(false).unwrap())]).unwrap();
        let bucket = s3guard::Policy::parse_as("bucket.json", BUCKET_POLICY, s3guard::LoadOptions::new(PolicyType::Resource)).unwrap();
        let mut analysis = Analysis { model, ..Analysis::default() };
        if with_bucket {
            analysis.buckets.push(BucketPolicy {
                bucket: "prod".into(),
                policy: NamedPolicy { name: "bucket.json".into(), policy: bucket.clone().into() },
            });
        }
        let q = Question::new("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
        let answer = access::who_can(&analysis, &q, None).unwrap();
        for p in analysis.model.principals() {
            let mut b = PolicySet::builder();
            for s in source.select(Some(&p.arn), &Params::default(), false).unwrap() {
                b = match s.layer {
                    PolicyType::Boundary => b.boundary(s.policy),
                    _ => b.identity(s.policy),
                };
            }
            if with_bucket {
                b = b.resource(bucket.clone());
            }
            let set = b.build();
            let req = RequestBuilder::new()
                .principal(p.arn.clone())
                .principal_tag("team=t")
                .resource_account(ACCOUNT)
                .build("s3:DeleteBucket", "arn:aws:s3:::prod")
                .unwrap();
            let can = set.authorize(&req).decision == Decision::Allowed;
            let listed = answer.principals.iter().find(|e| e.principal == p.arn);
            if can {
                prop_assert!(listed.is_some(), "can allows {} but who-can does not list it", p.arn);
            }
            if let Some(e) = listed {
                if e.grant.access == Access::Allowed {
                    prop_assert!(can, "who-can says {} is allowed, can does not", p.arn);
                }
            }
            if !dump.contains("Condition") {
                prop_assert_eq!(listed.is_some(), can, "{}", p.arn);
            }
            // A conditional principal's key values are a request `can`
            // allows: the same set, the same defaults, those values.
            if let Some(e) = listed.filter(|e| e.grant.access == Access::Conditional) {
                let mut b = RequestBuilder::new()
                    .principal(p.arn.clone())
                    .principal_tag("team=t")
                    .resource_account(ACCOUNT);
                for k in &e.grant.keys {
                    if let Some(v) = &k.value {
                        for x in v.values() {
                            b = b.context_entry(format!("{}={x}", k.key));
                        }
                    }
                }
                let req = b.build("s3:DeleteBucket", "arn:aws:s3:::prod").unwrap();
                prop_assert_eq!(
                    set.authorize(&req).decision,
                    Decision::Allowed,
                    "{} with {:?}",
                    &p.arn,
                    &e.grant.keys
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Invariant for patterns (principals share an answer when the
    /// statements whose resources can overlap the pattern are the same):
    /// whoever `can` allows `s3:DeleteBucket` or `s3:DeleteObject` on a
    /// bucket the pattern matches is listed, and every listed principal's
    /// witness is a request the pattern covers that `can` allows for it.
    #[test]
    fn who_can_with_patterns_agrees_with_can(dump in account()) {
        let a = analysis_of(&dump);
        let q = Question::new("s3:Delete*", "arn:aws:s3:::prod*").unwrap();
        let answer = access::who_can(&a, &q, None).unwrap();
        for p in a.model.principals() {
            let ps = a.principal_set(p, None);
            let base = a.base_request(&p.arn, &p.tags).unwrap();
            let can = |action: &str, resource: &str, extra: &[(String, String)]| {
                let mut req = base.clone();
                req.action = s3guard::matcher::Action::parse(action).unwrap();
                req.resource = s3guard::matcher::Resource::parse(resource).unwrap();
                for (k, v) in extra {
                    req.context.set(k, v.clone(), s3guard::Origin::Given);
                }
                ps.set.authorize(&req).decision == Decision::Allowed
            };
            let listed = answer.principals.iter().find(|e| e.principal == p.arn);
            if can("s3:DeleteBucket", "arn:aws:s3:::prod", &[]) || can("s3:DeleteObject", "arn:aws:s3:::prod/k", &[]) {
                prop_assert!(listed.is_some(), "{} can delete in prod but is not listed", &p.arn);
            }
            if let Some(w) = listed.and_then(|e| e.grant.witness.as_ref()) {
                prop_assert!(w.resource.starts_with("arn:aws:s3:::prod"), "{:?}", w);
                prop_assert!(w.action.starts_with("s3:Delete"), "{:?}", w);
                let extra: Vec<(String, String)> = w.args.windows(2)
                    .filter(|x| x[0] == "--context")
                    .filter_map(|x| x[1].split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
                    .collect();
                prop_assert!(can(&w.action, &w.resource, &extra), "{}: witness {:?} is not allowed", &p.arn, w);
            }
        }
    }
}
