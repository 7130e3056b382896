//! Every error is one line on stderr starting `milia-rank: error:`, with
//! the documented exit status: clap's and toml's messages of several lines
//! included, and command-line errors carry clap's own usage line.

use std::path::Path;

use crate::common::*;

/// Runs the binary and returns its exit status and stderr.
fn fails(args: &[&str], dir: &Path) -> (i32, String) {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    let code = out.status.code().expect("an exit status, not a signal");
    (code, String::from_utf8(out.stderr).unwrap())
}

/// The one error line of a failed run, checked for its form.
fn one_error_line(args: &[&str], dir: &Path, code: i32) -> String {
    let (got, stderr) = fails(args, dir);
    assert_eq!(got, code, "{args:?}: {stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .map(untimed)
        .filter(|l| l.contains("error"))
        .collect();
    assert_eq!(errors.len(), 1, "{args:?}: one error line:\n{stderr}");
    let line = errors[0];
    assert!(line.starts_with("milia-rank: error: "), "{args:?}: {line}");
    assert!(
        !line.contains("\\n"),
        "{args:?}: an escaped line end: {line}"
    );
    // Nothing else but milia-rank's own log lines, each stamped with the
    // time (stderr is not a terminal here).
    for l in stderr.lines() {
        assert_ne!(untimed(l), l, "{args:?}: no time at the start of `{l}`");
        assert!(
            untimed(l).starts_with("milia-rank: "),
            "{args:?}: stray line `{l}`"
        );
    }
    line.to_string()
}

/// The usage line `milia-rank <sub> --help` prints.
fn usage(sub: &str) -> String {
    let out = bin().args([sub, "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    help.lines()
        .find_map(|l| l.strip_prefix("Usage: "))
        .expect("a usage line")
        .to_string()
}

#[test]
fn command_line_errors_are_one_line_with_clap_usage_and_exit_2() {
    let tmp = workdir();
    let d = tmp.path();
    let line = one_error_line(&[], d, 2);
    assert_eq!(
        line,
        "milia-rank: error: no command given; the commands are score, score-rows, merge, \
         ingredients, validate, explain, concerns, generate, completions, man (see \
         `milia-rank --help`)"
    );
    let line = one_error_line(&["score", "--bogus"], d, 2);
    assert!(
        line.starts_with("milia-rank: error: unexpected argument '--bogus' found; usage: "),
        "{line}"
    );
    assert!(
        line.ends_with(&format!(
            "; usage: {} (see `milia-rank score --help`)",
            usage("score")
        )),
        "{line}"
    );
    // clap writes this one over several lines; the argument stays.
    let line = one_error_line(&["explain"], d, 2);
    assert!(
        line.contains("the following required arguments were not provided: <PRODUCT_ID>;"),
        "{line}"
    );
    assert!(
        line.ends_with("(see `milia-rank explain --help`)"),
        "{line}"
    );
    // An invalid value: clap prints no usage, milia-rank adds clap's.
    let line = one_error_line(&["generate", "--rows", "x", "-o", "g.csv"], d, 2);
    assert!(
        line.contains("invalid value 'x' for '--rows <N>'")
            && line.ends_with(&format!(
                "; usage: {} (see `milia-rank generate --help`)",
                usage("generate")
            )),
        "{line}"
    );
    let line = one_error_line(&["frobnicate"], d, 2);
    assert!(line.contains("'frobnicate'"), "{line}");
    // `validate` takes CATALOG or --sample, as its usage says: CATALOG is
    // optional in the usage, and giving neither is the error.
    assert_eq!(usage("validate"), "milia-rank validate [OPTIONS] [CATALOG]");
    let line = one_error_line(&["validate"], d, 2);
    assert!(line.contains("no catalog given"), "{line}");
}

#[test]
fn file_and_data_errors_are_one_line_with_their_status() {
    let tmp = workdir();
    let d = tmp.path();
    let out = d.join("out");
    let out = out.to_str().unwrap();
    let line = one_error_line(&["score", "missing.csv", "-o", out], d, 3);
    assert_eq!(
        line,
        "milia-rank: error: missing.csv: no such file or directory"
    );
    std::fs::create_dir(d.join("folder.csv")).unwrap();
    let line = one_error_line(&["score", "folder.csv", "-o", out], d, 3);
    assert_eq!(
        line,
        "milia-rank: error: folder.csv: is a directory, not a catalog file"
    );
    std::fs::write(d.join("empty.csv"), "").unwrap();
    one_error_line(&["score", "empty.csv", "-o", out], d, 1);
    assert!(!d.join("out").exists(), "nothing published");
}

#[test]
fn concerns_file_errors_are_one_line_at_the_bad_key() {
    let tmp = workdir();
    let d = tmp.path();
    let cases: [(&str, &str, &str); 4] = [
        // toml's syntax message is two lines of its own.
        (
            "syntax.toml",
            "[[concern]]\nslug = \"baby\"\n\n[concern.weights\nocclusion = -10\n",
            "syntax.toml: line 4: invalid table header; expected ",
        ),
        (
            "factor.toml",
            "[[concern]]\nslug = \"baby\"\n\n[concern.weights]\nocclusion = -10\nglitter = -5\n",
            "factor.toml: line 6, column `weights.glitter`: unknown factor `glitter`",
        ),
        (
            "key.toml",
            "[[concern]]\nslug = \"baby\"\n\nbase = 60\nbaes = 3\n",
            "key.toml: line 5: unknown field `baes`",
        ),
        (
            "area.toml",
            "[[concern]]\nslug = \"baby\"\n[concern.eligibility]\nareas = [\n  \"face\",\n  \"elbow\",\n]\n",
            "area.toml: line 6, column `eligibility.areas`: unknown area `elbow`",
        ),
    ];
    for (file, text, expected) in cases {
        std::fs::write(d.join(file), text).unwrap();
        for args in [
            vec!["concerns", "--concerns-file", file],
            vec![
                "score",
                "--sample",
                "-q",
                "-o",
                "out",
                "--concerns-file",
                file,
            ],
        ] {
            let line = one_error_line(&args, d, 1);
            assert!(
                line.starts_with(&format!("milia-rank: error: {expected}")),
                "{args:?}: {line}"
            );
        }
    }
    assert!(!d.join("out").exists(), "nothing published");
}
