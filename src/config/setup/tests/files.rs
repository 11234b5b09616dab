//! The non-interactive mode, the .env file itself, secrets and validation.

use super::*;

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
        agent_model: Some(" gpt-4o-mini ".into()),
        api_key: Some(api_key.into()),
        ..scripted(&path)
    };
    run(&args, &mut Script::default()).unwrap();
    let env = read_env(&path);
    assert_eq!(get(&env, KEY_AGENT_MODEL), Some("gpt-4o-mini"));
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
        Text(""),
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

#[test]
fn a_model_without_an_agent_url_is_refused_and_a_bad_one_named() {
    let (_dir, path) = setup_dir();
    let args = SetupArgs {
        agent_model: Some("gpt-4o-mini".into()),
        ..scripted(&path)
    };
    let err = run(&args, &mut Script::default()).unwrap_err();
    assert!(
        matches!(
            err,
            SetupError::Invalid {
                field: KEY_AGENT_MODEL,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("without an agent URL"), "{err}");
    let args = SetupArgs {
        agent_url: Some("https://agent.example.com".into()),
        agent_model: Some("two words".into()),
        ..scripted(&path)
    };
    let err = run(&args, &mut Script::default()).unwrap_err();
    assert!(err.to_string().contains("DO_AGENT_MODEL"), "{err}");
    assert!(!path.exists(), "nothing written");
}
