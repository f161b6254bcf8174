//! What the binary tells about itself besides `--help`: the show format's reference, shell
//! completions and the man page. All three come from a single source each — the format from the
//! markdown the library's docs include, completions and man page from the same clap definition
//! as `--help` — so they cannot drift apart.

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::out::Stdout;
use concert::preset::FORMAT_REFERENCE;
use concert::preset::error::escape;
use concert::show::melody::NOTATION;

/// `concert format`: the key table of show files and the melody notation.
pub fn format() -> Result<()> {
    let mut out = Stdout::new();
    out.bytes(FORMAT_REFERENCE.as_bytes())?;
    out.bytes(b"\n")?;
    out.bytes(NOTATION.as_bytes())?;
    out.finish()?;
    Ok(())
}

/// `concert completions SHELL`. The script is made in memory first: clap_complete panics when
/// its writer fails, and standard output may be a closed pipe.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "concert", &mut script);
    let mut out = Stdout::new();
    out.bytes(&script)?;
    out.finish()?;
    Ok(())
}

/// `concert man [SUB] [--dir DIR]`: the page of `concert` (its subcommands listed) or of one
/// subcommand (`concert-render(1)`, with every option) on standard output, or all pages as
/// files, as `git` ships its manual.
pub fn man(args: ManArgs) -> Result<()> {
    // Built as `generate_to` builds it (names `concert-render`, versions propagated), so a
    // page printed here is byte for byte the file `--dir` writes.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        let cmd = Cli::command();
        if !dir.is_dir() {
            bail!(
                "cannot write man pages to {}: not a folder (create it first)",
                dir.display()
            );
        }
        clap_mangen::generate_to(cmd, dir)
            .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
        return Ok(());
    }
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
            let Some(sub) = cmd.find_subcommand(name) else {
                bail!(
                    "no man page for \"{}\" — commands: {}",
                    escape(name),
                    names.join(", ")
                );
            };
            sub.clone()
        }
    };
    let mut text = Vec::new();
    clap_mangen::Man::new(page).render(&mut text)?;
    let mut out = Stdout::new();
    out.bytes(&text)?;
    out.finish()?;
    Ok(())
}
