//! The sample run's rankings as a reviewed snapshot
//! (tests/snapshots/main__rankings__sample_top_ten.snap): a change to a
//! rule, a weight or the knowledge base shows in review as the lines of
//! the top tens it moves. README, "Tests", says how to accept a change.

use std::fmt::Write;

use crate::common::*;

#[test]
fn sample_top_ten_of_each_concern() {
    let tmp = workdir();
    let out = tmp.path().join("out");
    score_sample(&out);
    let mut text = String::new();
    for c in CONCERNS {
        let (header, rows) = read_csv(&out.join(format!("{c}.csv")));
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{c}.csv has a `{name}` column"))
        };
        let (rank, id, name, score, grade) = (
            col("rank"),
            col("product_id"),
            col("name"),
            col("score"),
            col("grade"),
        );
        writeln!(text, "{c} ({} ranked)", rows.len()).unwrap();
        for r in rows.iter().take(10) {
            writeln!(
                text,
                "{:>3} {:<8} {:>5} {} {}",
                r[rank], r[id], r[score], r[grade], r[name]
            )
            .unwrap();
        }
        text.push('\n');
    }
    insta::assert_snapshot!("sample_top_ten", text);
}
