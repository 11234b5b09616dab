//! The interactive wizard: answers, retries, overwrites, reruns.

use super::*;

#[test]
fn happy_interactive_path() {
    let (dir, path) = setup_dir();
    let mut p = Script::new([
        Text("https://agent.example.com/v1"),
        Secret("agent-secret-123"),
        Text("has space"),
        Text("meta-llama/Llama-3.1-8B-Instruct"),
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
        [
            KEY_AGENT_URL,
            KEY_AGENT_KEY,
            KEY_AGENT_MODEL,
            KEY_API_KEY,
            KEY_REGION
        ]
    );
    assert_eq!(
        get(&env, KEY_AGENT_MODEL),
        Some("meta-llama/Llama-3.1-8B-Instruct")
    );
    assert!(
        p.said
            .iter()
            .any(|l| l.starts_with("Invalid DO_AGENT_MODEL") && l.contains("without spaces")),
        "{:?}",
        p.said
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
    assert!(
        out.contains("DO_AGENT_MODEL=meta-llama/Llama-3.1-8B-Instruct"),
        "{out}"
    );
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
        Text(""),
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
        Text(""),
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
