//! Rankings judged pair by pair, as someone applying the domain rules would:
//! each test builds a small catalog and checks who ranks above whom.

use crate::common::*;

fn run(rows: &[&str]) -> (WorkDir, std::path::PathBuf) {
    let tmp = workdir();
    let cat = catalog(tmp.path(), rows);
    let out = tmp.path().join("out");
    score(&cat, &out, &[]);
    (tmp, out)
}

fn above(out: &std::path::Path, concern: &str, better: &str, worse: &str) {
    let b = rank_of(out, concern, better).unwrap_or_else(|| panic!("{better} not in {concern}"));
    let w = rank_of(out, concern, worse).unwrap_or_else(|| panic!("{worse} not in {concern}"));
    assert!(
        b < w,
        "{concern}: expected {better} (#{b}, {:?}) above {worse} (#{w}, {:?})",
        score_of(out, concern, better),
        score_of(out, concern, worse)
    );
}

#[test]
fn eye_area_light_gel_beats_petrolatum_first_eye_cream() {
    let (_t, out) = run(&[
        "E1,Rich Night Eye Cream,B,eye cream,rich cream,eye,,,\"Petrolatum, Paraffinum Liquidum, Cera Microcristallina, Lanolin, Aqua, Glycerin, Parfum\",20",
        "E2,Cooling Eye Gel,B,eye gel,gel,eye,,,\"Aqua, Glycerin, Caffeine, Sodium Hyaluronate, Panthenol, Carbomer, Phenoxyethanol\",20",
    ]);
    above(&out, "eye-area", "E2", "E1");
    above(&out, "milia-prone", "E2", "E1");
}

#[test]
fn milia_prone_lactic_toner_beats_walnut_scrub_and_a_peel() {
    let (_t, out) = run(&[
        "S1,Walnut Face Scrub,B,scrub,scrub,face,,,\"Aqua, Juglans Regia Shell Powder, Glycerin, Cetearyl Alcohol, Parfum\",9",
        "T1,Lactic 5% Toner,B,toner,water,face,,,\"Aqua, Lactic Acid, Glycerin, Sodium Hydroxide, Panthenol\",12",
        "P1,Glycolic 30% Peel,B,peel,serum,face,,,\"Aqua, Glycolic Acid 30%, Sodium Hydroxide, Glycerin\",30",
    ]);
    above(&out, "milia-prone", "T1", "S1");
    above(&out, "milia-prone", "T1", "P1");
    above(&out, "sensitive", "T1", "P1");
}

#[test]
fn milia_prone_light_oils_beat_comedogenic_oils() {
    let (_t, out) = run(&[
        "O1,Coconut Face Oil,B,face oil,oil,face,,,\"Cocos Nucifera Oil, Theobroma Cacao Seed Butter, Isopropyl Myristate, Tocopherol\",15",
        "O2,Jojoba Squalane Oil,B,face oil,oil,face,,,\"Simmondsia Chinensis Seed Oil, Squalane, Rosa Canina Fruit Oil, Tocopherol\",15",
    ]);
    above(&out, "milia-prone", "O2", "O1");
}

#[test]
fn sensitive_and_baby_penalise_fragrance_and_actives() {
    let base = "Aqua, Glycerin, Caprylic/Capric Triglyceride, Cetearyl Alcohol, Ceramide NP, Panthenol, Phenoxyethanol";
    let plain = format!("L1,Calm Lotion,B,moisturiser,lotion,face,,,\"{base}\",10");
    let scented = format!("L2,Calm Lotion Scented,B,moisturiser,lotion,face,,,\"{base}, Parfum, Lavandula Angustifolia Oil, Linalool, Limonene\",10");
    let retinol =
        format!("L3,Calm Lotion Retinol,B,moisturiser,lotion,face,,,\"{base}, Retinol\",10");
    let (_t, out) = run(&[&plain, &scented, &retinol]);
    above(&out, "sensitive", "L1", "L2");
    above(&out, "baby", "L1", "L2");
    above(&out, "baby", "L1", "L3");
}

#[test]
fn post_procedure_prefers_light_barrier_care_to_occlusives_and_acids() {
    let (_t, out) = run(&[
        "H1,Barrier Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Ceramide NP, Panthenol, Allantoin, Sodium Hyaluronate\",10",
        "H2,Healing Ointment,B,ointment,ointment,face,,,\"Petrolatum, Paraffinum Liquidum, Lanolin, Cera Alba\",10",
        "H3,Glycolic Night Serum,B,serum,serum,face,,,\"Aqua, Glycolic Acid, Glycerin, Sodium Hydroxide\",10",
    ]);
    above(&out, "post-procedure", "H1", "H2");
    above(&out, "post-procedure", "H1", "H3");
}

#[test]
fn sun_care_ranks_by_protection_then_lightness_and_only_spf_products() {
    let (_t, out) = run(&[
        "U1,Shield Fluid,B,sunscreen,fluid,face,50,broad-spectrum,\"Aqua, Zinc Oxide 15%, Glycerin, Dimethicone\",20",
        "U2,Tint Fluid,B,sunscreen,fluid,face,15,,\"Aqua, Ethylhexyl Methoxycinnamate, Glycerin\",20",
        "U3,Sun Balm,B,sunscreen,balm,face,30,broad-spectrum,\"Petrolatum, Cera Microcristallina, Zinc Oxide 20%, Paraffinum Liquidum\",20",
        "U4,Sun Gel,B,sunscreen,gel,face,30,broad-spectrum,\"Aqua, Zinc Oxide 20%, Glycerin, Alcohol Denat.\",20",
        "N1,Night Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin\",20",
    ]);
    above(&out, "sun-care", "U1", "U2");
    above(&out, "sun-care", "U4", "U3");
    assert_eq!(rank_of(&out, "sun-care", "N1"), None);
}

#[test]
fn claim_conflict_is_flagged_in_scores_reasons_and_summary() {
    let (_t, out) = run(&[
        "C1,Clear Skin Oil-Free Lotion,B,moisturiser,lotion,face,,non-comedogenic,\"Aqua, Isopropyl Myristate, Glycerin\",10",
        "C2,Clear Gel,B,moisturiser,gel,face,,non-comedogenic,\"Aqua, Glycerin, Niacinamide\",10",
    ]);
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let col = h.iter().position(|x| x == "claim_conflict").unwrap();
    assert!(
        rows[0][col].contains("isopropyl myristate"),
        "{:?}",
        rows[0]
    );
    assert!(rows[1][col].is_empty());
    let (_, mp) = read_csv(&out.join("milia-prone.csv"));
    let c1 = mp.iter().find(|r| r[1] == "C1").unwrap();
    assert!(c1[6].contains("claim conflict"), "{c1:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["claim_conflicts"], 1);
}

#[test]
fn missing_texture_area_and_spf_are_inferred_and_said() {
    let (_t, out) =
        run(&["I1,Daily Defense Gel SPF 50,B,,,,,,\"Aqua, Zinc Oxide 20%, Glycerin\",10"]);
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let get = |name: &str| rows[0][h.iter().position(|x| x == name).unwrap()].clone();
    assert_eq!(get("texture"), "gel");
    assert_eq!(get("spf"), "50");
    let (_, sun) = read_csv(&out.join("sun-care.csv"));
    assert!(sun[0][6].contains("inferred from name"), "{:?}", sun[0]);
}

#[test]
fn empty_ingredients_get_low_confidence_and_are_never_perfect() {
    let (_t, out) = run(&[
        "X1,Mystery Gel,B,moisturiser,gel,face,,,,10",
        "X2,Known Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Panthenol\",10",
    ]);
    let (_, rows) = read_csv(&out.join("milia-prone.csv"));
    let x1 = rows.iter().find(|r| r[1] == "X1").unwrap();
    assert_eq!(x1[5], "low");
    assert!(x1[3].parse::<f64>().unwrap() <= 50.0);
    assert!(x1[6].contains("no usable ingredient list"));
    above(&out, "milia-prone", "X2", "X1");
}

#[test]
fn a_list_of_only_sun_filters_is_not_trusted_as_the_whole_formula() {
    let (_t, out) = run(&[
        "F1,Sun Spray SPF 50,B,sunscreen,mist,face,50,broad-spectrum,\"Avobenzone 3%, Homosalate 10%, Octisalate 5%, Octocrylene 8%\",20",
        "F2,Sun Fluid SPF 50,B,sunscreen,fluid,face,50,broad-spectrum,\"Aqua, Zinc Oxide 15%, Glycerin, Dimethicone, Tocopherol\",20",
    ]);
    above(&out, "sun-care", "F2", "F1");
    let (_, rows) = read_csv(&out.join("sun-care.csv"));
    let f1 = rows.iter().find(|r| r[1] == "F1").unwrap();
    assert_eq!(f1[5], "low");
    assert!(f1[6].contains("only the active sun filters"), "{f1:?}");
}

#[test]
fn acne_actives_sink_in_baby_sensitive_and_post_procedure() {
    let (_t, out) = run(&[
        "A1,Acne Wash,B,cleanser,gel,face,,,\"Aqua, Benzoyl Peroxide 10%, Glycerin, Sodium Laureth Sulfate\",9",
        "A2,Gentle Wash,B,cleanser,gel,face,,,\"Aqua, Glycerin, Coco-Glucoside, Panthenol\",9",
    ]);
    for c in ["baby", "sensitive", "post-procedure"] {
        above(&out, c, "A2", "A1");
    }
    assert!(score_of(&out, "baby", "A1").unwrap() <= 25.0);
}

#[test]
fn particles_in_a_leave_on_are_not_a_scrub_and_a_name_percent_binds_to_its_acid() {
    let (_t, out) = run(&[
        "P1,Densifying Eye Cream,B,eye cream,cream,eye,,,\"Aqua, Alumina, Glycerin, Caffeine, Dimethicone\",20",
        "P2,Hyaluronic Acid 2% + B5,B,serum,serum,face,,,\"Aqua, Sodium Hyaluronate, Panthenol, Glycerin, Pentylene Glycol, Propanediol, Sodium Chloride, Carbomer, Xanthan Gum, Phenoxyethanol, Ethylhexylglycerin, Citric Acid\",8",
        "P3,Glow Peel-Off Mask,B,mask,gel,face,,,\"Aqua, Polyvinyl Alcohol, Glycerin, Alcohol Denat.\",8",
    ]);
    let (_, eye) = read_csv(&out.join("eye-area.csv"));
    assert!(!eye[0][6].contains("harsh scrub"), "{:?}", eye[0]);
    let (_, mp) = read_csv(&out.join("milia-prone.csv"));
    let p2 = mp.iter().find(|r| r[1] == "P2").unwrap();
    assert!(!p2[6].contains("citric acid"), "{p2:?}");
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let kind = h.iter().position(|x| x == "kind").unwrap();
    assert_eq!(rows[2][kind], "mask");
}

#[test]
fn capped_scores_keep_their_order_instead_of_tying_at_the_cap() {
    let (_t, out) = run(&[
        "K1,Glycolic Night Lotion,B,moisturiser,lotion,face,,,\"Aqua, Glycolic Acid, Glycerin, Ceramide NP, Panthenol\",10",
        "K2,Glycolic Night Balm,B,balm,balm,face,,,\"Petrolatum, Glycolic Acid, Lanolin, Parfum\",10",
    ]);
    let (a, b) = (
        score_of(&out, "baby", "K1").unwrap(),
        score_of(&out, "baby", "K2").unwrap(),
    );
    assert!(a <= 25.0 && b <= 25.0 && a > b, "{a} {b}");
}

#[test]
fn a_single_base_ingredient_is_a_whole_product_but_a_single_active_is_not() {
    let (_t, out) = run(&[
        "W1,Lanolips 101 Ointment,B,balm,ointment,lip,,,Lanolin,9",
        "W2,Brightening Cream,B,moisturiser,cream,face,,,Niacinamide,9",
        "W3,Acne Clearing Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Zinc PCA, Hamamelis Virginiana Water\",9",
        "W4,Clear Gel,B,moisturiser,gel,face,,,\"Aqua, Glycerin, Zinc PCA, Hamamelis Virginiana Water\",9",
    ]);
    let (h, rows) = read_csv(&out.join("scores.csv"));
    let conf = h.iter().position(|x| x == "confidence").unwrap();
    assert_ne!(rows[0][conf], "low", "{:?}", rows[0]);
    assert_eq!(rows[1][conf], "low", "{:?}", rows[1]);
    // An acne treatment named in the name is an active: out for baby.
    above(&out, "baby", "W4", "W3");
    assert!(score_of(&out, "baby", "W3").unwrap() <= 25.0);
}

#[test]
fn a_short_fragrance_free_formula_leads_a_long_one_in_baby() {
    let long = "Aqua, Glycerin, Cetearyl Alcohol, Xanthan Gum, Phenoxyethanol, Tocopherol, Sodium Citrate, Citric Acid, Panthenol, Allantoin, Caprylyl Glycol, Ethylhexylglycerin, Sodium Hyaluronate, Carbomer, Sodium Hydroxide, Disodium EDTA, Glyceryl Stearate, Cetyl Alcohol, Squalane, Betaine, Sodium PCA, Butylene Glycol";
    let short =
        "Aqua, Glycerin, Cetearyl Alcohol, Xanthan Gum, Phenoxyethanol, Tocopherol, Sodium Citrate";
    let (_t, out) = run(&[
        &format!("S1,Gentle Lotion,B,body lotion,lotion,body,,,\"{short}\",5"),
        &format!("L1,Soft Lotion,B,body lotion,lotion,body,,,\"{long}\",5"),
    ]);
    let (h, rows) = read_csv(&out.join("baby.csv"));
    let reasons = h.iter().position(|c| c == "reasons").unwrap();
    let s1 = rows.iter().find(|r| r[1] == "S1").unwrap();
    assert!(
        s1[reasons].contains("7 ingredients, no fragrance"),
        "{}",
        s1[reasons]
    );
    // With fragrance the same short list earns nothing for being short.
    let (_t2, out2) = run(&[&format!(
        "F1,Gentle Lotion,B,body lotion,lotion,body,,,\"{short}, Parfum\",5"
    )]);
    let (_, rows2) = read_csv(&out2.join("baby.csv"));
    assert!(
        !rows2[0][reasons].contains("no fragrance"),
        "{}",
        rows2[0][reasons]
    );
    above(&out, "baby", "S1", "L1");
}

#[test]
fn scent_botanicals_low_in_the_list_are_fragrance_for_the_irritation_concerns() {
    let base = "Aqua, Glycerin, Aloe Barbadensis Leaf Juice, Sodium Hyaluronate, Panthenol, Allantoin, Carbomer, Xanthan Gum, Caprylyl Glycol, Ethylhexylglycerin, Sodium Hydroxide, Phenoxyethanol";
    let (_t, out) = run(&[
        &format!("C1,Calming Gel,B,moisturiser,gel,face,,,\"{base}\",10"),
        &format!("C2,Calming Gel Lavender,B,moisturiser,gel,face,,,\"{base}, Lavandula Angustifolia Flower Extract, Linalool\",10"),
        &format!("C3,Calming Gel Neroli,B,moisturiser,gel,face,,,\"{base}, Citrus Aurantium Amara Flower Extract\",10"),
    ]);
    for c in ["sensitive", "post-procedure", "baby"] {
        above(&out, c, "C1", "C2");
        above(&out, c, "C1", "C3");
        above(&out, c, "C3", "C2");
    }
    let (h, rows) = read_csv(&out.join("sensitive.csv"));
    let reasons = h.iter().position(|c| c == "reasons").unwrap();
    let c2 = rows.iter().find(|r| r[1] == "C2").unwrap();
    assert!(
        c2[reasons]
            .contains("scented with lavandula angustifolia flower extract (#13) and linalool"),
        "{}",
        c2[reasons]
    );
    // milia-prone has no fragrance weight: the three are level.
    assert_eq!(
        score_of(&out, "milia-prone", "C1"),
        score_of(&out, "milia-prone", "C2")
    );
}

#[test]
fn baby_a_true_soap_a_treatment_serum_and_a_rinse_off_acid_sink() {
    let (_t, out) = run(&[
        "B1,Gentle Wash,B,cleanser,gel,face,,,\"Aqua, Glycerin, Coco-Glucoside, Panthenol, Sodium Benzoate\",9",
        "B2,Foaming Cleanser,B,cleanser,foam,face,,,\"Water, Glycerin, Stearic Acid, Myristic Acid, Potassium Hydroxide, Lauric Acid, Butylene Glycol, Phenoxyethanol\",9",
        "B3,Hyaluronic Acid 2% + B5 Hydration Support Formula,B,moisturiser,,face,,,\"Aqua, Sodium Hyaluronate, Panthenol, Glycerin, Pentylene Glycol, Phenoxyethanol\",9",
        "B4,Daily Foaming Cleanser,B,cleanser,gel,face,,,\"Aqua, Glycolic Acid, Salicylic Acid, Kaolin, Glycerin, Sodium Hydroxide, Xanthan Gum, Phenoxyethanol\",9",
        "B5,Daily Moisturiser with Hyaluronic Acid,B,moisturiser,lotion,face,,,\"Aqua, Glycerin, Sodium Hyaluronate, Caprylic/Capric Triglyceride, Cetearyl Alcohol, Panthenol, Phenoxyethanol\",9",
    ]);
    for worse in ["B2", "B3", "B4"] {
        above(&out, "baby", "B1", worse);
        above(&out, "baby", "B5", worse);
    }
    // Contact time does not hide the acid: the cap applies.
    assert!(score_of(&out, "baby", "B4").unwrap() <= 25.0);
    assert!(score_of(&out, "post-procedure", "B4").unwrap() <= 30.0);
}

#[test]
fn sensitive_an_acid_toner_is_no_gentle_product_and_eye_stacks_sink() {
    let (_t, out) = run(&[
        "T1,Glycolic Acid 7% Toning Solution,B,toner,,face,,,\"Aqua, Glycolic Acid, Glycerin, Aloe Barbadensis Leaf Juice, Panthenol, Hamamelis Virginiana Water, Sodium Hydroxide, Phenoxyethanol\",12",
        "T2,Daily UV Fluid SPF 50,B,sunscreen,fluid,face,50,,\"Aqua, Homosalate, Octocrylene, Butyl Methoxydibenzoylmethane, Glycerin, Silica, Dimethicone, Tocopherol, Phenoxyethanol\",12",
        "E1,Hydrating Eye Gel,B,eye gel,gel,eye,,,\"Aqua, Glycerin, Caffeine, Sodium Hyaluronate, Panthenol, Carbomer, Phenoxyethanol\",20",
        "E2,Retinol Eye Serum,B,eye serum,serum,eye,,,\"Aqua, Glycerin, Caffeine, Sodium Hyaluronate, Panthenol, Retinol, Carbomer, Phenoxyethanol, Butylene Glycol, Xanthan Gum, Ethylhexylglycerin, Salicylic Acid, Glycolic Acid\",20",
        "E3,Retinol Eye Cream,B,eye cream,cream,eye,,,\"Aqua, Glycerin, Caffeine, Sodium Hyaluronate, Panthenol, Retinol, Carbomer, Phenoxyethanol, Butylene Glycol, Xanthan Gum, Ethylhexylglycerin\",20",
    ]);
    above(&out, "sensitive", "T2", "T1");
    assert!(score_of(&out, "sensitive", "T1").unwrap() < 65.0);
    above(&out, "eye-area", "E3", "E2");
    let (h, rows) = read_csv(&out.join("eye-area.csv"));
    let reasons = h.iter().position(|c| c == "reasons").unwrap();
    let e2 = rows.iter().find(|r| r[1] == "E2").unwrap();
    assert!(
        e2[reasons].contains("retinol with two acids near the eyes"),
        "{}",
        e2[reasons]
    );
}

#[test]
fn a_thin_baby_list_is_said_in_the_summary_and_the_report() {
    let gentle = "Aqua, Glycerin, Coco-Glucoside, Panthenol, Sodium Benzoate";
    let long = "Aqua, Glycerin, Caprylic/Capric Triglyceride, Cetearyl Alcohol, Squalane, Niacinamide, Panthenol, Allantoin, Tocopherol, Sodium Hyaluronate, Xanthan Gum, Carbomer, Sodium Hydroxide, Caprylyl Glycol, Ethylhexylglycerin, Phenoxyethanol, Disodium EDTA, Citric Acid";
    let mut rows = vec![
        format!("K1,Baby Wash,B,cleanser,gel,body,,,\"{gentle}\",9"),
        format!("K2,Kids Lotion,B,moisturiser,lotion,body,,,\"{gentle}\",9"),
    ];
    for i in 0..6 {
        rows.push(format!(
            "A{i},Daily Moisturiser {i},B,moisturiser,lotion,face,,,\"{long}\",9"
        ));
    }
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (_t, out) = run(&refs);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let concerns = summary["concerns"].as_array().unwrap();
    let baby = concerns.iter().find(|c| c["slug"] == "baby").unwrap();
    assert_eq!(baby["fully_meeting"], 2);
    let note = baby["note"].as_str().unwrap();
    assert!(
        note.starts_with("only 2 products in this catalog are made for babies"),
        "{note}"
    );
    assert!(note.contains("the rest of the list is gentle adult products"));
    // Nowhere else.
    for c in concerns.iter().filter(|c| c["slug"] != "baby") {
        assert!(c.get("note").is_none(), "{c}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("class=\"thin\"").count(), 1);
    assert!(html.contains(note));
    // The concern file keeps its columns.
    let (h, _) = read_csv(&out.join("baby.csv"));
    assert_eq!(
        h,
        [
            "rank",
            "product_id",
            "name",
            "score",
            "grade",
            "confidence",
            "reasons",
            "brand"
        ]
    );
}

#[test]
fn a_full_baby_list_has_no_thin_note() {
    let gentle = "Aqua, Glycerin, Coco-Glucoside, Panthenol, Sodium Benzoate";
    let rows: Vec<String> = (0..10)
        .map(|i| format!("K{i},Baby Wash {i},B,cleanser,gel,body,,,\"{gentle}\",9"))
        .collect();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (_t, out) = run(&refs);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let baby = summary["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "baby")
        .unwrap()
        .clone();
    assert_eq!(baby["fully_meeting"], 10);
    assert!(baby.get("note").is_none(), "{baby}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("class=\"thin\""));
}
