//! criterion benchmarks: parsing one INCI list, scoring one product, and
//! the whole `score` pipeline on a catalog.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use milia_rank::inci::parse_list;
use milia_rank::knowledge::KnowledgeBase;
use milia_rank::model::{self, builtin_concerns, Described, ProductInput};

const LIST: &str =
    "Water (Aqua, Eau), Glycerin, Paraffinum Liquidum, Petrolatum, Cetearyl Alcohol, \
    Butyrospermum Parkii (Shea) Butter, Isopropyl Myristate, Dimethicone, Cera Microcristallina, \
    Glyceryl Stearate, PEG-100 Stearate, Niacinamide, Sodium Hyaluronate, Tocopheryl Acetate, \
    Retinol 0.3%, Salicylic Acid, Phenoxyethanol, Ethylhexylglycerin, Carbomer, Sodium Hydroxide, \
    Disodium EDTA, Parfum (Fragrance), Linalool, Limonene.";

fn bench_parse(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin();
    let mut g = c.benchmark_group("inci");
    g.throughput(Throughput::Bytes(LIST.len() as u64));
    g.bench_function("parse_list_24_items", |b| {
        b.iter(|| parse_list(black_box(LIST), &kb))
    });
    g.finish();
}

fn bench_score(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin();
    let concerns = builtin_concerns();
    let input = ProductInput {
        described: Described {
            name: "Intensive Repair Night Cream",
            category: "Moisturiser",
            texture: "",
            area: "",
            spf: None,
        },
        claims: "non-comedogenic",
        ingredients: LIST,
    };
    c.bench_function("assess_one_product_six_concerns", |b| {
        b.iter(|| model::assess(black_box(&input), &kb, &concerns))
    });
}

criterion_group!(benches, bench_parse, bench_score);
criterion_main!(benches);
