//! A `--top` ranking scores most products without the evidence's texts
//! (what reasons quote) and scores again, with them, a product a ranking
//! may keep. These tests hold it to that: without the texts every score and
//! every other field is the same, and a kept entry's reasons are the ones a
//! full ranking writes.

use std::sync::Arc;

use milia_rank::catalog::{CatalogOptions, CatalogReader, CatalogSource, Mapping};
use milia_rank::knowledge::KnowledgeBase;
use milia_rank::model::{self, Assessment, Explain};
use milia_rank::pipeline::{self, Checked};

use crate::common::{
    bin, read_csv, real_catalog_maps, shared_catalogs, workdir, CONCERNS, REAL_CATALOGS,
};

/// An assessment with its evidence's texts cleared (their number kept).
fn without_texts(mut a: Assessment) -> Assessment {
    for ev in a.features.evidence.iter_mut() {
        for b in ev.because.iter_mut() {
            b.clear();
        }
    }
    a.explained = false;
    a
}

/// Every product of a catalog, assessed with and without the texts:
/// equal once the texts are cleared. Returns how many were compared.
fn compare_catalog(source: CatalogSource, maps: Vec<Mapping>) -> usize {
    let kb = KnowledgeBase::builtin();
    let concerns = model::builtin_concerns();
    let opts = CatalogOptions {
        maps,
        delimiter: None,
        encoding: None,
        allow_missing_ingredients: false,
    };
    let mut reader = CatalogReader::open(&source, &opts).expect("the catalog opens");
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    let never = |_: usize| false;
    while reader.read(&mut rec).expect("the catalog reads") {
        let Checked::Product(p) = pipeline::check(&rec, &reader.columns) else {
            continue;
        };
        let full = pipeline::assess(&p, &kb, &concerns);
        let values = pipeline::assess_with(&p, &kb, &concerns, Explain::For(&never));
        assert!(full.explained && !values.explained);
        let quoted = full
            .features
            .evidence
            .iter()
            .any(|e| e.because.iter().any(|b| !b.is_empty()));
        assert!(
            quoted,
            "line {}: the full assessment quotes evidence",
            p.line
        );
        assert_eq!(
            without_texts(full),
            without_texts(values),
            "line {}",
            p.line
        );
        n += 1;
    }
    n
}

#[test]
fn without_the_evidence_texts_every_score_and_field_is_the_same() {
    let n = compare_catalog(CatalogSource::Sample, vec![]);
    assert!(n >= 50, "{n} sample products");
    let mut generated = Vec::new();
    milia_rank::generate::write_catalog(&mut generated, 3000, 7, &KnowledgeBase::builtin())
        .unwrap();
    let n = compare_catalog(
        CatalogSource::Memory("generated".into(), Arc::from(generated)),
        vec![],
    );
    assert_eq!(n, 3000);
}

#[test]
#[ignore = "needs ../shared/catalogs beside the repository"]
fn without_the_evidence_texts_real_catalogs_score_the_same() {
    let dir = shared_catalogs();
    for file in REAL_CATALOGS {
        let maps = real_catalog_maps(file)
            .chunks(2)
            .map(|m| m[1].parse::<Mapping>().unwrap())
            .collect();
        let n = compare_catalog(CatalogSource::File(dir.join(file)), maps);
        assert!(n > 100, "{file}: {n}");
    }
}

/// Past its first rows a --top ranking scores without the texts; the
/// entries it keeps still carry the reasons a full ranking gives them, at
/// one thread and at several.
#[test]
fn a_top_ranking_keeps_the_reasons_a_full_one_writes() {
    let tmp = workdir();
    let catalog = tmp.path().join("catalog.csv");
    bin()
        .args(["generate", "--rows", "6000", "--seed", "11", "--out"])
        .arg(&catalog)
        .assert()
        .success();
    let full = tmp.path().join("full");
    bin()
        .arg("score")
        .arg(&catalog)
        .args(["-q", "--out"])
        .arg(&full)
        .assert()
        .success();
    for threads in ["1", "3"] {
        let top = tmp.path().join(format!("top{threads}"));
        bin()
            .arg("score")
            .arg(&catalog)
            .args(["-q", "--top", "20", "--threads", threads, "--out"])
            .arg(&top)
            .assert()
            .success();
        for c in CONCERNS {
            let (header, all) = read_csv(&full.join(format!("{c}.csv")));
            let (_, best) = read_csv(&top.join(format!("{c}.csv")));
            let reasons = header.iter().position(|h| h == "reasons").unwrap();
            assert_eq!(best.len(), all.len().min(20), "{c}");
            assert!(best.iter().all(|r| !r[reasons].is_empty()), "{c}");
            assert_eq!(best[..], all[..best.len()], "{c}, {threads} threads");
        }
    }
}
