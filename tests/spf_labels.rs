//! SPF columns as labels write them, and the PA rating as a UVA signal.

use crate::common::*;

#[test]
fn spf_columns_as_labels_write_them_are_read() {
    let tmp = workdir();
    let list = "\"Aqua, Ethylhexyl Methoxycinnamate, Homosalate, Glycerin, Dimethicone\"";
    let labels = [
        ("S1", "SPF50+", "50"),
        ("S2", "SPF 50+ PA++++", "50"),
        ("S3", "50+", "50"),
        ("S4", "SPF 30 / PA+++", "30"),
        ("S5", "FPS 50", "50"),
        ("S6", "LSF 30", "30"),
        ("S7", "IP 50", "50"),
    ];
    let rows: Vec<String> = labels
        .iter()
        .map(|(id, spf, _)| {
            format!("{id},Daily Fluid {id},B,Sunscreen,fluid,face,{spf},,{list},20")
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let cat = catalog(tmp.path(), &rows);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    let (_, rejects) = read_csv(&out.join("rejects.csv"));
    assert!(rejects.is_empty(), "{rejects:?}");
    let (h, scores) = read_csv(&out.join("scores.csv"));
    let spf_col = h.iter().position(|c| c == "spf").unwrap();
    for (id, _, want) in labels {
        let row = scores.iter().find(|r| r[0] == id).unwrap();
        assert_eq!(row[spf_col], want, "{id}");
    }
    // The PA rating counts as broad-spectrum (UVA) protection: the same
    // product ranks higher with it, and the reasons say why.
    let with_pa = score_of(&out, "sun-care", "S2").unwrap();
    let without = score_of(&out, "sun-care", "S1").unwrap();
    assert!(with_pa > without, "{with_pa} > {without}");
    let (_, sun) = read_csv(&out.join("sun-care.csv"));
    let s2 = sun.iter().find(|r| r[1] == "S2").unwrap();
    assert!(s2[6].contains("PA++++ rating (UVA)"), "{s2:?}");
    let s1 = sun.iter().find(|r| r[1] == "S1").unwrap();
    assert!(!s1[6].contains("UVA"), "{s1:?}");
}

#[test]
fn spf_words_of_other_languages_are_read_in_names() {
    let tmp = workdir();
    let list = "\"Aqua, Zinc Oxide, Glycerin\"";
    let rows = [
        format!("L1,Sonnenfluid LSF 30,B,Sonnenschutz,fluid,face,,,{list},20"),
        format!("L2,Protector Solar FPS 50,B,,lotion,face,,,{list},20"),
        format!("L3,Fluide Solaire IP 50,B,,fluid,face,,,{list},20"),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let cat = catalog(tmp.path(), &rows);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    let (h, scores) = read_csv(&out.join("scores.csv"));
    let spf_col = h.iter().position(|c| c == "spf").unwrap();
    let spf: Vec<&str> = scores.iter().map(|r| r[spf_col].as_str()).collect();
    assert_eq!(spf, ["30", "50", "50"]);
}
