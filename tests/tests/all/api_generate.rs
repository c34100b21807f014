//! `/generate` and `/health` over real HTTP: qr-host and real Spin (`spin up`), each serving
//! the built components from the product's own spin.toml.

use crate::readback::{contact_sheet, multipart, ok, ok_json, red_png};
use crate::readback::{rxing_png, rxing_png_as, unzip};
use qr_tests::{Host, Response, StatusCode, assert_api_problem as problem, assert_detail, header};
use serde_json::json;

// Each body runs against qr-host and against `spin up`, as NAME::qr_host and NAME::spin.
qr_tests::on_every_host!(
    the_seed_request_gets_the_python_services_geometry_and_decodes_back,
    query_options_shape_png_and_svg_and_both_read_back,
    health_answers_json_and_the_host_answers_spins_health_path,
    unknown_routes_and_methods_are_problems,
    every_generate_limit_holds_at_its_edge,
    payload_objects_in_json_and_dotted_query_fields_encode_their_spec_text,
    text_pdf_and_eps_formats_and_get_etags_with_304,
    a_logo_by_multipart_or_base64_json_reads_back_and_one_too_large_names_what_fits,
    styles_read_back_through_http_and_too_little_contrast_is_refused,
    every_new_generate_limit_holds_at_its_edge,
    batch_json_lines_and_csv_stream_a_zip_whose_every_code_reads_back,
    the_batch_item_limit_holds_at_its_edge,
    structured_append_answers_a_zip_or_a_pdf_that_reads_back_whole,
    a_sequence_holds_sixteen_symbols_and_no_more,
    micro_qr_and_rmqr_by_query_json_and_multipart_read_back_and_refuse_what_they_cannot,
);

const SEED_JSON: &str = include_str!("../../../../shared/peers/python-seed/generate.json");

fn luma(png: &[u8]) -> image::GrayImage {
    image::load_from_memory(png).expect("a PNG").to_luma8()
}

/// `POST /generate` with a JSON body.
fn post_json(host: &Host, body: impl ToString) -> Response {
    host.post("/generate", "application/json", body.to_string())
}

fn the_seed_request_gets_the_python_services_geometry_and_decodes_back(host: &Host) {
    let response = post_json(host, SEED_JSON);
    let headers = response.headers().clone();
    let png = ok(response);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-qr-version"], "4");

    // Same defaults as the Python service (level H, 10 px, margin 4): same size, version and
    // level. The mask may differ: we pick the one ISO/IEC 18004's penalty rules select,
    // python-qrcode scores masks slightly differently (see crates/qr-encode/BENCHMARKS.md;
    // with its mask forced the pixels match exactly, tested in qr-encode).
    let python = qr_tests::shared_file("peers/python-seed/qr_default_410.png");
    assert_eq!(luma(&png).dimensions(), luma(&python).dimensions());
    assert!(
        png.len() <= python.len(),
        "our PNG ({} B) is no bigger than Python's ({} B)",
        png.len(),
        python.len()
    );

    let decoded = ok_json(host.post("/decode", "image/png", png));
    assert_eq!(decoded["data"], "https://example.com/product/123");
    assert_eq!(decoded["codes"][0]["ecc"], "H");
    assert_eq!(decoded["codes"][0]["version"], 4);
    let theirs = ok_json(host.post("/decode", "image/png", python));
    assert_eq!(
        theirs["codes"][0]["version"],
        decoded["codes"][0]["version"]
    );
}

fn query_options_shape_png_and_svg_and_both_read_back(host: &Host) {
    for ecc in ["L", "M", "Q", "H"] {
        let response = host.get(&format!(
            "/generate?data=gate%207%20%E2%9C%85&ecc={ecc}&scale=3&margin=2&fg=%23102030&bg=ffffff"
        ));
        assert!(header(&response, "cache-control").contains("immutable"));
        let version: u32 = header(&response, "x-qr-version").parse().unwrap();
        let png = ok(response);
        // 17 + 4 × version modules, 2 margin modules a side, 3 px a module.
        assert_eq!(luma(&png).width(), (17 + 4 * version + 4) * 3, "{ecc}");
        let decoded = ok_json(host.post("/decode", "application/octet-stream", png));
        assert_eq!(decoded["codes"][0]["text"], "gate 7 ✅");
        assert_eq!(decoded["codes"][0]["ecc"], ecc);
    }

    let svg = host.get("/generate?data=hello&format=svg&scale=5");
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let text = svg.text().unwrap();
    assert!(
        text.starts_with("<?xml") && text.ends_with("</svg>"),
        "{text}"
    );
    assert!(
        text.contains(r#"width="145""#),
        "21 + 8 modules at 5 px: {text}"
    );
}

fn health_answers_json_and_the_host_answers_spins_health_path(host: &Host) {
    assert_eq!(ok_json(host.get("/health"))["status"], "ok");
    ok(host.get("/.well-known/spin/health"));
}

fn unknown_routes_and_methods_are_problems(host: &Host) {
    problem(host.get("/nope"), 404, "not-found");
    problem(host.get("/generate/extra"), 404, "not-found");
    problem(host.get("/generate/batch/x"), 404, "not-found");
    let put = host
        .client()
        .put(host.url("/generate"))
        .body("x")
        .send()
        .unwrap();
    assert_eq!(put.headers()["allow"], "GET, POST");
    problem(put, 405, "method-not-allowed");
    let get = host.get("/decode");
    assert_eq!(get.headers()["allow"], "POST");
    problem(get, 405, "method-not-allowed");
}

fn every_generate_limit_holds_at_its_edge(host: &Host) {
    use qr_core::limits::*;
    let post = |body: String| post_json(host, body);

    // Body size: padding with spaces keeps the JSON valid at any length.
    let json = r#"{"data":"x"}"#;
    let pad = |total: usize| format!("{json}{}", " ".repeat(total - json.len()));
    ok(post(pad(MAX_GENERATE_BODY_BYTES)));
    let over = post(pad(MAX_GENERATE_BODY_BYTES + 1));
    problem(over, 413, "body-too-large");

    // Past the limit the body is read and thrown away up to BODY_DRAIN_FACTOR times the limit,
    // so a client that sends all of it reads the 413 instead of a reset; the component answers
    // a body declared over that at once. Spin hands it the request before the body, so the
    // client reads the 413 without sending any; qr-host reads every body (up to its own
    // --max-body-bytes) before a component runs, so there the client must send it.
    let drain = MAX_GENERATE_BODY_BYTES * BODY_DRAIN_FACTOR;
    let answer = |declared: usize, sent: usize| {
        use std::io::{Read as _, Write as _};
        // Reads are bounded: a guard against a hang, not a synchronisation.
        let mut stream = host.connect();
        write!(
            stream,
            "POST /generate HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
             content-length: {declared}\r\nconnection: close\r\n\r\n",
            host.addr()
        )
        .expect("head");
        stream
            .write_all(&vec![b' '; sent])
            .expect("the body is read, not reset");
        let mut status = [0u8; 12];
        stream.read_exact(&mut status).expect("an answer");
        String::from_utf8_lossy(&status).into_owned()
    };
    assert_eq!(answer(drain, drain), "HTTP/1.1 413");
    let sent = match host.kind() {
        qr_tests::HostKind::Spin => 0,
        _ => drain + 1,
    };
    assert_eq!(answer(drain + 1, sent), "HTTP/1.1 413");

    // Payload length, then capacity at the chosen level (bytes at H hold 1273).
    let digits = |n: usize| {
        format!(
            r#"{{"data":"{}","error_correction":"L","size":1}}"#,
            "7".repeat(n)
        )
    };
    assert_eq!(post(digits(MAX_DATA_BYTES)).status(), StatusCode::OK);
    problem(post(digits(MAX_DATA_BYTES + 1)), 413, "data-too-long");
    let bytes = |n: usize| format!(r#"{{"data":"{}","size":1}}"#, "a".repeat(n));
    assert_eq!(post(bytes(1273)).status(), StatusCode::OK);
    let over = problem(post(bytes(1274)), 413, "capacity-exceeded");
    assert_detail(&over, "1273");

    // Scale and margin ranges.
    for (query, ok) in [
        (format!("scale={MIN_SCALE}"), true),
        (format!("scale={}", MIN_SCALE - 1), false),
        (format!("scale={MAX_SCALE}"), true),
        (format!("scale={}", MAX_SCALE + 1), false),
        (format!("margin={MAX_MARGIN}&scale=1"), true),
        (format!("margin={}&scale=1", MAX_MARGIN + 1), false),
        ("ecc=X".to_owned(), false),
        ("fg=%23abc".to_owned(), false),
    ] {
        let response = host.get(&format!("/generate?data=x&{query}"));
        if ok {
            assert_eq!(response.status(), StatusCode::OK, "{query}");
        } else {
            problem(response, 400, "invalid-option");
        }
    }

    // Output side, (modules + 2 × margin) × scale: a symbol is an odd number of modules wide, so
    // no request makes exactly 10 000 or 10 001 px. The closest on either side: version 40
    // (177 modules) at 33 px with margin 63 is 9999 px, at 47 px with margin 18 is 10 011 px.
    // Checked over every odd width up to version 40's plus both margins, and every scale:
    let sides = (11..=u64::from(177 + 2 * MAX_MARGIN))
        .step_by(2)
        .flat_map(|width| (u64::from(MIN_SCALE)..=u64::from(MAX_SCALE)).map(move |s| width * s));
    let below = sides
        .clone()
        .filter(|&side| side <= MAX_OUTPUT_SIDE_PX)
        .max();
    let above = sides.filter(|&side| side > MAX_OUTPUT_SIDE_PX).min();
    assert_eq!((below, above), (Some(9999), Some(10_011)));
    let v40 = |scale: u32, margin: u32| {
        format!(
            r#"{{"data":"{}","error_correction":"L","size":{scale},"margin":{margin},"format":"svg"}}"#,
            "a".repeat(2953)
        )
    };
    assert_eq!(post(v40(33, 63)).status(), StatusCode::OK);
    let over = problem(post(v40(47, 18)), 422, "output-too-large");
    assert_detail(&over, "10011 px");

    problem(post("not json".into()), 400, "invalid-json");
    problem(post("{}".into()), 400, "missing-data");
}

fn payload_objects_in_json_and_dotted_query_fields_encode_their_spec_text(host: &Host) {
    let wifi = post_json(
        host,
        r#"{"wifi":{"ssid":"Café;1","password":"p:w\\x","hidden":true}}"#,
    );
    let text = r"WIFI:T:WPA;S:Café\;1;P:p\:w\\x;H:true;;";
    assert_eq!(rxing_png(&ok(wifi)), text);
    let epc = host.get(
        "/generate?epc.name=Red%20Cross&epc.iban=BE72000000001616&epc.amount=12.5&epc.text=Donation",
    );
    let text = "BCD\n002\n1\nSCT\n\nRed Cross\nBE72000000001616\nEUR12.5\n\n\nDonation";
    assert_eq!(rxing_png(&ok(epc)), text);
    let bad = problem(
        host.get("/generate?epc.name=A&epc.iban=BE72000000001617"),
        400,
        "invalid-option",
    );
    assert_detail(&bad, "epc.iban");
    let two_payloads = post_json(host, r#"{"data":"x","tel":{"number":"1"}}"#);
    problem(two_payloads, 400, "invalid-option");
}

fn text_pdf_and_eps_formats_and_get_etags_with_304(host: &Host) {
    let text = host.get("/generate?data=hi&format=text");
    assert_eq!(text.headers()["content-type"], "text/plain; charset=utf-8");
    let text = text.text().unwrap();
    // Version 1 (21 modules) + 2 × 4 quiet: 29 columns, 15 lines of half blocks.
    assert_eq!(text.lines().count(), 15);
    assert!(text.lines().all(|l| l.chars().count() == 29), "{text}");
    // Each character is two pixels, one above the other: dark, light or half of each.
    let halves = text.lines().flat_map(|line| [(line, true), (line, false)]);
    let pixel = |c: char, top: bool| match (c, top) {
        ('█', _) | ('▀', true) | ('▄', false) => 255,
        _ => 0,
    };
    let luma = halves.flat_map(|(line, top)| line.chars().map(move |c| pixel(c, top)));
    let luma: Vec<u8> = luma.collect();
    let read = rxing::helpers::detect_in_luma(luma, 29, 30, Some(rxing::BarcodeFormat::QR_CODE))
        .expect("rxing reads the half blocks");
    assert_eq!(read.getText(), "hi");

    let pdf = host.get("/generate?data=hi&format=pdf");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let pdf = pdf.bytes().unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
    let eps = host.get("/generate?data=hi&format=eps");
    assert_eq!(eps.headers()["content-type"], "application/postscript");
    assert!(eps.text().unwrap().starts_with("%!PS-Adobe-3.0 EPSF-3.0\n"));

    // A strong ETag per representation, and a 304 when the client has it.
    let etag = |query: &str| header(&host.get(query), "etag").to_owned();
    let tag = etag("/generate?data=hello");
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    assert_eq!(etag("/generate?data=hello"), tag);
    assert_ne!(etag("/generate?data=hellO"), tag);
    let if_none_match = |tags: &str| {
        let request = host.client().get(host.url("/generate?data=hello"));
        request.header("if-none-match", tags).send().unwrap()
    };
    let cached = if_none_match(&format!("\"other\", {tag}"));
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(cached.headers()["etag"], tag.as_str());
    assert!(cached.bytes().unwrap().is_empty());
    ok(if_none_match("\"0000000000000000\""));
}

fn a_logo_by_multipart_or_base64_json_reads_back_and_one_too_large_names_what_fits(host: &Host) {
    use base64::Engine;
    let data = "https://example.com/product/123";
    let logo = red_png(64, 48);
    let (ct, body) = multipart(&[("data", data), ("logo_size", "0.2")], &logo);
    assert_eq!(rxing_png(&ok(host.post("/generate", &ct, body))), data);

    let b64 = base64::engine::general_purpose::STANDARD.encode(&logo);
    let svg = ok(post_json(
        host,
        json!({"data": data, "logo": b64, "format": "svg"}),
    ));
    assert!(String::from_utf8_lossy(&svg).contains("<image "));

    let uri = format!("data:image/png;base64,{b64}");
    let json = json!({"data": data, "logo": uri, "logo_size": 0.4});
    let refused = problem(post_json(host, json), 422, "logo-covers-too-much");
    let detail = refused["detail"].as_str().unwrap();
    let fits: f64 = detail
        .rsplit("the largest logo_size that fits is ")
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{detail}"));
    let fitting = post_json(host, json!({"data": data, "logo": b64, "logo_size": fits}));
    assert_eq!(rxing_png(&ok(fitting)), data, "{fits}");

    let (ct, body) = multipart(&[("data", data)], b"GIF89a");
    let gif = problem(host.post("/generate", &ct, body), 415, "unsupported-logo");
    assert_detail(&gif, "PNG");
}

fn styles_read_back_through_http_and_too_little_contrast_is_refused(host: &Host) {
    let response = host.get(
        "/generate?data=styled&module_shape=connected&eye_frame=rounded&eye_ball=circle\
         &fg=%23004d40&gradient=radial&fg2=%231a237e&eye_color=b71c1c,0d47a1,1b5e20&scale=6",
    );
    assert_eq!(rxing_png(&ok(response)), "styled");
    let svg =
        host.get("/generate?data=styled&module_shape=dots&format=svg&gradient=linear&fg2=333333");
    assert!(String::from_utf8_lossy(&ok(svg)).contains("linearGradient"));
    let low = problem(host.get("/generate?data=x&fg=ffff00"), 422, "low-contrast");
    assert_detail(&low, "MIN_CONTRAST_RATIO");
    for query in ["module_shape=star", "gradient=linear"] {
        let response = host.get(&format!("/generate?data=x&{query}"));
        problem(response, 400, "invalid-option");
    }
}

fn every_new_generate_limit_holds_at_its_edge(host: &Host) {
    use qr_core::limits::*;
    let data = "https://example.com/product/123";

    // Logo bytes: a valid PNG padded after IEND (decoders stop there) to the limit.
    let padded = |total: usize| {
        let mut png = red_png(16, 16);
        png.resize(total, 0);
        png
    };
    let post_logo = |logo: &[u8]| {
        let (ct, body) = multipart(&[("data", data)], logo);
        host.post("/generate", &ct, body)
    };
    ok(post_logo(&padded(MAX_LOGO_BYTES)));
    let over = post_logo(&padded(MAX_LOGO_BYTES + 1));
    problem(over, 413, "logo-too-large");

    // Logo pixels, as declared in the header: 1024 × 1024 is in, one more row is out.
    assert_eq!(MAX_LOGO_PIXELS, 1024 * 1024);
    assert_eq!(post_logo(&red_png(1024, 1024)).status(), StatusCode::OK);
    problem(post_logo(&red_png(1024, 1025)), 413, "logo-too-large");

    // Logo size and clear zone ranges.
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, red_png(8, 8));
    let long =
        "https://example.com/product/123?ref=qr-workshop&lang=en-GB&campaign=winter-sale-2026&x=1";
    for (size, margin, status) in [
        (MIN_LOGO_SIZE, 0, 200),
        (MIN_LOGO_SIZE - 0.001, 0, 400),
        (MAX_LOGO_SIZE + 0.001, 0, 400),
        (0.1, MAX_LOGO_MARGIN, 200),
        (0.1, MAX_LOGO_MARGIN + 1, 400),
    ] {
        let json = json!({"data": long, "logo": b64, "logo_size": size, "logo_margin": margin});
        let response = post_json(host, &json);
        if status == 200 {
            assert_eq!(response.status(), StatusCode::OK, "{json}");
        } else {
            problem(response, status, "invalid-option");
        }
    }

    // Styled PNG side: version 1 (21 modules) + 2 × 42 quiet = 105 modules; 39 px = 4095 px.
    const { assert!(MAX_STYLED_PNG_SIDE_PX >= 4095 && MAX_STYLED_PNG_SIDE_PX < 4200) };
    let styled = |scale: u32| {
        host.get(&format!(
            "/generate?data=x&module_shape=dots&margin=42&scale={scale}"
        ))
    };
    assert_eq!(luma(&ok(styled(39))).width(), 4095);
    problem(styled(40), 422, "output-too-large");

    // Contrast: #949494 on white is 3.03:1, #959595 is 2.99:1.
    assert_eq!(MIN_CONTRAST_RATIO, 3.0);
    ok(host.get("/generate?data=x&fg=949494"));
    problem(host.get("/generate?data=x&fg=959595"), 422, "low-contrast");
}

fn batch_json_lines_and_csv_stream_a_zip_whose_every_code_reads_back(host: &Host) {
    let lines: String = (0..50)
        .map(|i| format!("{{\"data\":\"https://example.com/product/{i}\",\"name\":\"sku-{i}\",\"scale\":4}}\n"))
        .collect();
    let response = host.post("/generate/batch", "application/x-ndjson", lines);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert_eq!(response.headers()["x-qr-items"], "50");
    // Streamed: the host sends it chunked, without a content-length.
    assert!(response.headers().get("content-length").is_none());
    let members = unzip(ok(response));
    assert_eq!(members.len(), 50);
    for (i, (name, png)) in members.iter().enumerate() {
        assert_eq!(name, &format!("sku-{i}.png"));
        assert_eq!(rxing_png(png), format!("https://example.com/product/{i}"));
    }

    let csv = "data,name,format,wifi.ssid\r\n\"a,b\",first,svg,\r\n,net,,\"Home \"\"5G\"\"\"\r\n";
    let members = unzip(ok(host.post("/generate/batch", "text/csv", csv)));
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["first.svg", "net.png"]);
    assert_eq!(rxing_png(&members[1].1), r#"WIFI:T:nopass;S:Home \"5G\";;"#);

    // A bad line is refused before anything is streamed, naming the line.
    let bad = problem(
        host.post(
            "/generate/batch",
            "application/x-ndjson",
            "{\"data\":\"a\"}\n{\"data\":\"\"}\n",
        ),
        400,
        "invalid-batch",
    );
    assert_detail(&bad, "line 2");
    // An item that fails while rendering becomes an error entry, not a broken archive.
    let lines = "{\"data\":\"ok\"}\n{\"data\":\"grey\",\"fg\":\"#eeeeee\"}\n";
    let response = host.post("/generate/batch", "application/x-ndjson", lines);
    let members = unzip(ok(response));
    assert_eq!(members[1].0, "000002.png.error.txt");
    assert!(String::from_utf8_lossy(&members[1].1).contains("MIN_CONTRAST_RATIO"));
    problem(host.get("/generate/batch"), 405, "method-not-allowed");
}

fn the_batch_item_limit_holds_at_its_edge(host: &Host) {
    use qr_core::limits::MAX_BATCH_ITEMS;
    let body = |n: usize| -> String {
        (0..n)
            .map(|i| format!("{{\"data\":\"{i}\",\"scale\":1,\"margin\":0}}\n"))
            .collect()
    };
    let post = |n: usize| host.post("/generate/batch", "application/x-ndjson", body(n));
    assert_eq!(unzip(ok(post(MAX_BATCH_ITEMS))).len(), MAX_BATCH_ITEMS);
    let over = problem(post(MAX_BATCH_ITEMS + 1), 413, "batch-too-large");
    assert_detail(&over, "MAX_BATCH_ITEMS");
}

fn structured_append_answers_a_zip_or_a_pdf_that_reads_back_whole(host: &Host) {
    let data: String = (0..40)
        .map(|i| format!("https://example.com/product/{i}?sale=2026&lang=de-AT "))
        .collect();
    let body = json!({"data": data, "append": "auto", "max_version": 10, "ecc": "M", "scale": 4});
    let response = post_json(host, body);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let total: usize = header(&response, "x-qr-symbols").parse().unwrap();
    let version: u8 = header(&response, "x-qr-version").parse().unwrap();
    assert!(version <= 10 && total > 1, "{version} {total}");
    let members = unzip(ok(response));
    assert_eq!(members.len(), total);
    // Each symbol read by rxing on its own; the pieces' texts in order are the message.
    let mut joined = String::new();
    for (i, (name, png)) in members.iter().enumerate() {
        assert_eq!(name, &format!("qr-{:02}-of-{total:02}.png", i + 1));
        joined.push_str(&rxing_png(png));
    }
    assert_eq!(joined, data);
    // All of them in one image through our own /decode, which joins the sequence.
    let pngs: Vec<Vec<u8>> = members.into_iter().map(|(_, png)| png).collect();
    let decoded = ok_json(host.post("/decode", "image/png", contact_sheet(&pngs)));
    assert_eq!(decoded["merged"][0]["text"], data.as_str(), "{decoded}");
    assert_eq!(decoded["merged"][0]["total"], total);

    // A PDF of one page per symbol, by GET with an entity tag like any GET answer.
    let query = format!("/generate?data={}&append=3&format=pdf", "7".repeat(500));
    let pdf = host.get(&query);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert_eq!(pdf.headers()["x-qr-symbols"], "3");
    assert!(pdf.headers().contains_key("etag"));
    let text = String::from_utf8_lossy(&ok(pdf)).into_owned();
    assert!(text.contains("/Count 3 >>"), "{text}");
    assert_eq!(text.matches("/Type /Page ").count(), 3);

    // append is for /generate: a batch line with it is refused, naming the line.
    let bad = problem(
        host.post(
            "/generate/batch",
            "application/x-ndjson",
            "{\"data\":\"a\",\"append\":\"auto\"}\n",
        ),
        400,
        "invalid-batch",
    );
    assert_detail(&bad, "line 1");
}

fn a_sequence_holds_sixteen_symbols_and_no_more(host: &Host) {
    use qr_core::limits::MAX_APPEND_SYMBOLS;
    // Version 2 at level H holds 12 bytes a piece after the structured-append header.
    let at = |len: usize, append: &str| {
        host.get(&format!(
            "/generate?data={}&append={append}&max_version=2&ecc=H&format=svg",
            "a".repeat(len)
        ))
    };
    let full = at(16 * 12, "auto");
    assert_eq!(
        full.headers()["x-qr-symbols"],
        MAX_APPEND_SYMBOLS.to_string()
    );
    ok(full);
    let over = problem(at(16 * 12 + 1, "auto"), 422, "sequence-too-long");
    assert_detail(&over, "hold 192 bytes");
    assert_detail(&over, "MAX_APPEND_SYMBOLS");
    let fixed = problem(at(100, "3"), 422, "sequence-too-long");
    assert_detail(&fixed, "hold 36 bytes");
    // The count itself: 1 to 16, and no more symbols than characters.
    assert_eq!(at(16 * 12, "16").status(), StatusCode::OK);
    problem(at(10, "16"), 400, "invalid-option");
    problem(at(10, "17"), 400, "invalid-option");
    problem(at(10, "0"), 400, "invalid-option");
}

fn micro_qr_and_rmqr_by_query_json_and_multipart_read_back_and_refuse_what_they_cannot(
    host: &Host,
) {
    use rxing::BarcodeFormat::{MICRO_QR_CODE, RECTANGULAR_MICRO_QR_CODE};
    // The status first, so that a refusal shows its problem detail.
    let png_of = |response: Response, version: &str| {
        let headers = response.headers().clone();
        let png = ok(response);
        assert_eq!(headers["content-type"], "image/png");
        assert_eq!(headers["x-qr-version"], version);
        png
    };
    // GET: the smallest Micro QR (M1, 11 modules) with its 2-module quiet zone, 10 px a module.
    let m1 = png_of(host.get("/generate?data=12345&symbology=micro_qr"), "M1");
    assert_eq!(luma(&m1).dimensions(), (150, 150));
    assert_eq!(rxing_png_as(&m1, MICRO_QR_CODE), "12345");
    // JSON: an rMQR size asked for, at level H: 99 × 13 modules plus the quiet zone.
    let body = json!({
        "data": "https://example.com/product/123", "symbology": "rmqr",
        "version": "R13x99", "ecc": "H", "scale": 4,
    });
    let rmqr = png_of(post_json(host, body), "R13x99");
    assert_eq!(luma(&rmqr).dimensions(), (103 * 4, 17 * 4));
    assert_eq!(
        rxing_png_as(&rmqr, RECTANGULAR_MICRO_QR_CODE),
        "https://example.com/product/123"
    );
    // The capacity edge: M4 at level L holds 15 bytes, and 16 is a 422 naming the 15.
    let fifteen = "a".repeat(15);
    let m4 = png_of(
        host.get(&format!("/generate?symbology=micro_qr&data={fifteen}")),
        "M4",
    );
    assert_eq!(rxing_png_as(&m4, MICRO_QR_CODE), fifteen);
    let over = problem(
        host.get(&format!("/generate?symbology=micro_qr&data={fifteen}a")),
        422,
        "does-not-fit",
    );
    assert_detail(&over, "at most 15 characters of byte data");
    let r7 = problem(
        host.get("/generate?symbology=rmqr&version=R7x43&data=123456789012345"),
        422,
        "does-not-fit",
    );
    assert_detail(&r7, "rMQR R7x43");
    // Levels and options the symbology lacks are 422s; a size that does not exist is a 400.
    #[rustfmt::skip]
    let refused = [
        ("symbology=micro_qr&data=1&ecc=H", 422, "unsupported-with-symbology"),
        ("symbology=rmqr&data=1&module_shape=dots", 422, "unsupported-with-symbology"),
        ("symbology=micro_qr&data=12&append=2", 422, "unsupported-with-symbology"),
        ("symbology=rmqr&data=1&version=R14x77", 400, "invalid-option"),
        ("data=1&version=M2", 400, "invalid-option"),
    ];
    for (query, status, kind) in refused {
        problem(host.get(&format!("/generate?{query}")), status, kind);
    }
    let (content_type, body) = multipart(
        &[("data", "hello"), ("symbology", "rmqr")],
        &red_png(16, 16),
    );
    problem(
        host.post("/generate", &content_type, body),
        422,
        "unsupported-with-symbology",
    );
}
