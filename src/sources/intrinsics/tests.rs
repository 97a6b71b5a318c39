//! Unit tests of the parent module.

use crate::sources::{Params, Source};
use crate::{Decision, PolicySet, Request};

/// The `Resource` of the only statement of policy `P` of a template.
fn resource(template: &str, params: &[(&str, &str)]) -> Result<String, String> {
    let mut p = Params::default();
    for (k, v) in params {
        p.set(*k, *v);
    }
    let s = Source::from_text("t.yaml", template).map_err(|e| e.to_string())?;
    let sel = s.select(Some("P"), &p, false).map_err(|e| e.to_string())?;
    let st = &sel[0].policy.statements[0];
    Ok(st.resource.patterns()[0].as_str().to_string())
}

fn with(resource: &str) -> String {
    format!(
            "Parameters:\n  Env: {{Type: String, Default: prod}}\n  Names: {{Type: CommaDelimitedList, Default: 'a,b,c'}}\nMappings:\n  Buckets: {{prod: {{name: prod-data}}, dev: {{name: dev-data}}}}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n  NotProd: !Not [!Condition IsProd]\nResources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:GetObject\n            Resource: {resource}\n"
        )
}

#[test]
fn functions_resolve_as_cloudformation_does() {
    let cases = [
        (
            "!Sub 'arn:${AWS::Partition}:s3:::${Env}-${!Literal}/*'",
            "arn:aws:s3:::prod-${Literal}/*",
        ),
        (
            "!Sub ['arn:aws:s3:::${B}/*', {B: !Ref Env}]",
            "arn:aws:s3:::prod/*",
        ),
        (
            "!Join ['', ['arn:aws:s3:::', !Select [1, !Ref Names], /*]]",
            "arn:aws:s3:::b/*",
        ),
        (
            "!Join ['', ['arn:aws:s3:::', !Select [2, !Split [',', 'x,y,z']]]]",
            "arn:aws:s3:::z",
        ),
        (
            "!If [IsProd, 'arn:aws:s3:::p/*', 'arn:aws:s3:::d/*']",
            "arn:aws:s3:::p/*",
        ),
        (
            "!If [NotProd, 'arn:aws:s3:::d/*', 'arn:aws:s3:::p/*']",
            "arn:aws:s3:::p/*",
        ),
        (
            "!Sub ['arn:aws:s3:::${N}/*', {N: !FindInMap [Buckets, !Ref Env, name]}]",
            "arn:aws:s3:::prod-data/*",
        ),
    ];
    for (expr, want) in cases {
        assert_eq!(resource(&with(expr), &[]).as_deref(), Ok(want), "{expr}");
    }
    // --param overrides a Default, and the partition follows the region
    assert_eq!(
        resource(
            &with("!Sub 'arn:${AWS::Partition}:s3:::${Env}/*'"),
            &[("Env", "dev"), ("AWS::Region", "cn-north-1")]
        )
        .as_deref(),
        Ok("arn:aws-cn:s3:::dev/*")
    );
}

#[test]
fn unknown_functions_and_values_are_reported_not_guessed() {
    for (expr, says) in [
        (
            "!ImportValue shared-bucket",
            "`Fn::ImportValue` is another stack's export",
        ),
        (
            "!Sub 'arn:aws:s3:::${AWS::Region}-data/*'",
            "`AWS::Region` depends on where the stack is deployed",
        ),
        (
            "!Ref Nothing",
            "`Ref` to `Nothing`, which is neither a parameter nor a resource",
        ),
        (
            "!If [Missing, a, b]",
            "condition `Missing` is not in the template",
        ),
    ] {
        let e = resource(&with(expr), &[]).unwrap_err();
        assert!(e.contains(says), "{expr}: {e}");
        assert!(
            e.contains("t.yaml:18:2"),
            "located on the line of the expression: {e}"
        );
    }
}

#[test]
fn role_arns_come_from_names_paths_and_the_account() {
    let t = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: app, Path: /svc/}\n  B:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: b\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: !GetAtt R.Arn}\n            Action: s3:GetObject\n            Resource: arn:aws:s3:::b/*\n";
    let s = Source::from_text("t.yaml", t).unwrap();
    let e = s.select(Some("B"), &Params::default(), false).unwrap_err();
    assert!(e.to_string().contains("--param AWS::AccountId="), "{e}");
    let mut p = Params::default();
    p.set("AWS::AccountId", "111122223333");
    let sel = s.select(Some("b"), &p, false).unwrap();
    let set = PolicySet::builder().resource(sel[0].policy.clone()).build();
    let req = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
        .unwrap()
        .with_principal("arn:aws:sts::111122223333:assumed-role/app/s")
        .unwrap()
        .with_context("aws:PrincipalArn", "arn:aws:iam::111122223333:role/svc/app");
    assert_eq!(set.authorize(&req).decision, Decision::Allowed);
}
