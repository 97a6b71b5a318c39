//! `s3guard completions SHELL`: a shell completion script generated from
//! the clap definitions (clap_complete).

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Io, EXIT_OK};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for the shell.
pub fn run(args: &CompletionsArgs, io: &mut Io<'_>) -> i32 {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "s3guard", &mut buf);
    io.out(String::from_utf8_lossy(&buf).trim_end());
    EXIT_OK
}
