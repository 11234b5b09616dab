//! `spacewatch setup`: the wizard that writes `.env` (interactive, or from flags for scripts).
//!
//! The server reads the file with `dotenvy`, so every value is written double-quoted with `\`,
//! `"` and `$` escaped: in that form dotenvy returns exactly what was typed (no `$VAR`
//! expansion, and `#` and spaces are kept). Secrets are never echoed or printed. The file is
//! replaced atomically with mode 0600, and lines for keys the wizard does not manage are kept.

mod envfile;
mod prompt;
mod validate;

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use prompt::{Prompter, TerminalPrompter};

use envfile::{read_existing, render, write_atomically};
pub use validate::Rejected;
use validate::{generate_api_key, validate_model, validate_region, validate_secret, validate_url};

const KEY_AGENT_URL: &str = "DO_AGENT_URL";
const KEY_AGENT_KEY: &str = "DO_AGENT_KEY";
const KEY_AGENT_MODEL: &str = "DO_AGENT_MODEL";
const KEY_API_KEY: &str = "APP_API_KEY";
const KEY_REGION: &str = "SPACES_REGION";
const MANAGED_KEYS: [&str; 5] = [
    KEY_AGENT_URL,
    KEY_AGENT_KEY,
    KEY_AGENT_MODEL,
    KEY_API_KEY,
    KEY_REGION,
];
const DEFAULT_REGION: &str = "sgp1";
const MAX_TRIES: usize = 3;
/// The admin key guards the admin endpoints, so a short guessable one is refused.
use super::MIN_API_KEY_LEN;
/// Marks the block the wizard owns; dropped and rewritten on every run so it never piles up.
const HEADER: &str = "# Managed by `spacewatch setup`; re-run it to change these keys.";

/// One question of the wizard: the key it fills, how it is asked and how it is checked.
struct Field {
    key: &'static str,
    question: &'static str,
    secret: bool,
    default: Option<&'static str>,
    /// The flag (or env var) that answers the question in advance.
    flag: fn(&SetupArgs) -> &Option<String>,
    validate: fn(&str) -> Result<String, Rejected>,
}

static AGENT_URL: Field = Field {
    key: KEY_AGENT_URL,
    question: "AI agent URL, OpenAI-compatible (blank to skip)",
    secret: false,
    default: None,
    flag: |a| &a.agent_url,
    validate: validate_url,
};
static AGENT_KEY: Field = Field {
    key: KEY_AGENT_KEY,
    question: "AI agent API key (blank to skip)",
    secret: true,
    default: None,
    flag: |a| &a.agent_key,
    validate: |v| validate_secret(v, 1),
};
static AGENT_MODEL: Field = Field {
    key: KEY_AGENT_MODEL,
    question: "AI agent model name (blank if the endpoint needs none, as DigitalOcean agents)",
    secret: false,
    default: None,
    flag: |a| &a.agent_model,
    validate: validate_model,
};
static API_KEY: Field = Field {
    key: KEY_API_KEY,
    question: "Admin API key (blank to leave unset)",
    secret: true,
    default: None,
    flag: |a| &a.api_key,
    validate: |v| validate_secret(v, MIN_API_KEY_LEN),
};
static REGION: Field = Field {
    key: KEY_REGION,
    question: "Default Spaces region",
    secret: false,
    default: Some(DEFAULT_REGION),
    flag: |a| &a.region,
    validate: validate_region,
};

// `Default` leaves `env_file` empty; `run` treats that as `.env`, like the CLI default.
// (A plain comment: a doc comment here would become the command's help text.)
#[derive(clap::Args, Clone, Default)]
pub struct SetupArgs {
    /// File to write.
    #[arg(long, default_value = ".env")]
    pub env_file: PathBuf,
    /// Take every value from flags; never prompt.
    #[arg(long)]
    pub non_interactive: bool,
    /// Overwrite an existing file without asking.
    #[arg(long)]
    pub force: bool,
    /// URL of the OpenAI-compatible AI agent (http:// or https://).
    #[arg(long)]
    pub agent_url: Option<String>,
    /// Agent key (prefer the env var SPACEWATCH_SETUP_AGENT_KEY so it stays out of `ps`).
    #[arg(long, env = "SPACEWATCH_SETUP_AGENT_KEY", hide_env_values = true)]
    pub agent_key: Option<String>,
    /// Model name sent to the agent, for endpoints that need one (DO_AGENT_MODEL).
    #[arg(long)]
    pub agent_model: Option<String>,
    /// Admin API key, at least 16 characters (prefer the env var).
    #[arg(long, env = "SPACEWATCH_SETUP_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Generate a random APP_API_KEY.
    #[arg(long)]
    pub generate_api_key: bool,
    /// Default Spaces region [default: sgp1].
    #[arg(long)]
    pub region: Option<String>,
}

/// Hand-written so that logging the arguments with `{:?}` cannot leak the secrets.
impl fmt::Debug for SetupArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "****");
        f.debug_struct("SetupArgs")
            .field("env_file", &self.env_file)
            .field("non_interactive", &self.non_interactive)
            .field("force", &self.force)
            .field("agent_url", &self.agent_url)
            .field("agent_key", &redact(&self.agent_key))
            .field("agent_model", &self.agent_model)
            .field("api_key", &redact(&self.api_key))
            .field("generate_api_key", &self.generate_api_key)
            .field("region", &self.region)
            .finish()
    }
}

/// Why the wizard wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    /// `reason` never contains the rejected value, so secrets cannot leak through errors.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: Rejected,
    },
    #[error("invalid {field}: {reason} (gave up after {MAX_TRIES} tries)")]
    TooManyAttempts {
        field: &'static str,
        reason: Rejected,
    },
    #[error("{} already exists; pass --force to overwrite it", .0.display())]
    Exists(PathBuf),
    #[error("setup aborted; nothing was written")]
    Aborted,
}

/// Runs the wizard; returns the path written.
pub fn run(args: &SetupArgs, prompter: &mut dyn Prompter) -> Result<PathBuf, SetupError> {
    let path = target_path(args);
    if path.file_name().is_none() {
        return Err(invalid("env_file", Rejected::NoFileName));
    }
    let interactive = !args.non_interactive;
    let mut w = Wizard {
        args,
        p: prompter,
        interactive,
    };
    if interactive {
        w.p.say(&format!("SpaceWatch setup writes {}.", path.display()));
        w.p.say("Press Enter to skip optional values; secrets are not echoed.");
    }
    let existed = w.check_target(&path)?;
    let answers = w.collect()?;
    let existing = read_existing(&path, existed)?;
    write_atomically(&path, &render(&existing, &pairs(&answers)))?;
    w.p.say(&format!("Wrote {}:", path.display()));
    for answer in &answers {
        w.p.say(&answer.summary(&path));
    }
    Ok(path)
}

/// An empty path (as in `SetupArgs::default()`) means the CLI default, `.env`.
fn target_path(args: &SetupArgs) -> PathBuf {
    match args.env_file.as_os_str().is_empty() {
        true => PathBuf::from(".env"),
        false => args.env_file.clone(),
    }
}

fn invalid(field: &'static str, reason: Rejected) -> SetupError {
    SetupError::Invalid { field, reason }
}

struct Wizard<'a> {
    args: &'a SetupArgs,
    p: &'a mut dyn Prompter,
    interactive: bool,
}

impl Wizard<'_> {
    /// Decides whether an existing file may be touched before any question is asked.
    /// Returns whether the file existed.
    fn check_target(&mut self, path: &Path) -> Result<bool, SetupError> {
        // symlink_metadata so that even a dangling symlink counts as "something is there".
        let exists = fs::symlink_metadata(path).is_ok();
        if !exists || self.args.force {
            return Ok(exists);
        }
        if !self.interactive {
            return Err(SetupError::Exists(path.to_path_buf()));
        }
        let (file, keys) = (path.display(), MANAGED_KEYS.join(", "));
        let question = format!("{file} exists. Replace {keys} in it (other lines are kept)?");
        match self.p.confirm(&question, false)? {
            true => Ok(true),
            false => Err(SetupError::Aborted),
        }
    }

    fn collect(&mut self) -> Result<Vec<Answer>, SetupError> {
        let url = self.resolve(&AGENT_URL)?;
        let (agent_key, model) = match url {
            Some(_) => (self.resolve(&AGENT_KEY)?, self.resolve(&AGENT_MODEL)?),
            None => {
                for (flag, key) in [
                    (&self.args.agent_key, KEY_AGENT_KEY),
                    (&self.args.agent_model, KEY_AGENT_MODEL),
                ] {
                    if given(flag).is_some() {
                        return Err(invalid(key, Rejected::KeyWithoutUrl));
                    }
                }
                (None, None)
            }
        };
        let api_key = self.api_key()?;
        let region = self.resolve(&REGION)?;
        let region = region.unwrap_or_else(|| DEFAULT_REGION.to_string());
        Ok(vec![
            Answer::new(&AGENT_URL, url, false),
            Answer::new(&AGENT_KEY, agent_key, false),
            Answer::new(&AGENT_MODEL, model, false),
            api_key,
            Answer::new(&REGION, Some(region), false),
        ])
    }

    fn api_key(&mut self) -> Result<Answer, SetupError> {
        let (flag, generate) = (given(&self.args.api_key), self.args.generate_api_key);
        if generate && flag.is_some() {
            return Err(invalid(KEY_API_KEY, Rejected::KeyAndGenerate));
        }
        let offer = self.interactive && flag.is_none() && !generate;
        if generate || (offer && self.p.confirm("Generate a random admin API key?", true)?) {
            return Ok(Answer::new(&API_KEY, Some(generate_api_key()), true));
        }
        Ok(Answer::new(&API_KEY, self.resolve(&API_KEY)?, false))
    }

    /// A flag is validated once (bad flag = error); otherwise the user is asked, up to
    /// `MAX_TRIES` times. A blank answer, or no flag in non-interactive mode, means "not set".
    fn resolve(&mut self, field: &Field) -> Result<Option<String>, SetupError> {
        if let Some(value) = given((field.flag)(self.args)) {
            let checked = (field.validate)(value);
            return checked
                .map(Some)
                .map_err(|reason| invalid(field.key, reason));
        }
        if !self.interactive {
            return Ok(None);
        }
        let mut last_reason = None;
        for _ in 0..MAX_TRIES {
            let answer = match field.secret {
                true => self.p.ask_secret(field.question)?,
                false => self.p.ask(field.question, field.default)?,
            };
            if answer.trim().is_empty() {
                return Ok(None);
            }
            match (field.validate)(&answer) {
                Ok(value) => return Ok(Some(value)),
                // Safe to show: validators never quote the answer, which may be a secret.
                Err(reason) => {
                    let key = field.key;
                    self.p
                        .say(&format!("Invalid {key}: {reason}. Please try again."));
                    last_reason = Some(reason);
                }
            }
        }
        match last_reason {
            Some(reason) => Err(SetupError::TooManyAttempts {
                field: field.key,
                reason,
            }),
            None => Ok(None),
        }
    }
}

/// The outcome for one field; `None` means "not written".
struct Answer {
    field: &'static Field,
    value: Option<String>,
    generated: bool,
}

impl Answer {
    fn new(field: &'static Field, value: Option<String>, generated: bool) -> Self {
        Self {
            field,
            value,
            generated,
        }
    }

    fn pair(&self) -> Option<(&'static str, &str)> {
        Some((self.field.key, self.value.as_deref()?))
    }

    /// The summary line: secrets only as "set", never their value.
    fn summary(&self, path: &Path) -> String {
        let shown = match (&self.value, self.field.secret) {
            (None, _) => "(not set)".to_string(),
            (Some(_), true) if self.generated => {
                format!("****(generated; read it from {})", path.display())
            }
            (Some(_), true) => "****(set)".to_string(),
            (Some(v), false) => v.clone(),
        };
        format!("  {}={shown}", self.field.key)
    }
}

/// The (key, value) pairs to write, in a fixed order.
fn pairs(answers: &[Answer]) -> Vec<(&str, &str)> {
    answers.iter().filter_map(Answer::pair).collect()
}

/// An empty flag (e.g. `--region "$UNSET_VAR"`) counts as not given, which suits scripts.
fn given(flag: &Option<String>) -> Option<&str> {
    flag.as_deref().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests;
