//! Renders the example images the README shows for each generation feature into
//! `docs/examples/`, through the same `qr_core::generate` the service calls:
//!
//! ```sh
//! cargo run --release -p qr-core --example readme_images
//! ```

use std::path::Path;

use qr_core::generate;

/// A logo made by code: a blue disc with a white bar, transparent around it.
fn logo_png() -> Vec<u8> {
    let side = 160u32;
    let img = image::RgbaImage::from_fn(side, side, |x, y| {
        let c = side as f32 / 2.0;
        let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt();
        if d > c {
            image::Rgba([0, 0, 0, 0])
        } else if (y as f32 - c).abs() < 14.0 && (x as f32 - c).abs() < 50.0 {
            image::Rgba([255, 255, 255, 255])
        } else {
            image::Rgba([21, 101, 192, 255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG in memory");
    out.into_inner()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    std::fs::create_dir_all(&dir)?;
    let logo = base64_std(&logo_png());
    let examples: Vec<(&str, serde_json::Value)> = vec![
        (
            "wifi.png",
            serde_json::json!({"wifi": {"ssid": "Café;1", "password": "s3cret:pw"}, "scale": 6}),
        ),
        (
            "vcard.svg",
            serde_json::json!({"vcard": {"first_name": "Ann", "last_name": "Lee", "org": "Acme, Inc.", "phone": "+1 555 0100", "email": "ann@example.com"}, "format": "svg", "scale": 4}),
        ),
        (
            "epc.png",
            serde_json::json!({"epc": {"name": "Red Cross", "iban": "BE72000000001616", "amount": "12.50", "text": "Donation"}, "scale": 5}),
        ),
        (
            "text.txt",
            serde_json::json!({"data": "hi", "format": "text"}),
        ),
        (
            "seed.pdf",
            serde_json::json!({"data": "https://example.com/product/123", "format": "pdf"}),
        ),
        (
            "seed.eps",
            serde_json::json!({"data": "https://example.com/product/123", "format": "eps"}),
        ),
        (
            "logo.png",
            serde_json::json!({"data": "https://example.com/product/123", "logo": logo, "logo_size": 0.2, "scale": 8}),
        ),
        (
            "logo.svg",
            serde_json::json!({"data": "https://example.com/product/123", "logo": logo, "logo_size": 0.2, "format": "svg", "scale": 8}),
        ),
        (
            "style-dots.png",
            serde_json::json!({"data": "https://example.com/product/123", "module_shape": "dots", "eye_frame": "circle", "eye_ball": "circle", "fg": "#0d47a1", "scale": 8}),
        ),
        (
            "style-connected.svg",
            serde_json::json!({"data": "https://example.com/product/123", "module_shape": "connected", "eye_frame": "rounded", "eye_ball": "rounded", "gradient": "linear", "fg": "#004d40", "fg2": "#1a237e", "gradient_angle": 45, "format": "svg", "scale": 8}),
        ),
        (
            "style-rounded-eyes.png",
            serde_json::json!({"data": "https://example.com/product/123", "module_shape": "rounded", "gradient": "radial", "fg": "#311b92", "fg2": "#880e4f", "eye_color": "#b71c1c,#0d47a1,#1b5e20", "scale": 8}),
        ),
        (
            "style-logo.png",
            serde_json::json!({"data": "https://example.com/product/123", "module_shape": "dots", "eye_frame": "rounded", "eye_ball": "circle", "fg": "#1565c0", "logo": logo, "scale": 8}),
        ),
        (
            "micro-qr.png",
            serde_json::json!({"data": "HELLO WORLD", "symbology": "micro_qr", "scale": 8}),
        ),
        (
            "micro-qr-m4.svg",
            serde_json::json!({"data": "https://x.io", "symbology": "micro_qr", "ecc": "M", "format": "svg", "scale": 8}),
        ),
        (
            "rmqr.png",
            serde_json::json!({"data": "https://example.com/product/123", "symbology": "rmqr", "scale": 6}),
        ),
        (
            "rmqr-r7x139.svg",
            serde_json::json!({"data": "https://example.com/product/123", "symbology": "rmqr", "version": "R7x139", "format": "svg", "scale": 6}),
        ),
    ];
    for (name, body) in examples {
        let opts = qr_api::options::from_json(body.to_string().as_bytes())?;
        let image = generate(&opts)?;
        std::fs::write(dir.join(name), &image.bytes)?;
        println!("docs/examples/{name}: {} bytes", image.bytes.len());
    }
    // A structured-append sequence: the ZIP's members as files of their own.
    let text: String = (1..=12)
        .map(|i| format!("https://example.com/product/{i} "))
        .collect();
    let body = serde_json::json!({"data": text, "append": 3, "ecc": "M", "scale": 5});
    let image = generate(&qr_api::options::from_json(body.to_string().as_bytes())?)?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(image.bytes))?;
    for i in 0..zip.len() {
        let mut member = zip.by_index(i)?;
        let name = format!("append-{}", member.name().trim_start_matches("qr-"));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut member, &mut bytes)?;
        std::fs::write(dir.join(&name), &bytes)?;
        println!("docs/examples/{name}: {} bytes", bytes.len());
    }
    Ok(())
}

/// Standard padded base64, for the JSON `logo` field.
fn base64_std(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
