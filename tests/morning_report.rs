//! The report's first screen: when the run started, which catalog it read,
//! whether the catalog is new and whether the results differ from the
//! previous run; movers are products whose own score changed.

use std::fs;
use std::path::Path;

use crate::common::*;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The report's first section (the morning screen).
fn first_screen(out: &Path) -> String {
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let start = html.find("<section id=\"run\"").expect("a run section");
    let end = start + html[start..].find("</section>").unwrap();
    assert!(
        start < html.find("<section id=\"summary\"").unwrap(),
        "it comes first"
    );
    html[start..end].to_string()
}

const ROWS: [&str; 4] = [
    "A,Light Gel,Halcyon Lab,moisturiser,gel,face,,,\"Aqua, Glycerin, Niacinamide\",10",
    "B,Rich Balm,Oak & Co,balm,balm,face,,,\"Petrolatum, Lanolin, Cera Alba\",12",
    "C,Calm Toner,Verdane,toner,water,face,,,\"Aqua, Glycerin, Panthenol\",9",
    "D,Squalane Gel-Cream,Verd,moisturiser,gel-cream,face,,,\"Aqua, Squalane, Glycerin, Carbomer\",22",
];

#[test]
fn the_first_screen_says_when_which_catalog_and_whether_anything_changed() {
    let tmp = workdir();
    let cat = catalog(tmp.path(), &ROWS);
    let out = tmp.path().join("out");

    // Night 1: nothing to compare with.
    score(&cat, &out, &[]);
    let s = json(&out.join("summary.json"));
    let started = s["started_at"].as_str().unwrap();
    let modified = s["catalog_modified"].as_str().unwrap();
    let screen = first_screen(&out);
    let run_line = screen
        .lines()
        .find(|l| l.contains("id=\"run-time\""))
        .unwrap();
    assert!(
        run_line.contains(&format!(
            "Run started <b>{}</b>",
            started.replace('T', " ").replace('Z', " UTC")
        )),
        "{run_line}"
    );
    assert!(run_line.contains("after the catalog was last modified"));
    let bytes = fs::metadata(&cat).unwrap().len();
    assert!(screen.contains(&format!("{bytes} bytes")), "{screen}");
    assert!(screen.contains(&modified.replace('T', " ").replace('Z', " UTC")));
    assert!(screen.contains(&cat.display().to_string()));
    assert!(screen.contains(&format!("milia-rank {}", env!("CARGO_PKG_VERSION"))));
    assert!(screen.contains("Unknown: no previous run to compare with"));
    assert!(screen.contains("No previous run to compare with."));

    // Brand in the top-10 tables.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let top = &html[html.find("<section id=\"top\"").unwrap()..];
    let top = &top[..top.find("</section>").unwrap()];
    assert!(top.contains("<th>Brand</th>"), "{top}");
    assert!(top.contains("<td>Halcyon Lab</td>"));
    assert!(top.contains("<td>Oak &#38; Co</td>"));

    // Night 2: the export was not rewritten: stale catalog, same results.
    score(&cat, &out, &[]);
    let screen = first_screen(&out);
    assert!(
        screen.contains("No: the same catalog file as the previous run"),
        "{screen}"
    );
    assert!(screen
        .contains("No: no product new or dropped, and no score changed by 1.0 point or more."));
    assert!(screen.contains("; the previous run started "));

    // Night 3: a new export without C. Ranks below C shift, no score
    // changes: the run differs (one dropped) but nobody is a mover.
    let cat = catalog(tmp.path(), &[ROWS[0], ROWS[1], ROWS[3]]);
    // One product of four is gone: more than the default shrink guard.
    score(&cat, &out, &["--max-shrink", "30%"]);
    let screen = first_screen(&out);
    assert!(
        screen.contains("Yes: the catalog changed since the previous run"),
        "{screen}"
    );
    assert!(
        screen.contains("Yes: 0 new, 1 dropped, 0 score changes of 1.0 point or more"),
        "{screen}"
    );
    let s = json(&out.join("summary.json"));
    let c = &s["changes"];
    assert_eq!(c["dropped_products"][0][0], "C");
    assert_eq!(c["min_score_change"], 1.0);
    for cc in c["concerns"].as_array().unwrap() {
        assert_eq!(cc["score_changes"], 0, "{cc}");
        assert!(cc["risers"].as_array().unwrap().is_empty(), "{cc}");
        assert!(cc["fallers"].as_array().unwrap().is_empty(), "{cc}");
    }
}

#[test]
fn a_catalog_from_standard_input_has_no_age() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    let text = format!("{HEADER}\n{}\n", ROWS[0]);
    bin()
        .args(["score", "-", "-q", "-o"])
        .arg(&out)
        .write_stdin(text)
        .assert()
        .success();
    let screen = first_screen(&out);
    assert!(screen.contains("Unknown: the catalog has no modification time"));
    assert!(screen.contains("— (standard input)"));
    assert!(!screen.contains("after the catalog was last modified"));
}
