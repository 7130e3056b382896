//! `milia-rank ingredients`: how much of a catalog's ingredient lists the
//! knowledge base recognises.

use crate::common::*;

#[test]
#[ignore = "needs ../shared/catalogs beside the repository"]
fn ingredient_coverage_of_real_catalogs_is_at_least_95_percent_in_the_top_ten() {
    let dir = shared_catalogs();
    for f in REAL_CATALOGS {
        let output = bin()
            .arg("ingredients")
            .arg(dir.join(f))
            .args(real_catalog_maps(f))
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        let mut lines = text.lines();
        let all = lines.next().unwrap();
        let top = lines.next().unwrap();
        assert!(all.starts_with("coverage: ") && all.ends_with('%'), "{all}");
        let pct: f64 = top
            .strip_prefix("top10-coverage: ")
            .and_then(|s| s.strip_suffix('%'))
            .unwrap()
            .parse()
            .unwrap();
        assert!(pct >= 95.0, "{f}: {top}");
    }
}
