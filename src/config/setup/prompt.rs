//! How the wizard talks to the user: a trait, and its terminal implementation.

use std::io::{self, BufRead, Write};

use super::MAX_TRIES;

/// How the wizard talks to the user; a trait so tests can script the conversation.
pub trait Prompter {
    /// Shows a line of information.
    fn say(&mut self, line: &str);
    /// Asks for a visible answer; a blank answer returns `default` when there is one.
    fn ask(&mut self, question: &str, default: Option<&str>) -> io::Result<String>;
    /// Asks for a secret without echoing it.
    fn ask_secret(&mut self, question: &str) -> io::Result<String>;
    /// Asks a yes/no question; a blank answer returns `default`.
    fn confirm(&mut self, question: &str, default: bool) -> io::Result<bool>;
}

/// Talks to the terminal: questions on stderr, answers from stdin, secrets via rpassword (no echo).
pub struct TerminalPrompter;

impl Prompter for TerminalPrompter {
    fn say(&mut self, line: &str) {
        eprintln!("{line}");
    }

    fn ask(&mut self, question: &str, default: Option<&str>) -> io::Result<String> {
        let hint = default.map(|d| format!(" [{d}]")).unwrap_or_default();
        let answer = read_answer(&format!("{question}{hint}: "))?;
        match default {
            Some(d) if answer.trim().is_empty() => Ok(d.to_string()),
            _ => Ok(answer),
        }
    }

    fn ask_secret(&mut self, question: &str) -> io::Result<String> {
        // Without a terminal rpassword fails with a cryptic OS error; say what to do instead.
        rpassword::prompt_password(format!("{question}: ")).map_err(|e| {
            let hint = "use --non-interactive with the SPACEWATCH_SETUP_* env vars";
            io::Error::new(e.kind(), format!("secrets need a terminal ({e}); {hint}"))
        })
    }

    fn confirm(&mut self, question: &str, default: bool) -> io::Result<bool> {
        let hint = if default { "[Y/n]" } else { "[y/N]" };
        for _ in 0..MAX_TRIES {
            match read_answer(&format!("{question} {hint} "))?.trim() {
                "" => return Ok(default),
                "y" | "Y" | "yes" => return Ok(true),
                "n" | "N" | "no" => return Ok(false),
                _ => eprintln!("Please answer y or n."),
            }
        }
        Err(io::Error::other("no yes/no answer given"))
    }
}

/// Prompts on stderr, returns one stdin line without its line ending. EOF is an error, so a
/// closed stdin can never be mistaken for "accept the default" forever.
fn read_answer(prompt: &str) -> io::Result<String> {
    eprint!("{prompt}");
    io::stderr().flush()?;
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
