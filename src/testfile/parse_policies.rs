//! Reading the `policies` of a test file: files relative to the test file
//! or inline documents, by layer, SCP and RCP levels without gaps.

use std::path::{Component, Path};
use std::sync::Arc;

use super::model::PolicyEntry;
use super::parse::{Parser, POLICY_FIELDS, TYPES};
use crate::diagnostic::did_you_mean;
use crate::eval::policy_set::{EvalOptions, PolicySet};
use crate::json::{pointer, Kind, SourceFile, Value};
use crate::policy::{LoadError, LoadOptions, Policy, PolicyType};

impl Parser {
    pub(super) fn policies(
        &mut self,
        v: &Value,
        strict: bool,
        options: EvalOptions,
    ) -> Option<(Vec<PolicyEntry>, PolicySet)> {
        let Some(items) = v.as_array() else {
            self.error(
                "INVALID_VALUE",
                format!("`policies` must be an array, found {}", v.type_name()),
                v,
                "/policies",
                "",
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                "INVALID_VALUE",
                "`policies` is empty: there is nothing to test".into(),
                v,
                "/policies",
                "add {\"file\": \"policy.json\", \"type\": \"identity\"}",
            );
            return None;
        }
        let mut entries = Vec::new();
        let mut loaded: Vec<(PolicyType, usize, Policy, &Value, String)> = Vec::new();
        let mut b = PolicySet::builder();
        let mut read = 0;
        for (i, item) in items.iter().enumerate() {
            let ptr = format!("/policies/{i}");
            if let Some((entry, policy)) = self.policy(item, &ptr, i, strict) {
                read += 1;
                if entry.new {
                    b = b.new_bucket_policy(policy);
                } else {
                    let level = entry.level.unwrap_or(0);
                    loaded.push((entry.policy_type, level, policy, item, ptr));
                }
                entries.push(entry);
            }
        }
        if read != items.len() {
            return None;
        }
        if options.access_point.is_none() {
            if let Some((.., item, ptr)) = loaded.iter().find(|l| l.0 == PolicyType::AccessPoint) {
                self.error(
                    "INVALID_VALUE",
                    "an access point policy needs the access point's bucket: add \"options\": {\"access_point\": {\"bucket\": \"NAME\"}}".into(),
                    item,
                    ptr,
                    crate::eval::access_point::ACCESS_POINT_HINT,
                );
                return None;
            }
        }
        for t in [PolicyType::Scp, PolicyType::Rcp] {
            let max = loaded.iter().filter(|l| l.0 == t).map(|l| l.1).max();
            let Some(max) = max else { continue };
            for level in 0..=max {
                if !loaded.iter().any(|l| l.0 == t && l.1 == level) {
                    let above = loaded.iter().find(|l| l.0 == t && l.1 > level);
                    if let Some((_, l, _, item, ptr)) = above {
                        self.error(
                            "INVALID_VALUE",
                            format!("{} level {level} has no policy, but level {l} has: levels count from 0 (the root) without gaps", t.as_str().to_uppercase()),
                            item,
                            &pointer::join(ptr, "level"),
                            "a missing level would block every request (AWS requires an Allow at every level)",
                        );
                    }
                    return None;
                }
            }
        }
        for (t, _, policy, _, _) in &loaded {
            b = match t {
                PolicyType::Identity => b.identity(policy.clone()),
                PolicyType::Resource => b.resource(policy.clone()),
                PolicyType::Boundary => b.boundary(policy.clone()),
                PolicyType::Session => b.session(policy.clone()),
                PolicyType::VpcEndpoint => b.vpc_endpoint(policy.clone()),
                PolicyType::AccessPoint => b.access_point(policy.clone()),
                PolicyType::Scp | PolicyType::Rcp => b,
            };
        }
        for t in [PolicyType::Scp, PolicyType::Rcp] {
            let max = loaded.iter().filter(|l| l.0 == t).map(|l| l.1).max();
            for level in 0..max.map_or(0, |m| m + 1) {
                let at_level: Vec<Policy> = loaded
                    .iter()
                    .filter(|l| l.0 == t && l.1 == level)
                    .map(|l| l.2.clone())
                    .collect();
                b = if t == PolicyType::Scp {
                    b.scp_level(at_level)
                } else {
                    b.rcp_level(at_level)
                };
            }
        }
        Some((entries, b.options(options).build()))
    }

    fn policy(
        &mut self,
        v: &Value,
        ptr: &str,
        index: usize,
        strict: bool,
    ) -> Option<(PolicyEntry, Policy)> {
        let members = self.object(v, ptr, "a policy entry")?;
        self.known_fields(members, ptr, POLICY_FIELDS, "a policy entry");
        let policy_type = match v.get("type") {
            Some(t) => self
                .one_of(t, &pointer::join(ptr, "type"), "type", TYPES)
                .and_then(|s| PolicyType::parse(&s)),
            None => {
                self.missing(
                    v,
                    ptr,
                    "type",
                    "the policy entry",
                    "one of identity, bucket, boundary, session, scp, rcp",
                );
                None
            }
        };
        let level = match v.get("level") {
            None => None,
            Some(l) => {
                let lp = pointer::join(ptr, "level");
                match (&l.kind, policy_type) {
                    (_, Some(t)) if !matches!(t, PolicyType::Scp | PolicyType::Rcp) => {
                        self.error(
                            "INVALID_VALUE",
                            format!(
                                "`level` is for SCPs and RCPs, not for policies of type `{}`",
                                t.as_str()
                            ),
                            l,
                            &lp,
                            "remove `level`",
                        );
                        None
                    }
                    (Kind::Number(n), _) if n.parse::<usize>().is_ok_and(|n| n < 64) => {
                        n.parse::<usize>().ok()
                    }
                    _ => {
                        self.error(
                            "INVALID_VALUE",
                            "`level` must be a whole number from 0 (the organization root)".into(),
                            l,
                            &lp,
                            "0 = root, 1 = an OU under it, …, the account last",
                        );
                        None
                    }
                }
            }
        };
        let name = v
            .get("name")
            .and_then(|n| self.string(n, &pointer::join(ptr, "name"), "name"));
        let new = match v.get("new") {
            None => false,
            Some(n) => {
                let np = pointer::join(ptr, "new");
                let new = self.boolean(n, &np, "new").unwrap_or(false);
                if new && policy_type != Some(PolicyType::Resource) {
                    self.error(
                        "INVALID_VALUE",
                        "`new` marks the bucket policy a PutBucketPolicy request puts: it is for policies of type `bucket`".into(),
                        n,
                        &np,
                        "remove `new`, or give \"type\": \"bucket\"",
                    );
                    return None;
                }
                new
            }
        };
        let options = LoadOptions {
            policy_type: policy_type?,
            strict,
            lenient: false,
        };
        let t = options.policy_type;
        let level = matches!(t, PolicyType::Scp | PolicyType::Rcp).then(|| level.unwrap_or(0));
        match (v.get("file"), v.get("document")) {
            (Some(_), Some(d)) => {
                self.error(
                    "INVALID_VALUE",
                    "a policy entry has either `file` or `document`, not both".into(),
                    d,
                    &pointer::join(ptr, "document"),
                    "",
                );
                None
            }
            (None, None) => {
                self.missing(
                    v,
                    ptr,
                    "file",
                    "the policy entry",
                    "give \"file\": \"policy.json\" (relative to the test file) or an inline \"document\": {…}",
                );
                None
            }
            (Some(f), None) => {
                let fp = pointer::join(ptr, "file");
                let written = self.string(f, &fp, "file")?;
                let (open, path) = self.resolve(&written);
                if !Path::new(&open).is_file() {
                    let hint = self.sibling_hint(&path);
                    self.error(
                        "POLICY_NOT_FOUND",
                        format!("policy file `{written}` not found (looked for `{path}`)"),
                        f,
                        &fp,
                        &hint,
                    );
                    return None;
                }
                let source = match SourceFile::read(&open) {
                    Ok(f) => SourceFile::new(path.clone(), f.text()),
                    Err(d) => {
                        self.errors.push(*d);
                        return None;
                    }
                };
                let policy = self.loaded(Policy::load_source(Arc::new(source), options))?;
                let entry = PolicyEntry {
                    name: name.unwrap_or(written),
                    policy_type: t,
                    level,
                    file: Some(path),
                    new,
                };
                Some((entry, policy))
            }
            (None, Some(d)) => {
                let dp = pointer::join(ptr, "document");
                if d.as_object().is_none() {
                    self.error(
                        "INVALID_VALUE",
                        format!("`document` must be a policy object, found {}", d.type_name()),
                        d,
                        &dp,
                        "write the policy inline: {\"Version\": \"2012-10-17\", \"Statement\": [...]}",
                    );
                    return None;
                }
                // Statements of an inline policy are at their place in the test file.
                let shown = self.file.name().to_string();
                let policy = self.loaded(Policy::from_value(
                    self.doc.clone(),
                    d,
                    &dp,
                    &shown,
                    options,
                ))?;
                let entry = PolicyEntry {
                    name: name.unwrap_or_else(|| format!("policies[{index}]")),
                    policy_type: t,
                    level,
                    file: None,
                    new,
                };
                Some((entry, policy))
            }
        }
    }

    /// The policy `loaded`, its warnings kept; or `None`, its errors kept.
    fn loaded(&mut self, loaded: Result<Policy, LoadError>) -> Option<Policy> {
        match loaded {
            Ok(policy) => {
                self.warnings.extend(policy.warnings.iter().cloned());
                Some(policy)
            }
            Err(e) => {
                self.errors.extend(e.errors().cloned());
                None
            }
        }
    }

    /// A policy path relative to the test file's directory, as shown in messages.
    /// A policy path relative to the test file's directory: the path to
    /// open, and the tidier path messages show (`a/b/../c` → `a/c`).
    fn resolve(&self, written: &str) -> (String, String) {
        let base = Path::new(self.file.name())
            .parent()
            .unwrap_or_else(|| Path::new(""));
        let joined = base.join(written);
        let open = joined.to_string_lossy().into_owned();
        (open, tidy(&joined))
    }

    fn sibling_hint(&self, path: &str) -> String {
        let p = Path::new(path);
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let wanted = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".json"))
                    .collect()
            })
            .unwrap_or_default();
        match did_you_mean(&wanted, names.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`? (paths are relative to the test file)"),
            None => "paths are relative to the directory of the test file".into(),
        }
    }
}

/// The path as messages show it: `.` dropped, `dir/..` folded (lexically).
fn tidy(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for c in path.components() {
        match c {
            Component::RootDir => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..".into());
                }
            }
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_folds_parent_directories() {
        assert_eq!(
            tidy(Path::new(
                "tests/fixtures/ci-tests/../../../policies/a.json"
            )),
            "policies/a.json"
        );
        assert_eq!(tidy(Path::new("./a/./b.json")), "a/b.json");
        assert_eq!(tidy(Path::new("../x/../y.json")), "../y.json");
        assert_eq!(tidy(Path::new("/r/a/../b.json")), "/r/b.json");
    }
}
