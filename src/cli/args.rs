//! Argument groups shared by several subcommands.

use clap::{Args, ValueEnum};

use crate::request::builder::RequestBuilder;

/// The prover's budget (`prove`, and `cannot` cases of `test`).
#[derive(Debug, Clone, Copy, Args)]
pub struct LimitArgs {
    /// Memory the prover's automata may hold at once, in MiB; a proof that
    /// needs more ends "cannot decide within limits" (exit 3).
    #[arg(long = "max-memory", value_name = "MIB", default_value_t = (crate::prove::DEFAULT_MEMORY >> 20) as u64,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub max_memory: u64,
    /// Seconds one proof may run; past them it ends "cannot decide within
    /// limits" (exit 3).
    #[arg(long = "timeout", value_name = "SECONDS", default_value_t = crate::prove::DEFAULT_TIME.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
}

impl LimitArgs {
    /// The prover's limits.
    pub fn limits(&self) -> crate::prove::Limits {
        crate::prove::Limits {
            memory: usize::try_from(self.max_memory.saturating_mul(1 << 20)).unwrap_or(usize::MAX),
            time: Some(std::time::Duration::from_secs(self.timeout)),
        }
    }
}

/// The policies of a request, by layer.
#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    /// Identity-based policy of the caller (repeatable; `-` reads stdin). AWS
    /// CLI output (get-policy-version, get-role-policy, …) is unwrapped.
    #[arg(long = "policy", short = 'p', value_name = "FILE")]
    pub identity: Vec<String>,
    /// Bucket policy of the resource's bucket (resource-based policy).
    #[arg(
        long = "bucket-policy",
        visible_alias = "resource-policy",
        value_name = "FILE"
    )]
    pub bucket: Vec<String>,
    /// Permissions boundary of the caller (repeatable: a union).
    #[arg(long = "boundary", value_name = "FILE")]
    pub boundary: Vec<String>,
    /// Session policy of the caller's session (repeatable: a union).
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session: Vec<String>,
    /// SCPs of one organization level, root first, account last: one flag
    /// per level, several files of a level separated by commas.
    #[arg(long = "scp", value_name = "FILE[,FILE…]")]
    pub scp: Vec<String>,
    /// RCPs of one organization level (as --scp). RCPFullAWSAccess is
    /// implicit at every level.
    #[arg(long = "rcp", value_name = "FILE[,FILE…]")]
    pub rcp: Vec<String>,
    /// The caller's account is the organization's management account (SCPs do not apply).
    #[arg(long)]
    pub management_account: bool,
    /// The resource's account is the management account (RCPs do not apply).
    #[arg(long)]
    pub resource_in_management_account: bool,
    /// How NotPrincipal excludes callers (spec E-9).
    #[arg(long = "notprincipal", value_enum, default_value_t = NotPrincipalArg::Strict)]
    pub not_principal: NotPrincipalArg,
    /// An S3 canonical user id and the account (or CloudFront origin access
    /// identity ARN) it stands for, for CanonicalUser principals.
    #[arg(long = "canonical-id", value_name = "ID=ACCOUNT|OAI_ARN")]
    pub canonical_ids: Vec<String>,
    /// Treat NotPrincipal with Allow as an error.
    #[arg(long)]
    pub strict: bool,
    /// Evaluate despite invalid statements: they are skipped and reported
    /// as warnings (JSON syntax errors still stop).
    #[arg(long)]
    pub lenient: bool,
    /// Take policies from a Terraform plan (`terraform show -json`), a
    /// CloudFormation or `cdk synth` template (JSON or YAML), or `aws iam
    /// get-account-authorization-details` output (repeatable).
    #[arg(long = "policy-from", value_name = "FILE")]
    pub policy_from: Vec<String>,
    /// What to take from --policy-from files: a policy, a role, user or group
    /// (its identity policies and boundary), a bucket's policy, by Terraform
    /// address, template logical id or CDK path, IAM name or ARN. Repeatable;
    /// `FILE#NAME` picks from one file. Without it, a file's only policy.
    #[arg(long = "select", value_name = "NAME", requires = "policy_from")]
    pub select: Vec<String>,
    /// A value a template leaves open: a parameter, a pseudo parameter
    /// (AWS::AccountId), a resource's name (MyBucket) or attribute (MyBucket.Arn).
    #[arg(long = "param", value_name = "NAME=VALUE", requires = "policy_from")]
    pub params: Vec<String>,
    /// Policy of the VPC endpoint the request goes through (applies when the
    /// request carries aws:SourceVpce, e.g. with --vpce ID).
    #[arg(long = "vpce-policy", value_name = "FILE")]
    pub vpce_policies: Vec<String>,
    /// The type of that VPC endpoint: in a gateway endpoint's policy an
    /// account principal ("111122223333") names the account's root user only.
    #[arg(long = "vpce-type", value_enum, default_value_t = VpceTypeArg::Interface)]
    pub vpce_type: VpceTypeArg,
    /// S3 Block Public Access: all four settings on, for the bucket or its
    /// account (spec E-19; AWS applies the most restrictive combination of
    /// the two levels, so either is said the same way).
    #[arg(long = "block-public-access")]
    pub block_public_access: bool,
    /// The S3 access point the request goes through.
    #[command(flatten)]
    pub access_point: AccessPointArgs,
    /// Block Public Access BlockPublicAcls: PUTs that carry a public ACL
    /// (public-read, public-read-write, authenticated-read, or a grant to
    /// AllUsers or AuthenticatedUsers) are refused.
    #[arg(long = "block-public-acls")]
    pub block_public_acls: bool,
    /// Block Public Access IgnorePublicAcls: public ACL grants are ignored.
    #[arg(long = "ignore-public-acls")]
    pub ignore_public_acls: bool,
    /// Block Public Access BlockPublicPolicy: s3:PutBucketPolicy is refused
    /// when the new policy (--new-bucket-policy) is public.
    #[arg(long = "block-public-policy")]
    pub block_public_policy: bool,
    /// Block Public Access RestrictPublicBuckets: a public bucket policy
    /// grants only to the bucket owner's account and to AWS services.
    #[arg(long = "restrict-public-buckets")]
    pub restrict_public_buckets: bool,
    /// The bucket policy an s3:PutBucketPolicy request puts (for
    /// BlockPublicPolicy; not evaluated otherwise).
    #[arg(long = "new-bucket-policy", value_name = "FILE")]
    pub new_bucket_policy: Option<String>,
    /// The account that owns the object, when another account wrote it
    /// (ACLs enabled): the bucket policy then grants nothing on it.
    #[arg(long = "object-owner", value_name = "ACCOUNT")]
    pub object_owner: Option<String>,
    /// The object's ACL: a canned ACL (public-read, bucket-owner-full-control, …)
    /// or grants (grant-read=id=ACCOUNT, grant-read=uri=AllUsers, …;
    /// repeatable). On PutObject and PutObjectAcl, the ACL the request sets
    /// (s3:x-amz-acl, s3:x-amz-grant-*).
    #[arg(long = "object-acl", value_name = "ACL")]
    pub object_acl: Vec<String>,
    /// The bucket's ACL (as --object-acl). On PutBucketAcl and
    /// CreateBucket, the ACL the request sets.
    #[arg(long = "bucket-acl", value_name = "ACL")]
    pub bucket_acl: Vec<String>,
    /// The bucket's Object Ownership setting: BucketOwnerEnforced disables
    /// ACLs (not given: ACLs you give count).
    #[arg(long = "object-ownership", value_name = "SETTING",
          value_parser = clap::builder::PossibleValuesParser::new(crate::eval::acl::ObjectOwnership::NAMES))]
    pub object_ownership: Option<String>,
}

impl PolicyArgs {
    /// Whether no policy was given at all.
    pub fn is_empty(&self) -> bool {
        self.identity.is_empty()
            && self.bucket.is_empty()
            && self.boundary.is_empty()
            && self.session.is_empty()
            && self.scp.is_empty()
            && self.rcp.is_empty()
            && self.policy_from.is_empty()
            && self.vpce_policies.is_empty()
            && self.access_point.policies.is_empty()
            && self.new_bucket_policy.is_none()
            && self.object_acl.is_empty()
            && self.bucket_acl.is_empty()
    }

    /// S3's own settings as the flags give them (read by
    /// [`S3Settings::apply`](crate::eval::s3_settings::S3Settings::apply)).
    pub fn s3_settings(&self) -> crate::eval::s3_settings::S3Settings {
        crate::eval::s3_settings::S3Settings {
            block_public_access: self.public_access_block(),
            block_public_access_names: Vec::new(),
            object_owner: self.object_owner.clone(),
            object_acl: self.object_acl.clone(),
            bucket_acl: self.bucket_acl.clone(),
            object_ownership: self.object_ownership.clone(),
            vpce_type: Some(
                match self.vpce_type {
                    VpceTypeArg::Interface => "interface",
                    VpceTypeArg::Gateway => "gateway",
                }
                .to_string(),
            ),
            access_point: self.access_point.settings(),
            has_access_point_policy: !self.access_point.policies.is_empty(),
        }
    }

    /// The Block Public Access settings the flags turn on.
    pub fn public_access_block(&self) -> crate::eval::block_public_access::PublicAccessBlock {
        let mut b =
            crate::eval::block_public_access::PublicAccessBlock::from(self.block_public_access);
        b.block_public_acls |= self.block_public_acls;
        b.ignore_public_acls |= self.ignore_public_acls;
        b.block_public_policy |= self.block_public_policy;
        b.restrict_public_buckets |= self.restrict_public_buckets;
        b
    }
}

/// The S3 access point a request goes through (`--access-point-*`), as
/// `can`, `review`, `diff`, `prove`, `who-can`, `principal-can` and
/// `review --account` take it: one set of flags, one check
/// ([`AccessPointArgs::resolve`]).
#[derive(Debug, Clone, Default, Args)]
pub struct AccessPointArgs {
    /// Policy of the S3 access point the request goes through (repeatable:
    /// a union). Requests whose resource is an access point ARN are
    /// allowed only when the access point and the bucket behind it both
    /// allow (spec AP-1); needs --access-point-bucket.
    #[arg(
        id = "access_point_policies",
        long = "access-point-policy",
        value_name = "FILE"
    )]
    pub policies: Vec<String>,
    /// The bucket behind the access point of the request's ARN.
    #[arg(
        id = "access_point_bucket",
        long = "access-point-bucket",
        value_name = "NAME"
    )]
    pub bucket: Option<String>,
    /// The account that owns that bucket, when it is not the access
    /// point's owner (a cross-account access point).
    #[arg(
        id = "access_point_bucket_account",
        long = "access-point-bucket-account",
        value_name = "ID"
    )]
    pub bucket_account: Option<String>,
    /// The access point's network origin: Internet (default) or VPC.
    #[arg(
        id = "access_point_network_origin",
        long = "access-point-network-origin",
        value_name = "Internet|VPC"
    )]
    pub network_origin: Option<String>,
    /// The VPC of a VPC-only access point: requests from elsewhere
    /// (aws:SourceVpc) are refused (spec AP-4).
    #[arg(
        id = "access_point_vpc",
        long = "access-point-vpc",
        value_name = "VPC_ID"
    )]
    pub vpc: Option<String>,
}

impl AccessPointArgs {
    /// The access point settings given, as text.
    pub fn settings(&self) -> crate::eval::access_point::AccessPointSettings {
        crate::eval::access_point::AccessPointSettings {
            bucket: self.bucket.clone(),
            bucket_account: self.bucket_account.clone(),
            network_origin: self.network_origin.clone(),
            vpc: self.vpc.clone(),
        }
    }

    /// The access point the flags describe (`None` when none is given),
    /// or the error every command reports for them (read by
    /// [`S3Settings::apply`](crate::eval::s3_settings::S3Settings::apply),
    /// as every S3 setting).
    pub fn resolve(
        &self,
    ) -> Result<Option<crate::eval::access_point::AccessPoint>, Box<crate::diagnostic::Diagnostic>>
    {
        let settings = crate::eval::s3_settings::S3Settings {
            access_point: self.settings(),
            has_access_point_policy: !self.policies.is_empty(),
            ..Default::default()
        };
        let mut options = crate::eval::policy_set::EvalOptions::default();
        match settings.apply(&mut options, crate::eval::s3_settings::Spelling::Flags) {
            Ok(()) => Ok(options.access_point),
            Err(d) => Err(Box::new(d.into_iter().next().unwrap_or_else(|| {
                crate::diagnostic::Diagnostic::error(
                    "INVALID_ARGUMENT",
                    "the access point flags are invalid",
                )
            }))),
        }
    }
}

/// `--vpce-type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum VpceTypeArg {
    /// An interface endpoint (AWS PrivateLink).
    #[default]
    Interface,
    /// A gateway endpoint (S3, DynamoDB).
    Gateway,
}

/// `--notprincipal`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum NotPrincipalArg {
    /// Excluded only when every level of the caller's identity is listed.
    #[default]
    Strict,
    /// Excluded when the caller's own ARN (or its role) is listed.
    Lenient,
}

/// Who asks, and the request context.
#[derive(Debug, Clone, Default, Args)]
pub struct RequestArgs {
    /// The caller: an IAM user, role or assumed-role session ARN, an account
    /// root ARN, a service principal (cloudtrail.amazonaws.com) or `anonymous`.
    #[arg(long)]
    pub principal: Option<String>,
    /// The account that owns the bucket (default: the caller's account).
    #[arg(long = "resource-account", value_name = "ID")]
    pub resource_account: Option<String>,
    /// A context key (repeatable; repeating a key makes it multi-valued).
    #[arg(long = "context", short = 'c', value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Context keys from a JSON object file: {"aws:SourceIp": "203.0.113.5", "aws:TagKeys": ["a","b"]}.
    #[arg(long = "context-file", value_name = "FILE")]
    pub context_files: Vec<String>,
    /// A tag of the caller (sets aws:PrincipalTag/KEY).
    #[arg(long = "principal-tag", value_name = "KEY=VALUE")]
    pub principal_tags: Vec<String>,
    /// The time of the request for aws:CurrentTime / aws:EpochTime (ISO 8601 or epoch seconds; default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The region of the request (aws:RequestedRegion).
    #[arg(long)]
    pub region: Option<String>,
    /// The request comes through this VPC endpoint (sets aws:SourceVpce).
    #[arg(long = "vpce", value_name = "VPCE_ID")]
    pub vpce: Option<String>,
    /// The caller is (a session of) a service-linked role: SCPs and RCPs do
    /// not restrict it. Roles on the path `aws-service-role/` are recognised
    /// without it; session ARNs drop the path, so say it for them.
    #[arg(long)]
    pub service_linked_role: bool,
    /// Do not fill in any context key (as `eval --cases` does).
    #[arg(long)]
    pub no_defaults: bool,
    /// Evaluate an action that is not in s3guard's catalog (by default it
    /// is invalid input, exit 2: a typo would otherwise be "denied").
    #[arg(long)]
    pub allow_unknown_action: bool,
}

impl RequestArgs {
    /// The library's request builder with these flags.
    pub fn builder(&self) -> RequestBuilder {
        let mut b = RequestBuilder::new()
            .no_defaults(self.no_defaults)
            .allow_unknown_action(self.allow_unknown_action)
            .service_linked_role(self.service_linked_role);
        if let Some(p) = &self.principal {
            b = b.principal(p.clone());
        }
        if let Some(a) = &self.resource_account {
            b = b.resource_account(a.clone());
        }
        for f in &self.context_files {
            b = b.context_file(f.clone());
        }
        for c in &self.context {
            b = b.context_entry(c.clone());
        }
        for t in &self.principal_tags {
            b = b.principal_tag(t.clone());
        }
        if let Some(t) = &self.at {
            b = b.at(t.clone());
        }
        if let Some(r) = &self.region {
            b = b.region(r.clone());
        }
        if let Some(v) = &self.vpce {
            b = b.vpce(v.clone());
        }
        b
    }
}

/// `--format` of the commands that print text for people or stable JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// For people.
    #[default]
    Text,
    /// Stable JSON.
    Json,
}
