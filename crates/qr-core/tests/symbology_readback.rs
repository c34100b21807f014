//! Micro QR and rMQR read back by zxing-cpp (its Python binding, in `target/zxing-cpp-venv`):
//! every version and level at its capacity edge, every output format; and Micro QR compared
//! module for module with segno's symbol of the same version, level and mask.
//!
//! One Python process answers every question of a test (`tests/readback/read_back.py`), so
//! the whole file runs in a few seconds once the venv exists.

// A failed unwrap in a test is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use qr_core::{EcLevel, Error, Format, GenerateOptions, generate};
use qr_encode::{Symbology, Version};
use serde_json::{Value, json};

/// Asks `read_back.py` each request in turn; one answer line per request.
fn ask(requests: &[Value]) -> Vec<Value> {
    let root = qr_tests::workspace_root();
    let python = qr_tests::python_venv(
        "zxing-cpp-venv",
        &root.join("tests/readback/requirements.txt"),
    );
    let mut child = Command::new(python)
        .arg(root.join("tests/readback/read_back.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines: String = requests.iter().map(|r| format!("{r}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let answers: Vec<Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    writer.join().unwrap().unwrap();
    assert!(child.wait().unwrap().success(), "read_back.py failed");
    assert_eq!(answers.len(), requests.len());
    answers
}

/// A generated file, as a PNG zxing-cpp can open.
fn png_for_zxing(dir: &tempfile::TempDir, name: &str, format: Format, bytes: &[u8]) -> String {
    let path = dir.path().join(format!("{name}.png"));
    let img = common::rasterise(format, bytes);
    image::GrayImage::from_raw(img.width, img.height, img.luma())
        .unwrap()
        .save(&path)
        .unwrap();
    path.display().to_string()
}

fn opts(data: &str, symbology: Symbology, version: Option<&str>, ec: EcLevel) -> GenerateOptions {
    GenerateOptions {
        ec_level: ec,
        scale: 4,
        margin: symbology.quiet_zone(),
        symbology,
        version: version.map(|v| Version::parse(v).unwrap()),
        ..GenerateOptions::new(data)
    }
}

/// Every version and the levels it offers: Micro QR M1 to M4, then the 32 rMQR sizes.
fn every_version_and_level() -> Vec<(Symbology, String, EcLevel)> {
    let mut all = Vec::new();
    for (v, levels) in [
        (1, &[EcLevel::L][..]),
        (2, &[EcLevel::L, EcLevel::M]),
        (3, &[EcLevel::L, EcLevel::M]),
        (4, &[EcLevel::L, EcLevel::M, EcLevel::Q]),
    ] {
        for &ec in levels {
            all.push((Symbology::MicroQr, format!("M{v}"), ec));
        }
    }
    for (h, widths) in [
        (7, &[43, 59, 77, 99, 139][..]),
        (9, &[43, 59, 77, 99, 139]),
        (11, &[27, 43, 59, 77, 99, 139]),
        (13, &[27, 43, 59, 77, 99, 139]),
        (15, &[43, 59, 77, 99, 139]),
        (17, &[43, 59, 77, 99, 139]),
    ] {
        for w in widths {
            for ec in [EcLevel::M, EcLevel::H] {
                all.push((Symbology::Rmqr, format!("R{h}x{w}"), ec));
            }
        }
    }
    all
}

/// The longest payload of `unit` repeated that fits, by growing it until it does not.
fn capacity(symbology: Symbology, version: &str, ec: EcLevel, unit: char) -> usize {
    let fits = |n: usize| {
        generate(&opts(
            &unit.to_string().repeat(n),
            symbology,
            Some(version),
            ec,
        ))
    };
    let mut n = 0;
    while fits(n + 1).is_ok() {
        n += 1;
    }
    n
}

#[test]
fn every_version_and_level_reads_back_at_its_capacity_edge() {
    let dir = tempfile::tempdir().unwrap();
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for (symbology, version, ec) in every_version_and_level() {
        // Digits, upper-case letters and lower-case bytes: the three modes (M1 holds only
        // digits, M2 no bytes).
        for unit in ['7', 'A', 'a'] {
            let n = capacity(symbology, &version, ec, unit);
            let over = unit.to_string().repeat(n + 1);
            let Err(Error::DoesNotFit(e)) = generate(&opts(&over, symbology, Some(&version), ec))
            else {
                panic!("{version}-{ec}: {} of {unit:?} fit", n + 1);
            };
            assert!(
                e.to_string().contains(&format!("at most {n} characters")),
                "{e}"
            );
            if n == 0 {
                assert!(
                    version == "M1" || (version == "M2" && unit == 'a'),
                    "{version} {unit}"
                );
                continue;
            }
            let data = unit.to_string().repeat(n);
            let image = generate(&opts(&data, symbology, Some(&version), ec)).unwrap();
            assert_eq!(image.version.to_string(), version);
            let name = format!("{version}-{ec}-{}", unit as u32);
            let path = png_for_zxing(&dir, &name, Format::Png, &image.bytes);
            requests.push(json!({ "read": path }));
            expected.push((name, data, version.clone(), ec));
        }
    }
    let answers = ask(&requests);
    for ((name, data, version, ec), answer) in expected.iter().zip(&answers) {
        let codes = answer["codes"].as_array().unwrap();
        assert_eq!(codes.len(), 1, "{name}: {answer}");
        assert_eq!(codes[0]["text"], data.as_str(), "{name}");
        assert_eq!(codes[0]["version"], version.as_str(), "{name}");
        // zxing-cpp reports M1's detection-only level as L.
        assert_eq!(codes[0]["ec"], ec.letter().to_string(), "{name}");
    }
    // 8 Micro QR and 64 rMQR version/levels, three modes each, less M1's letters and bytes
    // and M2's bytes (at L and M).
    assert_eq!(answers.len(), 8 * 3 - 4 + 64 * 3);
}

#[test]
fn every_format_reads_back_with_the_default_quiet_zone() {
    let dir = tempfile::tempdir().unwrap();
    let mut requests = Vec::new();
    let mut expected = Vec::new();
    for (symbology, data) in [
        (Symbology::MicroQr, "HELLO WORLD 42"),
        (Symbology::Rmqr, "https://example.com/product/123"),
    ] {
        for (name, format) in Format::ALL {
            // The API's defaults for the symbology: its level and a 2-module quiet zone.
            let query = [
                ("data", data),
                ("format", name),
                (
                    "symbology",
                    if symbology == Symbology::Rmqr {
                        "rmqr"
                    } else {
                        "micro_qr"
                    },
                ),
            ];
            let opts = qr_api::options::from_pairs(query).unwrap();
            assert_eq!(opts.margin, 2);
            let image = generate(&opts).unwrap();
            let path = png_for_zxing(&dir, &format!("{symbology:?}-{name}"), format, &image.bytes);
            requests.push(json!({ "read": path }));
            expected.push((format!("{symbology:?} {name}"), data));
        }
    }
    for ((what, data), answer) in expected.iter().zip(ask(&requests)) {
        let codes = answer["codes"].as_array().unwrap();
        assert_eq!(codes.len(), 1, "{what}: {answer}");
        assert_eq!(codes[0]["text"], *data, "{what}");
    }
}

#[test]
fn micro_qr_matches_segno_module_for_module() {
    // Every version and level, every mask, the three modes. In M1 and M3 segno fills the
    // data capacity with zero bits where ISO/IEC 18004 §7.4.10 asks for the pad codewords
    // 11101100 and 00010001 (we follow the standard; both read), so their payloads here
    // leave no room for a whole pad codeword; and where the terminator ends on a codeword
    // boundary segno adds a zero codeword before the pad codewords, so none does that here.
    let mut cases = Vec::new();
    for (data, version, levels) in [
        ("0", 1, &[EcLevel::L][..]),
        ("12345", 1, &[EcLevel::L]),
        ("0123456789", 2, &[EcLevel::L]),
        ("HELLO", 2, &[EcLevel::L, EcLevel::M]),
        ("hello wor", 3, &[EcLevel::L]),
        ("hello w", 3, &[EcLevel::M]),
        ("123456789012345678", 3, &[EcLevel::L, EcLevel::M]),
        ("MICRO QR", 4, &[EcLevel::L, EcLevel::M, EcLevel::Q]),
        ("micro qr", 4, &[EcLevel::L, EcLevel::M, EcLevel::Q]),
    ] {
        for &ec in levels {
            for mask in 0..4 {
                cases.push((data, version, ec, mask));
            }
        }
    }
    let requests: Vec<Value> = cases
        .iter()
        .map(|&(data, version, ec, mask)| {
            // segno names M1's level None (error detection only).
            let error = if version == 1 { Value::Null } else { json!(ec.letter().to_string()) };
            json!({ "segno": { "data": data, "version": format!("M{version}"), "error": error, "mask": mask } })
        })
        .collect();
    for (&(data, version, ec, mask), answer) in cases.iter().zip(ask(&requests)) {
        let ours = qr_encode::encode_micro_with_mask(data.as_bytes(), ec, version, mask).unwrap();
        let rows: Vec<String> = (0..ours.height())
            .map(|y| {
                ours.row(y)
                    .iter()
                    .map(|&d| if d { '1' } else { '0' })
                    .collect()
            })
            .collect();
        assert_eq!(
            answer["matrix"],
            json!(rows),
            "{data:?} M{version}-{ec} mask {mask}"
        );
    }
}
