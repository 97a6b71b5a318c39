//! The patterns of a `cannot` case, checked so that a typo can never be
//! "proved": an action pattern must match catalog actions, a resource
//! pattern must be an ARN pattern.

use crate::catalog;

/// Checks the action pattern of a proof: `*` or `service:pattern`, matching
/// at least one catalog action (a pattern that matches nothing would be
/// "proved" for nothing).
pub fn check_action_pattern(pattern: &str) -> Result<(), (String, String)> {
    if pattern == "*" {
        return Ok(());
    }
    let Some((svc, name)) = pattern.split_once(':') else {
        return Err((
            format!("`{pattern}` is not an action pattern: it has no service prefix"),
            "write service:Pattern, e.g. s3:Delete*".into(),
        ));
    };
    if svc.is_empty() || name.is_empty() || pattern.chars().any(char::is_whitespace) {
        return Err((
            format!("`{pattern}` is not an action pattern"),
            "write service:Pattern, e.g. s3:Delete*".into(),
        ));
    }
    let cat = catalog::catalog();
    if !svc.contains(['*', '?']) && !cat.knows_service(svc) {
        let services: Vec<&str> = cat.services().iter().map(|s| s.prefix).collect();
        return Err((
            format!("s3guard's catalog has no service `{svc}`"),
            format!("s3guard knows the actions of {}", services.join(", ")),
        ));
    }
    if cat.expand(pattern).is_empty() {
        let hint = cat
            .suggest(pattern)
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("see `s3guard actions '{svc}:*'`"));
        return Err((
            format!("`{pattern}` matches no action of the catalog: a proof about it would prove nothing"),
            hint,
        ));
    }
    Ok(())
}

/// Checks the resource pattern of a proof: `*` or an ARN pattern
/// (six fields, or fewer ending in `*`, spec M-4), without policy variables.
pub fn check_resource_pattern(pattern: &str) -> Result<(), (String, String)> {
    if pattern == "*" {
        return Ok(());
    }
    let hint = "write an ARN pattern such as arn:aws:s3:::prod* or arn:aws:s3:::*".to_string();
    if !pattern.starts_with("arn:") {
        return Err((format!("`{pattern}` is not `*` or an ARN pattern"), hint));
    }
    if pattern.splitn(6, ':').count() < 6 && !pattern.ends_with('*') {
        return Err((format!("`{pattern}` has fewer than six ARN fields"), hint));
    }
    if crate::matcher::has_variable(pattern) {
        return Err((
            format!("`{pattern}` contains a policy variable, which has no value in a proof"),
            "write the resources as a pattern with * and ?".into(),
        ));
    }
    if pattern.chars().any(char::is_whitespace) {
        return Err((format!("`{pattern}` contains white space"), hint));
    }
    Ok(())
}
