//! The `.env` file itself: quoting, keeping unrelated lines, atomic private writes.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use super::{HEADER, MANAGED_KEYS, SetupError};

/// Reads the file as it is now (after the questions), so edits made meanwhile are kept.
pub(super) fn read_existing(path: &Path, existed: bool) -> Result<String, SetupError> {
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

pub(super) fn write_error(path: &Path, source: io::Error) -> SetupError {
    let path = path.to_path_buf();
    SetupError::Write { path, source }
}

/// Double quotes with `\`, `"` and `$` escaped: dotenvy then reads the value back verbatim.
pub(super) fn quote(value: &str) -> String {
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
pub(super) fn render(existing: &str, values: &[(&str, &str)]) -> String {
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
pub(super) fn split_entries(text: &str) -> Vec<&str> {
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
pub(super) fn entry_key(entry: &str) -> Option<&str> {
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
pub(super) fn write_atomically(path: &Path, contents: &str) -> Result<(), SetupError> {
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

pub(super) fn write_private(tmp: &Path, contents: &str) -> io::Result<()> {
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
