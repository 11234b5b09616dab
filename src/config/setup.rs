//! `spacewatch setup`: the wizard that writes `.env` (interactive, or from flags for scripts).
//!
//! The server reads the file with `dotenvy`, so every value is written double-quoted with `\`,
//! `"` and `$` escaped: in that form dotenvy returns exactly what was typed (no `$VAR`
//! expansion, and `#` and spaces are kept). Secrets are never echoed or printed. The file is
//! replaced atomically with mode 0600, and lines for keys the wizard does not manage are kept.

use std::fmt;
use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

const KEY_AGENT_URL: &str = "DO_AGENT_URL";
const KEY_AGENT_KEY: &str = "DO_AGENT_KEY";
const KEY_API_KEY: &str = "APP_API_KEY";
const KEY_REGION: &str = "SPACES_REGION";
const MANAGED_KEYS: [&str; 4] = [KEY_AGENT_URL, KEY_AGENT_KEY, KEY_API_KEY, KEY_REGION];
const DEFAULT_REGION: &str = "sgp1";
const MAX_TRIES: usize = 3;
/// The admin key guards the admin endpoints, so a short guessable one is refused.
const MIN_API_KEY_LEN: usize = 16;
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
    validate: fn(&str) -> Result<String, String>,
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
            .field("api_key", &redact(&self.api_key))
            .field("generate_api_key", &self.generate_api_key)
            .field("region", &self.region)
            .finish()
    }
}

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

/// Why the wizard wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    /// `reason` never contains the rejected value, so secrets cannot leak through errors.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("invalid {field}: {reason} (gave up after {MAX_TRIES} tries)")]
    TooManyAttempts { field: &'static str, reason: String },
    #[error("{} already exists; pass --force to overwrite it", .0.display())]
    Exists(PathBuf),
    #[error("setup aborted; nothing was written")]
    Aborted,
}

/// Runs the wizard; returns the path written.
pub fn run(args: &SetupArgs, prompter: &mut dyn Prompter) -> Result<PathBuf, SetupError> {
    let path = target_path(args);
    if path.file_name().is_none() {
        return Err(invalid("env_file", "must name a file"));
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

fn invalid(field: &'static str, reason: impl Into<String>) -> SetupError {
    let reason = reason.into();
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
        let agent_key = match url {
            Some(_) => self.resolve(&AGENT_KEY)?,
            None if given(&self.args.agent_key).is_some() => {
                return Err(invalid(KEY_AGENT_KEY, "given without an agent URL"));
            }
            None => None,
        };
        let api_key = self.api_key()?;
        let region = self.resolve(&REGION)?;
        let region = region.unwrap_or_else(|| DEFAULT_REGION.to_string());
        Ok(vec![
            Answer::new(&AGENT_URL, url, false),
            Answer::new(&AGENT_KEY, agent_key, false),
            api_key,
            Answer::new(&REGION, Some(region), false),
        ])
    }

    fn api_key(&mut self) -> Result<Answer, SetupError> {
        let (flag, generate) = (given(&self.args.api_key), self.args.generate_api_key);
        if generate && flag.is_some() {
            let reason = "use either --api-key or --generate-api-key";
            return Err(invalid(KEY_API_KEY, reason));
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
        let mut last_reason = String::new();
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
                    last_reason = reason;
                }
            }
        }
        let (field, reason) = (field.key, last_reason);
        Err(SetupError::TooManyAttempts { field, reason })
    }
}

/// Reads the file as it is now (after the questions), so edits made meanwhile are kept.
fn read_existing(path: &Path, existed: bool) -> Result<String, SetupError> {
    if !existed {
        // Created while we were asking: nobody agreed to overwrite it.
        return match fs::symlink_metadata(path) {
            Ok(_) => Err(SetupError::Exists(path.to_path_buf())),
            Err(_) => Ok(String::new()),
        };
    }
    match fs::read_to_string(path) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(write_error(path, source)),
    }
}

fn write_error(path: &Path, source: io::Error) -> SetupError {
    let path = path.to_path_buf();
    SetupError::Write { path, source }
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

fn check_no_control(value: &str) -> Result<(), String> {
    match value.chars().any(char::is_control) {
        true => Err("must not contain newlines or other control characters".into()),
        false => Ok(()),
    }
}

fn validate_url(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    // Checked before parsing because the url crate silently strips tabs and newlines.
    check_no_control(value)?;
    let url = url::Url::parse(value).map_err(|e| format!("not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must include a host".into());
    }
    // The URL is shown in the summary, so it must not carry a secret.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "must not contain credentials; put the key in {KEY_AGENT_KEY}"
        ));
    }
    Ok(value.to_string())
}

/// Keys travel in HTTP headers, so they must be printable ASCII without edge whitespace
/// (header parsing would strip it and the key would never match).
fn validate_secret(raw: &str, min_len: usize) -> Result<String, String> {
    check_no_control(raw)?;
    if !raw.is_ascii() {
        return Err("must be ASCII (it is sent in an HTTP header)".into());
    }
    if raw.trim() != raw {
        return Err("must not start or end with whitespace".into());
    }
    if raw.len() < min_len {
        return Err(format!("must be at least {min_len} characters"));
    }
    Ok(raw.to_string())
}

/// Same as `^[a-z0-9-]{2,20}$`.
fn validate_region(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !(2..=20).contains(&value.len()) || !value.chars().all(ok_char) {
        return Err("must be 2-20 characters of a-z, 0-9 or '-' (e.g. sgp1, nyc3)".into());
    }
    Ok(value.to_string())
}

/// 32 bytes from the OS CSPRNG via two v4 UUIDs, as 64 hex chars
/// (244 random bits: each UUID fixes 6 version/variant bits).
fn generate_api_key() -> String {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    format!("{}{}", a.simple(), b.simple())
}

/// Double quotes with `\`, `"` and `$` escaped: dotenvy then reads the value back verbatim.
fn quote(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out + "\""
}

/// Keeps every entry of `existing` except managed keys (and our header); the managed block
/// goes where the first managed key was, or at the end.
fn render(existing: &str, values: &[(&str, &str)]) -> String {
    let managed =
        |e: &str| e.trim_end() == HEADER || entry_key(e).is_some_and(|k| MANAGED_KEYS.contains(&k));
    let (mut kept, mut insert_at) = (Vec::new(), None);
    for entry in split_entries(existing) {
        match managed(entry) {
            true => _ = insert_at.get_or_insert(kept.len()),
            false => kept.push(entry.to_string()),
        }
    }
    let at = insert_at.unwrap_or(kept.len());
    let mut block = vec![HEADER.to_string()];
    block.extend(values.iter().map(|(k, v)| format!("{k}={}", quote(v))));
    if insert_at.is_none() && kept.last().is_some_and(|e| !e.trim().is_empty()) {
        block.insert(0, String::new()); // a blank line between the user's lines and ours
    }
    kept.splice(at..at, block);
    kept.iter()
        .map(|e| format!("{}\n", e.strip_suffix('\n').unwrap_or(e)))
        .collect()
}

/// Splits a dotenv file into entries the way dotenvy does: a quoted value may span lines.
fn split_entries(text: &str) -> Vec<&str> {
    let (mut entries, mut start, mut end) = (Vec::new(), 0, 0);
    let mut state = QuoteState::default();
    for line in text.split_inclusive('\n') {
        end += line.len();
        if state.quote.is_some() || !line.trim_start().starts_with('#') {
            state.scan(line);
        }
        if state.quote.is_none() {
            entries.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        entries.push(&text[start..]); // unterminated quote: keep it verbatim
    }
    entries
}

#[derive(Default)]
struct QuoteState {
    quote: Option<char>,
    escaped: bool,
}

impl QuoteState {
    fn scan(&mut self, line: &str) {
        let mut after_space = true;
        for c in line.chars() {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if let Some(q) = self.quote {
                if c == q {
                    self.quote = None;
                }
            } else if c == '"' || c == '\'' {
                self.quote = Some(c);
            } else if c == '#' && after_space {
                return; // inline comment: quotes in it do not count
            }
            after_space = c.is_whitespace();
        }
    }
}

/// The key an entry assigns (`KEY=…` or `export KEY=…`), if any.
fn entry_key(entry: &str) -> Option<&str> {
    let s = entry.trim_start();
    let s = match s.strip_prefix("export") {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
        _ => s,
    };
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    let (key, rest) = s.split_at(s.find(|c: char| !is_key_char(c)).unwrap_or(s.len()));
    (!key.is_empty() && rest.trim_start().starts_with('=')).then_some(key)
}

/// Temp file in the same directory (so the rename is atomic), private from its creation.
fn write_atomically(path: &Path, contents: &str) -> Result<(), SetupError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let result = write_private(&tmp, contents).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp); // never leave a stray copy of the secrets behind
    }
    result.map_err(|source| write_error(path, source))?;
    // Best effort: makes the rename itself survive a crash.
    #[cfg(unix)]
    let _ = fs::File::open(dir).and_then(|d| d.sync_all());
    Ok(())
}

fn write_private(tmp: &Path, contents: &str) -> io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(tmp)?;
    // The umask may have narrowed the mode; make it exactly 0600.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
#[path = "setup_tests.rs"]
mod tests;
