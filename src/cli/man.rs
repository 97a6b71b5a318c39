//! `s3guard man [SUBCOMMAND]`: the man page (roff), generated from the
//! clap definitions (clap_mangen).

use clap::{Args, CommandFactory};

use super::{Cli, Io, EXIT_INVALID, EXIT_OK};
use crate::diagnostic::{did_you_mean, Diagnostic};

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Print the page of this subcommand (s3guard-SUBCOMMAND(1)) instead of s3guard(1).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// Prints the man page.
pub fn run(args: &ManArgs, io: &mut Io<'_>) -> i32 {
    let cmd = Cli::command();
    let (page, title) = match &args.subcommand {
        None => (cmd, "s3guard".to_string()),
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name).cloned() else {
                let names: Vec<String> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name().to_string())
                    .collect();
                let hint = match did_you_mean(name, names.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("subcommands: {}", names.join(", ")),
                };
                io.diagnostics(
                    &[Diagnostic::error(
                        "INVALID_ARGUMENT",
                        format!("s3guard has no subcommand `{name}`"),
                    )
                    .with_hint(hint)],
                    false,
                );
                return EXIT_INVALID;
            };
            let title = format!("s3guard-{}", sub.get_name());
            let bin = format!("s3guard {}", sub.get_name());
            (
                sub.display_name(title.clone())
                    .bin_name(bin)
                    .version(env!("CARGO_PKG_VERSION")),
                title,
            )
        }
    };
    let man = clap_mangen::Man::new(page).title(title);
    let mut buf = Vec::new();
    if let Err(e) = man.render(&mut buf) {
        io.diagnostics(
            &[Diagnostic::error(
                "IO_ERROR",
                format!("cannot render the man page: {e}"),
            )],
            false,
        );
        return EXIT_INVALID;
    }
    io.out(String::from_utf8_lossy(&buf).trim_end());
    EXIT_OK
}
