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

#[test]
fn happy_interactive_path() {
    let (dir, path) = setup_dir();
    let mut p = Script::new([
        Text("https://agent.example.com/v1"),
        Secret("agent-secret-123"),
        Confirm(false),
        Secret("admin-secret-0123456789"),
        Text("nyc3"),
    ]);
    let written = run(&args_for(&path), &mut p).unwrap();
    assert_eq!(written, path);
    assert!(p.replies.is_empty(), "unused answers: {:?}", p.replies);
    let env = read_env(&path);
    assert_eq!(
        keys(&env),
        [KEY_AGENT_URL, KEY_AGENT_KEY, KEY_API_KEY, KEY_REGION]
    );
    assert_eq!(
        get(&env, KEY_AGENT_URL),
        Some("https://agent.example.com/v1")
    );
    assert_eq!(get(&env, KEY_AGENT_KEY), Some("agent-secret-123"));
    assert_eq!(get(&env, KEY_API_KEY), Some("admin-secret-0123456789"));
    assert_eq!(get(&env, KEY_REGION), Some("nyc3"));
    let out = p.output();
    assert!(out.contains("DO_AGENT_KEY=****(set)"), "{out}");
    assert!(out.contains("APP_API_KEY=****(set)"), "{out}");
    assert!(out.contains("SPACES_REGION=nyc3"), "{out}");
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [".env"], "temp file left behind");
}

#[test]
fn blank_answers_skip_optional_values_and_default_region() {
    let (_dir, path) = setup_dir();
    // Blank URL: the agent key question must not be asked at all.
    let mut p = Script::new([Text(""), Confirm(true), Text("")]);
    run(&args_for(&path), &mut p).unwrap();
    assert!(p.replies.is_empty());
    let env = read_env(&path);
    assert_eq!(keys(&env), [KEY_API_KEY, KEY_REGION]);
    assert_eq!(get(&env, KEY_REGION), Some(DEFAULT_REGION));
    assert!(
        p.output().contains("APP_API_KEY=****(generated"),
        "{}",
        p.output()
    );
}

#[test]
fn invalid_url_then_valid() {
    let (_dir, path) = setup_dir();
    let mut p = Script::new([
        Text("ftp://agent.example.com"),
        Text("https://agent.example.com"),
        Secret(""),
        Confirm(false),
        Secret(""),
        Text(""),
    ]);
    run(&args_for(&path), &mut p).unwrap();
    let complaint = p
        .said
        .iter()
        .find(|l| l.starts_with("Invalid DO_AGENT_URL"));
    assert!(
        complaint.is_some_and(|l| l.contains("http:// or https://")),
        "{:?}",
        p.said
    );
    let env = read_env(&path);
    assert_eq!(get(&env, KEY_AGENT_URL), Some("https://agent.example.com"));
    assert_eq!(get(&env, KEY_AGENT_KEY), None);
    assert_eq!(get(&env, KEY_API_KEY), None);
}

#[test]
fn gives_up_after_three_invalid_answers() {
    let (_dir, path) = setup_dir();
    let mut p = Script::new([
        Text("nope"),
        Text("http://"),
        Text("https://u:pw@a.example.com"),
    ]);
    let err = run(&args_for(&path), &mut p).unwrap_err();
    assert!(
        matches!(
            err,
            SetupError::TooManyAttempts {
                field: KEY_AGENT_URL,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("credentials"), "{err}");
    assert!(!path.exists());
}

#[test]
fn refuses_overwrite_when_not_confirmed() {
    let (_dir, path) = setup_dir();
    let original = "SPACES_REGION=keep1\nOTHER=1\n";
    fs::write(&path, original).unwrap();
    let mut p = Script::new([Confirm(false)]);
    let err = run(&args_for(&path), &mut p).unwrap_err();
    assert!(matches!(err, SetupError::Aborted), "{err:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), original);
    assert_eq!(
        p.asked.len(),
        1,
        "asked more than the confirmation: {:?}",
        p.asked
    );
}

const EXISTING: &str = "# my comment\n\
OTHER='keep me'\n\
DO_AGENT_URL=https://old.example.com\n\
MULTI=\"line one\n\
DO_AGENT_KEY=inside-a-quoted-value\n\
line three\"\n\
export SPACES_REGION=old1\n\
TAIL='x' # it's a trailing comment\n";

#[test]
fn overwrite_preserves_unrelated_lines() {
    let (_dir, path) = setup_dir();
    fs::write(&path, EXISTING).unwrap();
    let mut p = Script::new([
        Confirm(true),
        Text("https://new.example.com"),
        Secret("new-agent-key"),
        Confirm(false),
        Secret(""),
        Text("ams3"),
    ]);
    run(&args_for(&path), &mut p).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let multi = "MULTI=\"line one\nDO_AGENT_KEY=inside-a-quoted-value\nline three\"\n";
    let expected_start = format!("# my comment\nOTHER='keep me'\n{HEADER}\n");
    assert!(text.starts_with(&expected_start), "{text}");
    assert!(
        text.ends_with(&format!("{multi}TAIL='x' # it's a trailing comment\n")),
        "{text}"
    );
    assert!(
        !text.contains("old.example.com") && !text.contains("old1"),
        "{text}"
    );
    let env = read_env(&path);
    assert_eq!(
        keys(&env),
        [
            "OTHER",
            KEY_AGENT_URL,
            KEY_AGENT_KEY,
            KEY_REGION,
            "MULTI",
            "TAIL"
        ]
    );
    assert_eq!(get(&env, "OTHER"), Some("keep me"));
    assert_eq!(
        get(&env, "MULTI"),
        Some("line one\nDO_AGENT_KEY=inside-a-quoted-value\nline three")
    );
    assert_eq!(get(&env, KEY_AGENT_URL), Some("https://new.example.com"));
    assert_eq!(get(&env, KEY_REGION), Some("ams3"));
}

#[test]
fn rerun_is_idempotent() {
    let (_dir, path) = setup_dir();
    fs::write(&path, "A=1\n\n# note\n").unwrap();
    let args = SetupArgs {
        force: true,
        region: Some("fra1".into()),
        ..scripted(&path)
    };
    run(&args, &mut Script::default()).unwrap();
    let first = fs::read_to_string(&path).unwrap();
    run(&args, &mut Script::default()).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), first);
    assert_eq!(
        first,
        format!("A=1\n\n# note\n\n{HEADER}\nSPACES_REGION=\"fra1\"\n")
    );
}

#[test]
fn non_interactive_refuses_existing_file_without_force() {
    let (_dir, path) = setup_dir();
    fs::write(&path, "OTHER=1\n").unwrap();
    let mut p = Script::default();
    let err = run(&scripted(&path), &mut p).unwrap_err();
    assert!(
        matches!(&err, SetupError::Exists(p) if *p == path),
        "{err:?}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "OTHER=1\n");
    assert!(p.said.is_empty() && p.asked.is_empty());

    let forced = SetupArgs {
        force: true,
        ..scripted(&path)
    };
    run(&forced, &mut p).unwrap();
    assert_eq!(keys(&read_env(&path)), ["OTHER", KEY_REGION]);
}

#[test]
fn non_interactive_writes_only_given_values() {
    let (_dir, path) = setup_dir();
    // An empty flag (e.g. from an unset shell variable) counts as not given.
    let args = SetupArgs {
        agent_url: Some(String::new()),
        ..scripted(&path)
    };
    let mut p = Script::default();
    run(&args, &mut p).unwrap();
    let env = read_env(&path);
    assert_eq!(env, [(KEY_REGION.to_string(), DEFAULT_REGION.to_string())]);
    assert!(p.asked.is_empty());
}

#[test]
fn target_created_while_answering_is_not_clobbered() {
    let (_dir, path) = setup_dir();
    let mut p = Script::new([Text(""), Confirm(true), Text("")]);
    p.create_on_ask = Some(path.clone());
    let err = run(&args_for(&path), &mut p).unwrap_err();
    assert!(matches!(err, SetupError::Exists(_)), "{err:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "RACE=1\n");
}

const TRICKY: [&str; 14] = [
    "with spaces inside",
    " leading and trailing ",
    "#starts-with-hash",
    "a #b",
    "dq\"inside\"",
    "it's 'single'",
    "$HOME ${USER} $",
    "back\\slash\\",
    "\\n is not a newline",
    "a=b==c",
    "mixed: a b#c\"d'e$f\\g=h",
    "",
    "héllo ☃",
    "''\"\"",
];

#[test]
fn quoting_round_trips_tricky_values_through_dotenvy() {
    let (_dir, path) = setup_dir();
    let keys: Vec<String> = (0..TRICKY.len()).map(|i| format!("K{i}")).collect();
    let pairs: Vec<(&str, &str)> = keys.iter().map(String::as_str).zip(TRICKY).collect();
    fs::write(&path, render("", &pairs)).unwrap();
    let env = read_env(&path);
    let values: Vec<&str> = env.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(values, TRICKY);
}

#[test]
fn wizard_round_trips_tricky_secrets_and_url() {
    let (_dir, path) = setup_dir();
    let url = "https://agent.example.com/p?q=a=b&x=$HOME#frag";
    let agent_key = "a b#c\"d'e$f\\g=h";
    let api_key = "x #y \"q\" 'z' ${USER} \\n = end\\";
    let args = SetupArgs {
        agent_url: Some(url.into()),
        agent_key: Some(agent_key.into()),
        api_key: Some(api_key.into()),
        ..scripted(&path)
    };
    run(&args, &mut Script::default()).unwrap();
    let env = read_env(&path);
    assert_eq!(get(&env, KEY_AGENT_URL), Some(url));
    assert_eq!(get(&env, KEY_AGENT_KEY), Some(agent_key));
    assert_eq!(get(&env, KEY_API_KEY), Some(api_key));
}

#[test]
fn rejects_newlines_and_control_characters() {
    let (_dir, path) = setup_dir();
    for (field, args) in [
        (
            KEY_AGENT_KEY,
            SetupArgs {
                agent_key: Some("abc\ndef".into()),
                ..scripted(&path)
            },
        ),
        (
            KEY_API_KEY,
            SetupArgs {
                api_key: Some("0123456789abcdef\r".into()),
                ..scripted(&path)
            },
        ),
        (
            KEY_AGENT_URL,
            SetupArgs {
                agent_url: Some("https://a.example.com/\tx".into()),
                ..scripted(&path)
            },
        ),
    ] {
        let args = SetupArgs {
            agent_url: args.agent_url.or(Some("https://a.example.com".into())),
            ..args
        };
        let err = run(&args, &mut Script::default()).unwrap_err();
        assert!(
            matches!(&err, SetupError::Invalid { field: f, .. } if *f == field),
            "{err:?}"
        );
        assert!(err.to_string().contains("control characters"), "{err}");
        assert!(!path.exists());
    }
}

#[test]
fn secrets_never_appear_in_output() {
    let (_dir, path) = setup_dir();
    let (agent_key, api_key) = ("agent-SECRET-value", "admin-SECRET-value-42");
    let mut p = Script::new([
        Text("https://agent.example.com"),
        Secret(" agent-SECRET-value"),
        Secret(agent_key),
        Confirm(false),
        Secret("admin-SECRET"),
        Secret(api_key),
        Text(""),
    ]);
    run(&args_for(&path), &mut p).unwrap();
    assert_eq!(
        p.said.iter().filter(|l| l.starts_with("Invalid")).count(),
        2,
        "{:?}",
        p.said
    );
    let env = read_env(&path);
    assert_eq!(get(&env, KEY_AGENT_KEY), Some(agent_key));
    assert!(!p.output().contains("SECRET"), "{}", p.output());

    let mut p = Script::new([Text(""), Confirm(true), Text("")]);
    let forced = SetupArgs {
        force: true,
        ..args_for(&path)
    };
    run(&forced, &mut p).unwrap();
    let generated = read_env(&path)
        .into_iter()
        .find(|(k, _)| k == KEY_API_KEY)
        .unwrap()
        .1;
    assert!(!p.output().contains(&generated), "{}", p.output());
}

#[test]
fn secrets_stay_out_of_debug_and_errors() {
    let args = SetupArgs {
        agent_key: Some("agent-SECRET".into()),
        api_key: Some("api\nSECRET".into()),
        non_interactive: true,
        ..SetupArgs::default()
    };
    assert!(!format!("{args:?}").contains("SECRET"), "{args:?}");
    let err = run(
        &SetupArgs {
            agent_key: None,
            ..args
        },
        &mut Script::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            SetupError::Invalid {
                field: KEY_API_KEY,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("SECRET"), "{err:?}");
}

#[cfg(unix)]
#[test]
fn file_mode_is_0600_even_when_replacing_a_readable_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = setup_dir();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    run(&scripted(&path), &mut Script::default()).unwrap();
    assert_eq!(mode(&path), 0o600);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    run(
        &SetupArgs {
            force: true,
            ..scripted(&path)
        },
        &mut Script::default(),
    )
    .unwrap();
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn generated_api_key_is_64_hex_chars() {
    let (_dir, path) = setup_dir();
    let args = SetupArgs {
        generate_api_key: true,
        force: true,
        ..scripted(&path)
    };
    let mut generated = Vec::new();
    for _ in 0..2 {
        run(&args, &mut Script::default()).unwrap();
        let key = get(&read_env(&path), KEY_API_KEY).unwrap().to_string();
        assert_eq!(key.len(), 64, "{key}");
        assert!(
            key.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
            "{key}"
        );
        generated.push(key);
    }
    assert_ne!(generated[0], generated[1]);
}

#[test]
fn conflicting_or_orphan_flags_are_rejected() {
    let (_dir, path) = setup_dir();
    let both = SetupArgs {
        api_key: Some("0123456789abcdef".into()),
        generate_api_key: true,
        ..scripted(&path)
    };
    let err = run(&both, &mut Script::default()).unwrap_err();
    assert!(
        matches!(
            err,
            SetupError::Invalid {
                field: KEY_API_KEY,
                ..
            }
        ),
        "{err:?}"
    );
    let orphan = SetupArgs {
        agent_key: Some("k".into()),
        ..scripted(&path)
    };
    let err = run(&orphan, &mut Script::default()).unwrap_err();
    assert!(
        matches!(
            err,
            SetupError::Invalid {
                field: KEY_AGENT_KEY,
                ..
            }
        ),
        "{err:?}"
    );
    let short = SetupArgs {
        api_key: Some("too-short".into()),
        ..scripted(&path)
    };
    let err = run(&short, &mut Script::default()).unwrap_err();
    assert!(err.to_string().contains("at least 16"), "{err}");
    assert!(!path.exists());
}

#[test]
fn region_validator_matches_the_pattern() {
    for ok in ["sgp1", "nyc3", "ab", "a-b-1", "abcdefghij0123456789"] {
        assert_eq!(validate_region(ok).as_deref(), Ok(ok));
    }
    for bad in [
        "a",
        "",
        "SGP1",
        "sgp_1",
        "sgp 1",
        "ñyc3",
        "abcdefghij0123456789x",
    ] {
        assert!(validate_region(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn entry_key_recognises_assignments_only() {
    assert_eq!(entry_key("DO_AGENT_URL=x"), Some("DO_AGENT_URL"));
    assert_eq!(
        entry_key("  export  SPACES_REGION = x"),
        Some("SPACES_REGION")
    );
    assert_eq!(entry_key("export=1"), Some("export"));
    assert_eq!(entry_key("# DO_AGENT_URL=x"), None);
    assert_eq!(entry_key("DO_AGENT_URL"), None);
}

#[test]
fn clap_parses_flags_with_cli_defaults() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        setup: SetupArgs,
    }
    let cli = Cli::try_parse_from(["spacewatch", "--non-interactive", "--region", "ams3"]).unwrap();
    assert_eq!(cli.setup.env_file, PathBuf::from(".env"));
    // `SetupArgs::default()` has an empty path; `run` must then use the same default.
    assert_eq!(target_path(&SetupArgs::default()), cli.setup.env_file);
    assert_eq!(target_path(&cli.setup), cli.setup.env_file);
    assert!(cli.setup.non_interactive && !cli.setup.force);
    assert_eq!(cli.setup.region.as_deref(), Some("ams3"));
}

#[test]
fn failed_write_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    // Renaming a file over a non-empty directory fails, after the temp file was written.
    let target = dir.path().join("taken");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside"), "x").unwrap();
    let err = write_atomically(&target, "SECRET=1\n").unwrap_err();
    assert!(matches!(err, SetupError::Write { .. }), "{err:?}");
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["taken"]);
}
