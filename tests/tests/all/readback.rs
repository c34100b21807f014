//! Reading generated output back in the end-to-end tests, with code nobody here wrote where
//! it matters: rxing (ZXing's port) for the codes, the `zip` crate for archives; and the
//! request bodies those tests build (a logo made by code, multipart).

/// The body of a 200 answer; panics with the status and the body's text otherwise.
pub fn ok(response: qr_tests::Response) -> Vec<u8> {
    let status = response.status();
    let body = response.bytes().unwrap().to_vec();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    body
}

/// The JSON body of a 200 answer (see [`ok`]).
pub fn ok_json(response: qr_tests::Response) -> serde_json::Value {
    serde_json::from_slice(&ok(response)).expect("a JSON body")
}

/// The one QR code in a PNG, read by rxing (ZXing's port: a decoder nobody here wrote).
pub fn rxing_png(png: &[u8]) -> String {
    rxing_png_as(png, rxing::BarcodeFormat::QR_CODE)
}

/// The one code of `format` (QR, Micro QR, rMQR) in a PNG, read by rxing.
pub fn rxing_png_as(png: &[u8], format: rxing::BarcodeFormat) -> String {
    let img = image::load_from_memory(png).expect("a PNG").to_rgba8();
    let luma = img
        .pixels()
        .map(|p| {
            let a = f32::from(p[3]) / 255.0;
            let c = |v: u8| f32::from(v) * a + 255.0 * (1.0 - a);
            (0.299 * c(p[0]) + 0.587 * c(p[1]) + 0.114 * c(p[2])).round() as u8
        })
        .collect();
    rxing::helpers::detect_in_luma(luma, img.width(), img.height(), Some(format))
        .unwrap_or_else(|e| panic!("rxing reads no code: {e}"))
        .getText()
        .to_owned()
}

/// A PNG logo made by code: an opaque red square of `side` pixels.
pub fn red_png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(width, height, image::Rgba([200, 20, 40, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A `multipart/form-data` body of text fields and one `logo` file part.
pub fn multipart(fields: &[(&str, &str)], logo: &[u8]) -> (String, Vec<u8>) {
    multipart_file(fields, "logo", logo)
}

/// A `multipart/form-data` body of text fields and one PNG file part named `part`.
pub fn multipart_file(fields: &[(&str, &str)], part: &str, png: &[u8]) -> (String, Vec<u8>) {
    use std::io::Write as _;
    let boundary = "qr-workshop-test-boundary";
    let disposition =
        |name: &str| format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"");
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(body, "{}\r\n\r\n{value}\r\n", disposition(name)).unwrap();
    }
    let file = format!("filename=\"{part}.png\"\r\ncontent-type: image/png");
    write!(body, "{}; {file}\r\n\r\n", disposition(part)).unwrap();
    body.extend_from_slice(png);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The members of a ZIP archive, in order: name and bytes.
pub fn unzip(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().to_owned(), data)
        })
        .collect()
}

/// PNGs side by side, four to a row with a white gap, as one PNG: a "photo" of a printed
/// sequence for `/decode`, which joins the pieces it finds.
pub fn contact_sheet(pngs: &[Vec<u8>]) -> Vec<u8> {
    let images: Vec<_> = pngs
        .iter()
        .map(|p| image::load_from_memory(p).unwrap().to_rgba8())
        .collect();
    qr_test_images::contact_sheet(&images)
}
