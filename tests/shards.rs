//! `score-rows` on shards of a catalog, then `merge`, publishes the very
//! bytes `score` publishes for the whole catalog: with 1, 3 and 7 shards,
//! with rankings that spill to disk, and from JSON lines. A part scored
//! with other profiles, or cut short, is refused and nothing is published.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// A generated catalog plus awkward rows, shuffled: (header, rows), each
/// row its fields. The two rows of one repeated id are put first and last
/// (so in different shards).
fn awkward_catalog(dir: &Path, rows: u32, seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let generated = dir.join("gen.csv");
    bin()
        .args(["generate", "--rows", &rows.to_string(), "--seed", "9", "-o"])
        .arg(&generated)
        .assert()
        .success();
    let (header, mut rows) = read_csv(&generated);
    let width = header.len();
    let row = |cells: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        v.resize(width, String::new());
        v
    };
    let ingredients = rows[0][8].clone();
    rows.push(row(&[
        "AWK-NL",
        "Cream with\na quoted newline",
        "Brand\nTwo lines",
        "face cream",
        "cream",
        "face",
        "",
        "fragrance free",
        &ingredients,
        "12.00",
    ]));
    rows.push(row(&[
        "AWK-CRLF",
        "Serum\r\nwith CRLF inside",
        "Marque",
        "serum",
        "",
        "face",
        "",
        "non-comedogenic",
        "Aqua,\r\nGlycerin, Niacinamide",
        "9.50",
    ]));
    rows.push(row(&[
        "AWK-ÜNÏ-日本",
        "Crème Éclat 日本の美容液",
        "Maison Élise",
        "serum",
        "gel",
        "eye",
        "",
        "",
        "Aqua, Glycérine, Extrait de Thé Vert, Squalane",
        "30",
    ]));
    rows.push(row(&[
        "",
        "A product without an id",
        "Nobody",
        "toner",
        "",
        "face",
        "",
        "",
        "Aqua",
        "1",
    ]));
    // Lines inside a cell that look like rows: a row that swallowed
    // others (rejected, counting each line).
    rows.push(row(&[
        "AWK-SWALLOWED",
        "Broken export",
        "B",
        "toner",
        "",
        "face",
        "",
        "",
        "Aqua\nX1,n,b,c,t,a,,,i,1\nX2,n,b,c,t,a,,,i,2",
        "3",
    ]));
    let mut dup = rows[10].clone();
    dup[1] = "The same id, another product".into();
    // A deterministic shuffle (xorshift).
    let mut state = seed | 1;
    for i in (1..rows.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        rows.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let first = rows.iter().position(|r| r[0] == dup[0]).unwrap();
    let kept = rows.remove(first);
    rows.insert(0, kept);
    rows.push(dup);
    (header, rows)
}

/// Writes a CSV file: the header, then the rows.
fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// Writes the whole catalog and its `n` shards (in order, each with the
/// header); returns the whole file and the shards.
fn shards(
    dir: &Path,
    header: &[String],
    rows: &[Vec<String>],
    n: usize,
) -> (PathBuf, Vec<PathBuf>) {
    let whole = dir.join("whole.csv");
    write_csv(&whole, header, rows);
    let per = rows.len().div_ceil(n);
    let mut files = Vec::new();
    for (i, chunk) in rows.chunks(per).enumerate() {
        let p = dir.join(format!("shard-{n}-{i:02}.csv"));
        write_csv(&p, header, chunk);
        files.push(p);
    }
    assert_eq!(files.len(), n);
    (whole, files)
}

#[test]
fn shards_scored_apart_and_merged_publish_what_score_publishes() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 1200, 7);
    for n in [1, 3, 7] {
        let (whole, files) = shards(tmp.path(), &header, &rows, n);
        let expected = tmp.path().join(format!("score-{n}"));
        score_stdin(&whole, &expected, &["-q", "--format", "shopify"]);
        // The parts in a folder, as Spark writes them (with its _SUCCESS).
        let parts = tmp.path().join(format!("parts-{n}"));
        fs::create_dir(&parts).unwrap();
        fs::write(parts.join("_SUCCESS"), "").unwrap();
        for (i, f) in files.iter().enumerate() {
            score_rows(f, &parts.join(format!("part-{i:05}")), &[]);
        }
        let merged = tmp.path().join(format!("merged-{n}"));
        let (code, log) = merge(&[parts], &merged, &["-q", "--format", "shopify"]);
        assert_eq!(code, 0, "{log}");
        assert_same_release(&expected, &merged, &format!("{n} shards"));
    }
    // The awkward rows are where they should be.
    let out = tmp.path().join("merged-7");
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 3, "{rejects:?}");
    let swallowed = rejects.iter().find(|r| r[1] == "AWK-SWALLOWED").unwrap();
    let line: u64 = swallowed[0].parse().unwrap();
    let span = format!("({line} to {})", line + 2);
    assert!(swallowed[3].contains(&span), "{swallowed:?}");
    assert!(rejects.iter().any(|r| r[3] == "empty product_id"));
    assert!(rejects
        .iter()
        .any(|r| r[3].starts_with("duplicate product_id")));
    let (_, scores) = read_csv(&out.join("scores.csv"));
    for id in ["AWK-NL", "AWK-CRLF", "AWK-ÜNÏ-日本"] {
        assert!(scores.iter().any(|r| r[0] == id), "{id}");
    }
}

#[test]
fn merged_shards_equal_one_run_when_the_rankings_spill() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 6000, 3);
    let (whole, files) = shards(tmp.path(), &header, &rows, 3);
    let expected = tmp.path().join("score");
    score_stdin(&whole, &expected, &["-q"]);
    let mut parts = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = tmp.path().join(format!("part-{i}.jsonl"));
        score_rows(f, &p, &[]);
        parts.push(p);
    }
    // A part compressed where it is stored is read through gzip.
    let gz = tmp.path().join("part-1.jsonl.gz");
    let mut enc =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &fs::read(&parts[1]).unwrap()).unwrap();
    enc.finish().unwrap();
    parts[1] = gz;
    let merged = tmp.path().join("merged");
    let (code, log) = merge(&parts, &merged, &["--memory-limit", "16", "-j", "2"]);
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("were sorted in runs on disk and merged"),
        "{log}"
    );
    assert_same_release(&expected, &merged, "spilled");
    // summary.json reads back as the struct it is written from.
    let summary: milia_rank::run::Summary =
        serde_json::from_slice(&fs::read(merged.join("summary.json")).unwrap()).unwrap();
    assert!(summary.spilled_bytes > 0);
    assert_eq!(summary.rows_rejected, 5);
}

#[test]
fn merged_top_lists_of_parts_with_a_local_top_equal_one_run() {
    let tmp = workdir();
    let (header, mut rows) = awkward_catalog(tmp.path(), 1200, 5);
    // No repeated id: a local best list cannot know of another part's rows.
    rows.pop();
    let (whole, files) = shards(tmp.path(), &header, &rows, 3);
    let expected = tmp.path().join("score");
    score_stdin(&whole, &expected, &["-q", "--top", "20"]);
    let mut parts = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = tmp.path().join(format!("part-{i}.jsonl"));
        score_rows(f, &p, &["--top", "25"]);
        parts.push(p);
    }
    let merged = tmp.path().join("merged");
    let (code, log) = merge(&parts, &merged, &["-q", "--top", "20"]);
    assert_eq!(code, 0, "{log}");
    assert_same_release(&expected, &merged, "--top");
    // Parts that kept 25 cannot make a list of 30.
    let (code, log) = merge(&parts, &tmp.path().join("more"), &["-q", "--top", "30"]);
    assert_eq!(code, 2, "{log}");
    assert!(log.contains("--top 25"), "{log}");
}

/// The rows of a CSV file as JSON lines keyed by its header.
fn to_jsonl(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for r in rows {
        let map: serde_json::Map<String, serde_json::Value> = header
            .iter()
            .zip(r)
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        out.push_str(&serde_json::to_string(&map).unwrap());
        out.push('\n');
    }
    out
}

#[test]
fn json_lines_score_as_the_same_rows_in_csv() {
    let tmp = workdir();
    let (header, mut rows) = awkward_catalog(tmp.path(), 800, 11);
    // A cell whose lines look like CSV rows is a damaged CSV export, not a
    // damaged JSON line.
    rows.retain(|r| r[0] != "AWK-SWALLOWED");
    let (_, files) = shards(tmp.path(), &header, &rows, 3);
    let (mut csv_parts, mut json_parts) = (Vec::new(), Vec::new());
    for (i, f) in files.iter().enumerate() {
        let p = tmp.path().join(format!("csv-{i}.jsonl"));
        score_rows(f, &p, &[]);
        csv_parts.push(p);
        let (h, r) = read_csv(f);
        let input = tmp.path().join(format!("rows-{i}.jsonl"));
        fs::write(&input, to_jsonl(&h, &r)).unwrap();
        let p = tmp.path().join(format!("json-{i}.jsonl"));
        score_rows(&input, &p, &["--input", "jsonl"]);
        json_parts.push(p);
    }
    let (a, b) = (tmp.path().join("from-csv"), tmp.path().join("from-json"));
    assert_eq!(merge(&csv_parts, &a, &["-q"]).0, 0);
    let (code, log) = merge(&json_parts, &b, &["-q"]);
    assert_eq!(code, 0, "{log}");
    // The rankings, scores and unknown names are the same bytes; rejects
    // are the same rows (their lines and raw text are the input's own).
    for (name, x) in dir_files(&a) {
        let y = fs::read(b.join(&name)).unwrap();
        match name.as_str() {
            "summary.json" | "report.html" => {}
            "rejects.csv" => {
                let key = |p: &Path| -> Vec<(String, String)> {
                    read_csv(p)
                        .1
                        .into_iter()
                        .map(|r| (r[1].clone(), r[2].clone()))
                        .collect()
                };
                assert_eq!(key(&a.join(&name)), key(&b.join(&name)));
            }
            _ => assert!(x == y, "{name} differs between CSV and JSON lines"),
        }
    }
}

#[test]
fn a_part_scored_with_other_profiles_is_refused_by_name() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 300, 2);
    let (_, files) = shards(tmp.path(), &header, &rows, 3);
    let mut parts = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = tmp.path().join(format!("part-{i}.jsonl"));
        let extra: &[&str] = if i == 1 {
            &["--concerns", "milia-prone,baby"]
        } else {
            &[]
        };
        score_rows(f, &p, extra);
        parts.push(p);
    }
    let out = tmp.path().join("out");
    let (code, log) = merge(&parts, &out, &[]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("part-1.jsonl"), "{log}");
    assert!(
        !log.contains("part-0.jsonl") && !log.contains("part-2.jsonl"),
        "{log}"
    );
    assert!(
        log.contains("another knowledge base, concern profiles or model"),
        "{log}"
    );
    assert!(!out.join("summary.json").exists());
    // Another version of milia-rank wrote part 2.
    let text = fs::read_to_string(&parts[0]).unwrap();
    let other = text.replace(
        &format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"version\":\"0.0.1\"",
    );
    fs::write(&parts[2], other).unwrap();
    let (code, log) = merge(&[parts[0].clone(), parts[2].clone()], &out, &[]);
    assert_eq!(code, 1, "{log}");
    assert!(
        log.contains("part-2.jsonl") && log.contains("milia-rank 0.0.1"),
        "{log}"
    );
    assert!(!out.join("summary.json").exists());
}

#[test]
fn a_part_cut_short_is_refused_and_nothing_is_published() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 300, 4);
    let (_, files) = shards(tmp.path(), &header, &rows, 3);
    let mut parts = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = tmp.path().join(format!("part-{i}.jsonl"));
        score_rows(f, &p, &[]);
        parts.push(p);
    }
    // A release already published stays as it is.
    let out = tmp.path().join("out");
    let (code, log) = merge(&parts, &out, &["-q"]);
    assert_eq!(code, 0, "{log}");
    let before = dir_files(&out);
    // Part 1 loses its closing record, then half of its bytes.
    let text = fs::read_to_string(&parts[1]).unwrap();
    let without_count = &text[..text.trim_end().rfind('\n').unwrap() + 1];
    for cut in [without_count, &text[..text.len() / 2]] {
        fs::write(&parts[1], cut).unwrap();
        let (code, log) = merge(&parts, &out, &[]);
        assert_eq!(code, 1, "{log}");
        assert!(
            log.contains("part-1.jsonl") && log.contains("cut short"),
            "{log}"
        );
        assert!(dir_files(&out) == before, "the published release changed");
    }
    // A count record that does not match the records before it.
    let at = text.rfind("{\"kind\":\"count\"").unwrap();
    let extra = format!(
        "{}{{\"kind\":\"blank\",\"line\":1}}\n{}",
        &text[..at],
        &text[at..]
    );
    fs::write(&parts[1], extra).unwrap();
    let (code, log) = merge(&parts, &tmp.path().join("other"), &[]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("records were lost or added"), "{log}");
}

#[test]
fn an_empty_partition_is_a_part_of_its_closing_record_alone() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 200, 6);
    let (whole, _) = shards(tmp.path(), &header, &rows, 1);
    let empty_input = tmp.path().join("empty.csv");
    fs::write(&empty_input, "").unwrap();
    let empty = tmp.path().join("part-0.jsonl");
    score_rows(&empty_input, &empty, &[]);
    let text = fs::read_to_string(&empty).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("{\"kind\":\"count\""), "{text}");
    let part = tmp.path().join("part-1.jsonl");
    score_rows(&whole, &part, &[]);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(merge(std::slice::from_ref(&part), &a, &["-q"]).0, 0);
    let (code, log) = merge(&[empty.clone(), part, empty.clone()], &b, &["-q"]);
    assert_eq!(code, 0, "{log}");
    assert_same_release(&a, &b, "with empty parts");
    // Empty parts alone are no catalog.
    let (code, log) = merge(&[empty], &tmp.path().join("c"), &[]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("empty input"), "{log}");
}

/// One row as CSV text with its line end.
fn csv_line(row: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(row).unwrap();
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn empty_and_blank_lines_at_the_edges_of_shards_keep_every_line_number() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 150, 8);
    let head = csv_line(&header);
    // Five shards' bodies, with empty lines (which a CSV reader skips) and
    // blank ones (spaces, which it reads) at their starts and ends, and a
    // shard of empty lines alone.
    let chunks: Vec<&[Vec<String>]> = rows.chunks(rows.len().div_ceil(4)).collect();
    let mut bodies: Vec<String> = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut body = String::new();
        if i % 2 == 1 {
            body.push_str("\n\n");
        }
        for r in chunk.iter() {
            body.push_str(&csv_line(r));
        }
        body.push_str(match i {
            0 => "\n\n\n",
            1 => "   \n\n",
            _ => "",
        });
        bodies.push(body);
        if i == 1 {
            bodies.push("\n\n".into());
        }
    }
    let whole = tmp.path().join("whole.csv");
    fs::write(&whole, format!("{head}{}", bodies.concat())).unwrap();
    let expected = tmp.path().join("score");
    score_stdin(&whole, &expected, &["-q", "--format", "shopify"]);
    let mut parts = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let shard = tmp.path().join(format!("shard-{i}.csv"));
        fs::write(&shard, format!("{head}{body}")).unwrap();
        let p = tmp.path().join(format!("part-{i}.jsonl"));
        score_rows(&shard, &p, &[]);
        parts.push(p);
    }
    let merged = tmp.path().join("merged");
    // Without a handle column every product is listed, by line, in
    // summary.json as not exportable: each part's first product is there.
    let (code, log) = merge(&parts, &merged, &["-q", "--format", "shopify"]);
    assert_eq!(code, 0, "{log}");
    assert_same_release(&expected, &merged, "empty lines at the edges");
}

#[test]
fn score_rows_streams_its_records_before_its_input_ends() {
    let tmp = workdir();
    let (header, rows) = awkward_catalog(tmp.path(), 4000, 12);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_milia-rank"))
        .args(["score-rows", "-q", "-j", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut kinds = std::collections::BTreeMap::<String, u64>::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let kind = v["kind"].as_str().unwrap().to_string();
            if kind == "product" && !kinds.contains_key("product") {
                let _ = tx.send(());
            }
            *kinds.entry(kind).or_default() += 1;
        }
        kinds
    });
    // Half the rows, and the input stays open: records come out already.
    use std::io::Write;
    let half = rows.len() / 2;
    stdin.write_all(csv_line(&header).as_bytes()).unwrap();
    for r in &rows[..half] {
        stdin.write_all(csv_line(r).as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("a product record before the input's end");
    for r in &rows[half..] {
        stdin.write_all(csv_line(r).as_bytes()).unwrap();
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let kinds = reader.join().unwrap();
    assert_eq!(kinds["count"], 1);
    assert_eq!(kinds["product"] + kinds["reject"], rows.len() as u64);
}
