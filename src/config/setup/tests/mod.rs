//! Tests for the setup wizard, driven by a scripted `Prompter`.

use super::envfile::entry_key;
use super::*;
use std::collections::VecDeque;
use tempfile::TempDir;

#[derive(Debug)]
enum Reply {
    Text(&'static str),
    Secret(&'static str),
    Confirm(bool),
}

/// Replays answers in order (panicking on a question of the wrong kind) and records output.
#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    said: Vec<String>,
    asked: Vec<String>,
    /// Simulates another process creating the target while the user is answering.
    create_on_ask: Option<PathBuf>,
}

impl Script {
    fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        Self {
            replies: replies.into_iter().collect(),
            ..Self::default()
        }
    }

    fn next(&mut self, question: &str) -> Reply {
        self.asked.push(question.to_string());
        if let Some(path) = self.create_on_ask.take() {
            fs::write(path, "RACE=1\n").unwrap();
        }
        self.replies
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected question: {question}"))
    }

    /// Everything the wizard showed: said lines and the questions themselves.
    fn output(&self) -> String {
        let mut all = self.said.clone();
        all.extend(self.asked.iter().cloned());
        all.join("\n")
    }
}

impl Prompter for Script {
    fn say(&mut self, line: &str) {
        self.said.push(line.to_string());
    }
    fn ask(&mut self, question: &str, default: Option<&str>) -> io::Result<String> {
        match self.next(question) {
            Reply::Text("") => Ok(default.unwrap_or("").to_string()),
            Reply::Text(t) => Ok(t.to_string()),
            other => panic!("ask({question}) but script has {other:?}"),
        }
    }
    fn ask_secret(&mut self, question: &str) -> io::Result<String> {
        match self.next(question) {
            Reply::Secret(s) => Ok(s.to_string()),
            other => panic!("ask_secret({question}) but script has {other:?}"),
        }
    }
    fn confirm(&mut self, question: &str, _default: bool) -> io::Result<bool> {
        match self.next(question) {
            Reply::Confirm(b) => Ok(b),
            other => panic!("confirm({question}) but script has {other:?}"),
        }
    }
}

use Reply::{Confirm, Secret, Text};

fn setup_dir() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    (dir, path)
}

fn args_for(path: &Path) -> SetupArgs {
    SetupArgs {
        env_file: path.to_path_buf(),
        ..SetupArgs::default()
    }
}

fn scripted(path: &Path) -> SetupArgs {
    SetupArgs {
        non_interactive: true,
        ..args_for(path)
    }
}

/// Reads the file back exactly as the server will.
fn read_env(path: &Path) -> Vec<(String, String)> {
    dotenvy::from_path_iter(path)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn get<'a>(env: &'a [(String, String)], key: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn keys(env: &[(String, String)]) -> Vec<&str> {
    env.iter().map(|(k, _)| k.as_str()).collect()
}

mod files;
mod wizard;
