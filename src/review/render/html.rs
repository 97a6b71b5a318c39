//! The review as one self-contained HTML page: inline CSS, no scripts, no
//! external assets, no links out. The verdict on top, then the matrix as
//! colour-coded tables (allowed / conditional / denied), one per kind of
//! resource, with a legend.

use std::fmt::Write as _;

use crate::render::escape::html as esc;

use crate::review::classes::{ClassKind, ResourceClass};
use crate::review::matrix::{phrase, Access, Cell, Matrix};
use crate::review::other_types::friendly;
use crate::review::report::Review;
use crate::review::risk::{report_order, Risk};
use crate::review::verdict::{Answer, VerdictItem};

const STYLE: &str = r#"
:root { --ink:#1d2433; --muted:#5b6474; --line:#d9dee7; --paper:#ffffff; --wash:#f6f7f9;
  --ok-bg:#d3f5df; --ok-ink:#0b5b2e; --cond-bg:#fff1b8; --cond-ink:#5f4b00; --warn-bg:#ffe1c7; --warn-ink:#8a3600;
  --no-bg:#eef0f3; --no-ink:#6b7383; --deny-bg:#fde2df; --deny-ink:#a0180e; --info-bg:#dcebff; --info-ink:#123f7a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); background: var(--wash); }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 0; }
code { font: 12.5px/1.3 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; }
.meta { color: var(--muted); margin: 0 0 18px; }
.meta b { color: var(--ink); font-weight: 600; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; }
.verdict ul { list-style: none; margin: 0; padding: 0; }
.verdict li { display: grid; grid-template-columns: 270px 86px 1fr; gap: 14px; align-items: baseline; padding: 6px 0; border-bottom: 1px dashed var(--line); }
.verdict li:last-child { border-bottom: 0; }
.verdict .q { color: var(--muted); }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-weight: 600; white-space: nowrap; text-align: center; }
.v-good .badge { background: var(--ok-bg); color: var(--ok-ink); }
.v-warn .badge { background: var(--warn-bg); color: var(--warn-ink); }
.v-bad .badge { background: var(--deny-bg); color: var(--deny-ink); }
.v-info .badge { background: var(--info-bg); color: var(--info-ink); }
.v-none .badge { background: var(--no-bg); color: var(--no-ink); }
.verdict .detail { color: var(--ink); }
.legend { display: flex; flex-wrap: wrap; gap: 8px 18px; margin: 14px 0 0; color: var(--muted); font-size: 13px; }
.legend span.sw { display: inline-block; min-width: 78px; text-align: center; border-radius: 5px; padding: 1px 8px; margin-right: 6px; font-weight: 600; }
table.grid { border-collapse: separate; border-spacing: 0; width: 100%; background: var(--paper); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.grid th, .grid td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
.grid tr:last-child th, .grid tr:last-child td { border-bottom: 0; }
.grid thead th { background: #f0f2f6; font-size: 12px; color: var(--muted); font-weight: 600; }
.grid thead th.col { color: var(--ink); }
.grid thead th .arn { display: block; font-weight: 400; color: var(--muted); font-size: 11px; word-break: break-all; }
.grid tbody th { font-weight: 400; white-space: nowrap; }
.grid td.level { color: var(--muted); white-space: nowrap; font-size: 12.5px; }
.grid td.cell { text-align: center; font-weight: 600; font-size: 12.5px; min-width: 110px; }
td.allowed { background: var(--ok-bg); color: var(--ok-ink); }
td.conditional { background: var(--cond-bg); color: var(--cond-ink); }
td.denied { background: var(--no-bg); color: var(--no-ink); font-weight: 400 !important; }
td.explicit-deny { background: var(--deny-bg); color: var(--deny-ink); }
.sw.allowed { background: var(--ok-bg); color: var(--ok-ink); }
.sw.conditional { background: var(--cond-bg); color: var(--cond-ink); }
.sw.denied { background: var(--no-bg); color: var(--no-ink); }
.sw.explicit-deny { background: var(--deny-bg); color: var(--deny-ink); }
.tag { display: inline-block; font-size: 10.5px; border-radius: 4px; padding: 0 5px; margin-left: 6px; border: 1px solid; vertical-align: 1px; }
.tag.destructive { color: var(--deny-ink); border-color: #f3a59d; background: #fff5f4; }
.tag.perms { color: #5a2ca0; border-color: #cdb6f2; background: #faf6ff; }
sup { font-weight: 600; }
ol.conditions { margin: 8px 0 0; padding-left: 26px; color: var(--ink); font-size: 13px; }
ol.conditions .where { color: var(--muted); }
details { margin-top: 8px; }
details.quiet { margin: 2px 0; }
.group h3 { margin: 18px 0 8px; }
details > summary { cursor: pointer; color: var(--muted); padding: 4px 0; }
details table.grid { margin-top: 6px; }
.notes ul { margin: 0; padding-left: 20px; color: var(--muted); }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
"#;

/// Escapes text and turns `` `code` `` spans into `<code>`.
pub(crate) fn rich(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

fn verdict_class(item: &VerdictItem, risky: bool) -> &'static str {
    match (item.answer, risky) {
        (Answer::No, true) => "v-good",
        (Answer::No, false) => "v-none",
        (Answer::Some, true) => "v-warn",
        (Answer::Yes, true) => "v-bad",
        (_, false) => "v-info",
    }
}

fn verdict_html(review: &Review, out: &mut String) {
    out.push_str("<section class=\"verdict card\" id=\"verdict\"><h2 style=\"margin-top:0\">Verdict</h2><ul>");
    for item in &review.verdict.items {
        let risky = crate::review::is_dangerous_topic(&item.topic);
        let (badge, detail) = match item.text.strip_prefix("only in ") {
            Some(rest) => ("only in", rest),
            None => match item.text.split_once(' ') {
                Some((first, rest)) => (first.trim_end_matches(','), rest.trim_start_matches(", ")),
                None => (item.text.as_str(), ""),
            },
        };
        let _ = write!(
            out,
            "<li class=\"{}\"><span class=\"q\">can {}:</span> <span><span class=\"badge\">{}</span></span> <span class=\"detail\">{}</span></li>",
            verdict_class(item, risky),
            esc(&item.topic),
            esc(badge),
            rich(detail)
        );
    }
    out.push_str("</ul>");
    out.push_str("<div class=\"legend\"><div><span class=\"sw allowed\">allowed</span>whatever the request context</div><div><span class=\"sw conditional\">conditional</span>allowed only under a condition (see the notes under each table)</div><div><span class=\"sw denied\">denied</span>no statement allows it</div><div><span class=\"sw explicit-deny\">denied</span>explicitly, by a Deny statement</div></div>");
    out.push_str("</section>");
}

fn cell_td(c: &Cell, class: &ResourceClass, footnote: Option<usize>) -> String {
    let (css, text) = match (c.access, c.explicit_deny) {
        (Access::Allowed, _) => ("allowed", "allowed".to_string()),
        (Access::Conditional, _) => (
            "conditional",
            match footnote {
                Some(n) => format!("conditional<sup>{n}</sup>"),
                None => "conditional".to_string(),
            },
        ),
        (Access::Denied, true) => ("explicit-deny", "denied".to_string()),
        (Access::Denied, false) => ("denied", "denied".to_string()),
    };
    let mut title = match c.access {
        Access::Allowed => format!("{} on {}: allowed", c.action.iam_action, class.label),
        Access::Conditional => format!(
            "{} on {}: {}",
            c.action.iam_action,
            class.label,
            phrase(&c.requirements).replace('`', "")
        ),
        Access::Denied => format!(
            "{} on {}: denied{}",
            c.action.iam_action,
            class.label,
            if c.explicit_deny { " explicitly" } else { "" }
        ),
    };
    if !c.statements.is_empty() {
        let _ = write!(title, " (by {})", c.statements.join(", "));
    }
    if let Some(e) = &c.example {
        let _ = write!(title, "; e.g. allowed with {e}");
    }
    if let Some(n) = &c.note {
        let _ = write!(title, "; {n}");
    }
    format!(
        "<td class=\"cell {css}\" data-class=\"{}\" title=\"{}\">{text}</td>",
        esc(&class.id),
        esc(&title)
    )
}

fn action_th(c: &Cell) -> String {
    let r = Risk::of(c.action);
    let mut tags = String::new();
    if r.destructive {
        tags.push_str("<span class=\"tag destructive\">destructive</span>");
    }
    if r.changes_permissions {
        tags.push_str("<span class=\"tag perms\">permissions</span>");
    }
    format!(
        "<th scope=\"row\" title=\"{}\"><code>{}</code>{tags}</th><td class=\"level\">{}</td>",
        esc(c.action.description),
        esc(c.action.iam_action),
        esc(c.action.access_level.as_str())
    )
}

/// One table: rows are actions, columns the classes (all of one resource type).
fn table(
    m: &Matrix,
    cols: &[usize],
    rows: &[&str],
    footnotes: &mut Vec<(String, String)>,
) -> String {
    let mut out =
        String::from("<table class=\"grid\"><thead><tr><th>action</th><th>access level</th>");
    for ci in cols {
        if let Some(c) = m.classes.get(*ci) {
            let _ = write!(
                out,
                "<th class=\"col\" data-class=\"{}\">{}<span class=\"arn\">{}</span></th>",
                esc(&c.id),
                esc(&c.label),
                esc(if c.arn == "*" {
                    "Resource \"*\""
                } else {
                    &c.arn
                })
            );
        }
    }
    out.push_str("</tr></thead><tbody>");
    for action in rows {
        let cells: Vec<Option<&Cell>> = cols
            .iter()
            .map(|ci| {
                m.cells
                    .iter()
                    .find(|c| c.class == *ci && c.action.iam_action == *action)
            })
            .collect();
        let Some(first) = cells.iter().flatten().next() else {
            continue;
        };
        let _ = write!(
            out,
            "<tr data-action=\"{}\">{}",
            esc(action),
            action_th(first)
        );
        for (ci, cell) in cols.iter().zip(&cells) {
            match (cell, m.classes.get(*ci)) {
                (Some(c), Some(class)) => {
                    let note = (c.access == Access::Conditional).then(|| {
                        let text = (
                            phrase(&c.requirements),
                            c.requirements
                                .iter()
                                .map(|r| r.statement.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        );
                        match footnotes.iter().position(|f| *f == text) {
                            Some(i) => i + 1,
                            None => {
                                footnotes.push(text);
                                footnotes.len()
                            }
                        }
                    });
                    out.push_str(&cell_td(c, class, note));
                }
                _ => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The tables of one group of classes, under an `h2` (main groups) or an
/// `h3` (other resource types; collapsed when nothing is allowed there).
fn section(m: &Matrix, title: &str, cols: &[usize], main: bool, out: &mut String) {
    let mut cells: Vec<&Cell> = m.cells.iter().filter(|c| cols.contains(&c.class)).collect();
    if cells.is_empty() {
        return;
    }
    cells.sort_by(|a, b| report_order(a.action, b.action));
    let mut shown: Vec<&str> = Vec::new();
    let mut hidden: Vec<&str> = Vec::new();
    for c in &cells {
        let name = c.action.iam_action;
        if shown.contains(&name) || hidden.contains(&name) {
            continue;
        }
        let quiet = cells
            .iter()
            .filter(|x| x.action.iam_action == name)
            .all(|x| x.access == Access::Denied && !x.explicit_deny);
        let r = Risk::of(c.action);
        if quiet && !(r.destructive || r.changes_permissions) {
            hidden.push(name);
        } else {
            shown.push(name);
        }
    }
    let anything = cells
        .iter()
        .any(|c| c.access != Access::Denied || c.explicit_deny);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut footnotes = Vec::new();
    if !main && !anything {
        let mut all = shown.clone();
        all.extend(&hidden);
        let _ = write!(
            out,
            "<details class=\"quiet\"><summary><b>{}</b>: nothing allowed ({} action{})</summary>{}</details>",
            esc(title),
            all.len(),
            plural(all.len()),
            table(m, cols, &all, &mut footnotes)
        );
        return;
    }
    let h = if main { "h2" } else { "h3" };
    let _ = write!(out, "<section class=\"group\"><{h}>{}</{h}>", esc(title));
    out.push_str(&table(m, cols, &shown, &mut footnotes));
    if !hidden.is_empty() {
        let _ = write!(
            out,
            "<details><summary>{} more action{} denied on every column</summary>{}</details>",
            hidden.len(),
            plural(hidden.len()),
            table(m, cols, &hidden, &mut footnotes)
        );
    }
    if !footnotes.is_empty() {
        out.push_str("<ol class=\"conditions\">");
        for (cond, place) in &footnotes {
            let _ = write!(
                out,
                "<li>{} <span class=\"where\">— {}</span></li>",
                rich(cond),
                esc(place)
            );
        }
        out.push_str("</ol>");
    }
    out.push_str("</section>");
}

/// Renders a review as a self-contained HTML page.
pub fn html(review: &Review) -> String {
    let m = &review.matrix;
    let files: Vec<String> = review
        .policies
        .iter()
        .map(|p| {
            format!(
                "<code>{}</code> ({})",
                esc(&p.name),
                esc(p.policy_type.describe())
            )
        })
        .collect();
    let names: Vec<&str> = review.policies.iter().map(|p| p.name.as_str()).collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>s3guard review: {}</title><style>{STYLE}</style></head><body><main>",
        esc(&names.join(", "))
    );
    let _ = write!(
        out,
        "<header><h1>S3 access review</h1><p class=\"meta\"><b>Policies</b> {} &nbsp;·&nbsp; <b>Caller</b> {}</p></header>",
        files.join(", "),
        esc(&review.caller())
    );
    verdict_html(review, &mut out);
    let of_kind = |k: ClassKind| -> Vec<usize> {
        m.classes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == k)
            .map(|(i, _)| i)
            .collect()
    };
    section(m, "Buckets", &of_kind(ClassKind::Bucket), true, &mut out);
    section(m, "Objects", &of_kind(ClassKind::Objects), true, &mut out);
    section(
        m,
        "Account-level actions",
        &of_kind(ClassKind::Account),
        true,
        &mut out,
    );
    let mut types: Vec<(String, String)> = Vec::new();
    for c in m.classes.iter().filter(|c| c.kind == ClassKind::Other) {
        let t = (c.service.clone(), c.resource_type.clone());
        if !types.contains(&t) {
            types.push(t);
        }
    }
    out.push_str("<section class=\"others\"><h2>Other S3 resources</h2>");
    for (service, rt) in &types {
        let cols: Vec<usize> = m
            .classes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.kind == ClassKind::Other && c.service == *service && c.resource_type == *rt
            })
            .map(|(i, _)| i)
            .collect();
        let title = capitalize(friendly(service, rt).1);
        section(m, &title, &cols, false, &mut out);
    }
    out.push_str("</section>");
    if !review.notes.is_empty() {
        out.push_str("<section class=\"notes\"><h2>Notes</h2><ul>");
        for n in &review.notes {
            let _ = write!(out, "<li>{}</li>", rich(n));
        }
        out.push_str("</ul></section>");
    }
    let _ = writeln!(
        out,
        "<footer>s3guard {} · action catalog {} · an offline simulation of AWS IAM evaluation</footer></main></body></html>",
        esc(env!("CARGO_PKG_VERSION")),
        esc(crate::catalog::catalog().version())
    );
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
