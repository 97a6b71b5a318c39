//! Renderers of the account review ([`AccountReview`]): text for
//! terminals, JSON for CI (stable fields), Markdown for pull requests, and
//! one self-contained HTML page whose principal table sorts (click a
//! column) and filters (a search box, "destructive only") with a few lines
//! of inline script: no external assets, every embedded value escaped.

use std::fmt::Write as _;

use serde_json::json;

use super::html::rich;
use crate::render::escape::html as esc;
use crate::review::account::{AccountReview, AccountRow};
use crate::review::verdict::{is_dangerous_topic, Answer, VerdictItem};

/// `-`, `some`, `yes`, with `?` when conditional somewhere.
fn short(item: &VerdictItem) -> String {
    let base = match item.answer {
        Answer::No => "-",
        Answer::Some => "some",
        Answer::Yes => "YES",
    };
    if item.conditional && item.answer != Answer::No {
        format!("{base}?")
    } else {
        base.to_string()
    }
}

fn counts(r: &AccountReview) -> String {
    let kind = |k: &str| r.rows.iter().filter(|x| x.kind == k).count();
    let outside = r.rows.len() - kind("user") - kind("role");
    let dangerous = r.rows.iter().filter(|x| x.is_dangerous()).count();
    format!(
        "{} principals ({} users, {} roles, {} named from outside the data), {} bucket{}; {} can destroy data or change permissions",
        r.rows.len(),
        kind("user"),
        kind("role"),
        outside,
        r.buckets.len(),
        if r.buckets.len() == 1 { "" } else { "s" },
        dangerous
    )
}

/// For terminals: who can do what destructive, then every principal with
/// any access and its answers.
pub fn account_text(r: &AccountReview) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "account review of {}: {}",
        r.accounts.join(", "),
        counts(r)
    );
    for cap in r.capabilities() {
        let _ = writeln!(out, "\ncan {} ({}):", cap.topic, cap.principals.len());
        if cap.principals.is_empty() {
            out.push_str("  nobody\n");
        }
        for h in &cap.principals {
            let esc = if h.escalates { "  [escalates]" } else { "" };
            let _ = writeln!(out, "  {}  {}{esc}", h.principal, h.text);
        }
    }
    let with_access: Vec<&AccountRow> = r.rows.iter().filter(|x| x.has_access()).collect();
    let _ = writeln!(
        out,
        "\nprincipals with S3 access ({} of {}):",
        with_access.len(),
        r.rows.len()
    );
    for row in with_access {
        let _ = writeln!(out, "  {}  ({})", row.principal, row.kind);
        for i in row.verdict.items.iter().filter(|i| i.answer != Answer::No) {
            let _ = writeln!(out, "      can {}: {}", i.topic, i.text);
        }
        if let Some(e) = &row.escalation {
            let _ = writeln!(out, "      ESCALATION: {e}");
        }
    }
    let escalating: Vec<&AccountRow> = r
        .rows
        .iter()
        .filter(|x| x.escalation.is_some() && !x.has_access())
        .collect();
    if !escalating.is_empty() {
        let _ = writeln!(
            out,
            "\nno S3 access of their own, but can escalate ({}):",
            escalating.len()
        );
        for row in escalating {
            let _ = writeln!(
                out,
                "  {}  {}",
                row.principal,
                row.escalation.as_deref().unwrap_or_default()
            );
        }
    }
    if !r.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &r.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out.trim_end().to_string()
}

/// For programs: `accounts`, `buckets`, `principalsInData`, `principals`
/// (each `principal`, `kind`, `verdict`, `escalation`), `capabilities`
/// (each `topic` and its `principals`), `notes`.
pub fn account_json(r: &AccountReview) -> String {
    let v = json!({
        "accounts": r.accounts,
        "buckets": r.buckets,
        "principalsInData": r.principals_in_data,
        "principals": r.rows,
        "capabilities": r.capabilities(),
        "notes": r.notes,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

fn md(s: &str) -> String {
    crate::render::escape::markdown(s)
}

/// For pull requests: the capabilities, then a table of every principal
/// with access.
pub fn account_markdown(r: &AccountReview) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## S3 blast radius of {}\n",
        md(&r.accounts.join(", "))
    );
    let _ = writeln!(out, "{}\n", md(&counts(r)));
    for cap in r.capabilities() {
        let _ = writeln!(
            out,
            "**can {}** ({})\n",
            md(&cap.topic),
            cap.principals.len()
        );
        if cap.principals.is_empty() {
            out.push_str("- nobody\n");
        }
        for h in &cap.principals {
            let esc = if h.escalates { " (escalates)" } else { "" };
            let _ = writeln!(
                out,
                "- {}: {}{esc}",
                crate::render::escape::markdown_code(&h.principal),
                md(&h.text)
            );
        }
        out.push('\n');
    }
    let topics: Vec<String> = r
        .rows
        .first()
        .map(|x| x.verdict.items.iter().map(|i| i.topic.clone()).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "| principal | kind | {} | escalation |",
        topics.iter().map(|t| md(t)).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(out, "|---|---|{}---|", "---|".repeat(topics.len()));
    for row in r
        .rows
        .iter()
        .filter(|x| x.has_access() || x.escalation.is_some())
    {
        let cells: Vec<String> = row.verdict.items.iter().map(short).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            crate::render::escape::markdown_code(&row.principal),
            md(&row.kind),
            cells.join(" | "),
            row.escalation.as_deref().map(md).unwrap_or_default()
        );
    }
    out.push_str("\n`YES`: on any bucket; `some`: only on the buckets named; `?`: under conditions somewhere; `-`: no.\n");
    out.trim_end().to_string()
}

/// The principal cell: its name in bold, the full ARN under it.
fn who(principal: &str) -> String {
    let name = principal.rsplit(['/', ':']).next().unwrap_or(principal);
    if name == principal {
        format!("<b>{}</b>", esc(principal))
    } else {
        format!(
            "<b>{}</b><span class=\"arn\">{}</span>",
            esc(name),
            esc(principal)
        )
    }
}

const STYLE: &str = r#"
:root { --ink:#1d2433; --muted:#5b6474; --line:#d9dee7; --paper:#fff; --wash:#f6f7f9;
  --ok-bg:#d3f5df; --ok-ink:#0b5b2e; --cond-bg:#fff1b8; --cond-ink:#5f4b00; --warn-bg:#ffe1c7; --warn-ink:#8a3600;
  --no-ink:#9aa1ad; --deny-bg:#fde2df; --deny-ink:#a0180e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: var(--wash); }
main { max-width: 1400px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 26px 0 10px; }
.meta { color: var(--muted); margin: 0 0 18px; }
code { font: 12.5px/1.3 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
.caps { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.cap { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.cap h3 { font-size: 14px; margin: 0 0 6px; }
.cap .n { display: inline-block; min-width: 26px; text-align: center; border-radius: 999px; padding: 0 8px; margin-left: 6px; font-weight: 600; }
.cap .n.zero { background: var(--ok-bg); color: var(--ok-ink); }
.cap .n.some { background: var(--deny-bg); color: var(--deny-ink); }
.cap ul { margin: 0; padding-left: 18px; max-height: 160px; overflow: auto; font-size: 13px; }
.tools { display: flex; gap: 18px; align-items: center; margin: 8px 0 10px; color: var(--muted); }
.tools input[type=search] { font: inherit; padding: 5px 10px; border: 1px solid var(--line); border-radius: 6px; width: 320px; }
table.grid { border-collapse: separate; border-spacing: 0; width: 100%; background: var(--paper); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.grid th, .grid td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; font-size: 12.5px; }
.grid thead th { background: #f0f2f6; color: var(--muted); font-weight: 600; cursor: pointer; user-select: none; position: sticky; top: 0; }
.grid thead th[aria-sort=ascending]::after { content: " \25B2"; }
.grid thead th[aria-sort=descending]::after { content: " \25BC"; }
.grid td.p { min-width: 210px; }
.grid td.p .arn { display: block; color: var(--muted); font: 11px/1.3 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; word-break: break-all; }
.grid td.c { text-align: center; font-weight: 600; white-space: nowrap; }
td.no { color: var(--no-ink); font-weight: 400 !important; }
td.yes.bad { background: var(--deny-bg); color: var(--deny-ink); }
td.some.bad { background: var(--warn-bg); color: var(--warn-ink); }
td.yes, td.some { background: var(--ok-bg); color: var(--ok-ink); }
td.cond { background: var(--cond-bg) !important; color: var(--cond-ink) !important; }
td.esc { color: var(--deny-ink); font-size: 12px; }
.notes ul { margin: 0; padding-left: 20px; color: var(--muted); }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
"#;

/// Sorting by a column (click: ascending, again: descending; numbers by
/// the `data-v` rank) and filtering by text and "destructive only".
const SCRIPT: &str = r#"
(function () {
  var table = document.getElementById('principals');
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(row, i) { var c = row.cells[i]; return c.hasAttribute('data-v') ? Number(c.getAttribute('data-v')) : c.textContent.toLowerCase(); }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) { var x = key(a, i), y = key(b, i); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var q = document.getElementById('filter'), only = document.getElementById('dangerous'), shown = document.getElementById('shown');
  function apply() {
    var text = q.value.toLowerCase(), n = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var ok = r.textContent.toLowerCase().indexOf(text) >= 0 && (!only.checked || r.getAttribute('data-dangerous') === '1');
      r.hidden = !ok; if (ok) { n++; }
    });
    shown.textContent = n;
  }
  q.addEventListener('input', apply); only.addEventListener('change', apply); apply();
})();
"#;

fn cell(item: &VerdictItem) -> String {
    let (class, rank) = match item.answer {
        Answer::No => ("no", 0),
        Answer::Some => ("some", 2),
        Answer::Yes => ("yes", 4),
    };
    let rank = rank - i32::from(item.conditional && item.answer != Answer::No);
    let bad = if is_dangerous_topic(&item.topic) {
        " bad"
    } else {
        ""
    };
    let cond = if item.conditional && item.answer != Answer::No {
        " cond"
    } else {
        ""
    };
    format!(
        "<td class=\"c {class}{bad}{cond}\" data-v=\"{rank}\" title=\"{}\">{}</td>",
        esc(&format!("can {}: {}", item.topic, item.text)),
        esc(&short(item))
    )
}

/// One self-contained page: the capabilities as cards, then the principal
/// table, sortable and filterable.
pub fn account_html(r: &AccountReview) -> String {
    let mut out = String::new();
    out.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    let _ = write!(
        out,
        "<title>S3 blast radius: {}</title><style>{STYLE}</style></head><body><main>",
        esc(&r.accounts.join(", "))
    );
    let _ = write!(
        out,
        "<h1>S3 blast radius</h1><p class=\"meta\">accounts <b>{}</b> · {}</p>",
        esc(&r.accounts.join(", ")),
        esc(&counts(r))
    );
    out.push_str("<h2>Who can destroy data or change permissions</h2><div class=\"caps\">");
    for cap in r.capabilities() {
        let n = cap.principals.len();
        let _ = write!(
            out,
            "<section class=\"cap\"><h3>can {}<span class=\"n {}\">{n}</span></h3><ul>",
            esc(&cap.topic),
            if n == 0 { "zero" } else { "some" }
        );
        if n == 0 {
            out.push_str("<li>nobody</li>");
        }
        for h in &cap.principals {
            let _ = write!(
                out,
                "<li><code>{}</code> {}</li>",
                esc(&h.principal),
                rich(&h.text)
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str("</div><h2>Principals</h2>");
    out.push_str("<div class=\"tools\"><input type=\"search\" id=\"filter\" placeholder=\"filter: principal, kind, answer…\" aria-label=\"filter\"><label><input type=\"checkbox\" id=\"dangerous\"> destructive or permission-changing only</label><span><span id=\"shown\"></span> shown</span></div>");
    out.push_str(
        "<table class=\"grid\" id=\"principals\"><thead><tr><th>principal</th><th>kind</th>",
    );
    if let Some(first) = r.rows.first() {
        for i in &first.verdict.items {
            let _ = write!(out, "<th>{}</th>", esc(&i.topic));
        }
    }
    out.push_str("<th>escalation</th></tr></thead><tbody>");
    for row in &r.rows {
        let _ = write!(
            out,
            "<tr data-dangerous=\"{}\"><td class=\"p\">{}</td><td>{}</td>",
            u8::from(row.is_dangerous() || row.escalation.is_some()),
            who(&row.principal),
            esc(&row.kind)
        );
        for i in &row.verdict.items {
            out.push_str(&cell(i));
        }
        let _ = write!(
            out,
            "<td class=\"esc\">{}</td></tr>",
            esc(row.escalation.as_deref().unwrap_or_default())
        );
    }
    out.push_str("</tbody></table>");
    out.push_str("<p class=\"meta\">YES: on any bucket · some: only on the buckets named (hover for where) · ?: under conditions somewhere · -: no. Click a column to sort.</p>");
    if !r.notes.is_empty() {
        out.push_str("<section class=\"notes\"><h2>Notes</h2><ul>");
        for n in &r.notes {
            let _ = write!(out, "<li>{}</li>", rich(n));
        }
        out.push_str("</ul></section>");
    }
    out.push_str(
        "<footer>s3guard review --account · offline, from the authorization details given</footer>",
    );
    let _ = write!(out, "</main><script>{SCRIPT}</script></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::verdict::Verdict;

    fn review(principal: &str) -> AccountReview {
        let item = |topic: &str, answer: Answer| VerdictItem {
            topic: topic.into(),
            answer,
            conditional: false,
            text: "only in <prod> (s3:DeleteBucket)".into(),
            actions: Vec::new(),
            classes: Vec::new(),
        };
        AccountReview {
            accounts: vec!["111122223333".into()],
            buckets: vec!["prod".into()],
            principals_in_data: 1,
            rows: vec![AccountRow {
                principal: principal.into(),
                kind: "user".into(),
                verdict: Verdict {
                    items: vec![
                        item("delete buckets", Answer::Some),
                        item("read objects", Answer::No),
                    ],
                },
                escalation: Some("x, which can iam:PutUserPolicy on x".into()),
            }],
            notes: vec!["a <note>".into()],
        }
    }

    /// Everything embedded in the page is escaped: a principal name cannot
    /// close the table or open a script.
    #[test]
    fn html_escapes_every_embedded_value() {
        let page = account_html(&review(
            "arn:aws:iam::111122223333:user/</script><img src=x>",
        ));
        assert!(!page.contains("<img"));
        assert!(page.contains("&lt;/script&gt;&lt;img src=x&gt;"));
        assert!(page.contains("only in &lt;prod&gt;"));
        assert_eq!(page.matches("<script>").count(), 1);
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no external assets"
        );
    }

    #[test]
    fn capabilities_list_who_can_each_dangerous_thing() {
        let r = review("arn:aws:iam::111122223333:user/a");
        let caps = r.capabilities();
        assert_eq!(
            caps.len(),
            1,
            "read objects is not a capability of the blast radius"
        );
        assert_eq!(caps[0].topic, "delete buckets");
        assert_eq!(caps[0].principals.len(), 1);
        assert!(caps[0].principals[0].escalates);
        let v: serde_json::Value = serde_json::from_str(&account_json(&r)).unwrap();
        assert_eq!(
            v["capabilities"][0]["principals"][0]["principal"],
            "arn:aws:iam::111122223333:user/a"
        );
        assert_eq!(v["principals"][0]["verdict"]["items"][0]["answer"], "some");
    }
}
