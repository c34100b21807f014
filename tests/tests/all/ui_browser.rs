//! The web page in a real browser: Debian's headless Chromium, driven by selenium through
//! chromium-driver (`tests/browser/ui_flows.py`), against the real qr-host and (every flow
//! that goes through the API) real Spin, `spin up`, serving the product's `spin.toml`. One
//! test per flow and host; each flow also
//! fails on any console error and on any request that leaves loopback. `scripts/setup --test`
//! installs Chromium, its driver and the Python venv (`target/ui-venv`).

use std::process::Command;
use std::time::Duration;

use qr_tests::{Host, HostKind, run_bounded, venv_program, workspace_root};

/// A whole flow, browser start included, must end within this. Each step inside a flow waits
/// at most 30 s (ui_flows.py `WAIT_SECONDS`); a flow takes 2 to 6 s on the build machine.
const FLOW_TIMEOUT: Duration = Duration::from_secs(180);

/// What the fake camera's QR code says.
const CAMERA_TEXT: &str = "seen by the fake camera";

/// Runs one flow of `ui_flows.py` against `host`; panics with the script's output if it fails
/// or outlives [`FLOW_TIMEOUT`].
fn run_flow(host: &Host, flow: &str, extra: &[&str]) {
    run_bounded(
        &format!("browser flow {flow} on {}", host.kind()),
        Command::new(venv_program("ui-venv", "python"))
            .arg(workspace_root().join("tests/browser/ui_flows.py"))
            .args(["--base", &host.url(""), "--flow", flow])
            .args(extra),
        FLOW_TIMEOUT,
    );
}

/// For each `NAME => "flow"`: `fn NAME(host: &Host)` running that flow of `ui_flows.py`, and
/// its tests `NAME::qr_host` and `NAME::spin` ([`qr_tests::on_every_host!`]).
macro_rules! flows {
    ($($name:ident => $flow:literal),+ $(,)?) => {$(
        fn $name(host: &Host) {
            run_flow(host, $flow, &[]);
        }
        qr_tests::on_every_host!($name);
    )+};
}

// Every flow that goes through the API runs against qr-host and against real Spin (`spin
// up`), each serving the product's spin.toml.
flows!(
    make_preview_options_download_and_the_png_decodes => "make",
    a_logo_file_is_posted_with_the_options_and_a_too_big_one_shows_the_api_detail => "logo",
    the_wifi_vcard_and_epc_forms_make_codes_with_the_exact_payload_text => "builders",
    a_structured_append_sequence_from_the_form_downloads_as_a_zip_whose_pieces_join => "append",
    micro_qr_and_rmqr_are_made_from_the_symbology_option_and_listed_with_their_version_names => "symbology",
    a_corpus_photo_from_the_file_picker_and_drag_and_drop_shows_text_and_corners => "upload",
    a_corpus_photo_pasted_with_ctrl_v_shows_text_and_corners => "paste",
    api_errors_are_shown_as_their_problem_detail => "errors",
);
qr_tests::on_every_host!(the_camera_scans_a_fake_video_until_it_reads_the_code);

// The page's own behaviour (keyboard, the API page) is the same bytes from either host: on
// qr-host only, which saves about 15 s of CI.
#[test]
fn every_control_works_from_the_keyboard_with_a_visible_focus_on_qr_host() {
    HostKind::QrHost.run(|host| run_flow(host, "keyboard", &[]));
}

#[test]
fn the_docs_page_renders_every_operation_and_problem_type_on_qr_host() {
    HostKind::QrHost.run(|host| run_flow(host, "docs", &[]));
}

fn the_camera_scans_a_fake_video_until_it_reads_the_code(host: &Host) {
    let dir = tempfile::tempdir().expect("temp dir");
    let video = dir.path().join("qr.y4m");
    write_qr_video(&video, CAMERA_TEXT);
    let video = video.display().to_string();
    run_flow(
        host,
        "camera",
        &["--video", &video, "--video-text", CAMERA_TEXT],
    );
}

/// Frame size of the fake camera: VGA, what Chromium's fake device defaults to.
const VIDEO_WIDTH: usize = 640;
const VIDEO_HEIGHT: usize = 480;
/// Frames without a code before the ones with it, so the page must keep scanning.
const BLANK_FRAMES: usize = 10;
const CODE_FRAMES: usize = 10;

/// Writes a Y4M video (Chromium's `--use-file-for-fake-video-capture` format, 4:2:0) that shows
/// a grey wall for two seconds, then a QR code of `text` made by qr-core, centred.
fn write_qr_video(path: &std::path::Path, text: &str) {
    let png = qr_core::generate(&qr_core::GenerateOptions::new(text))
        .expect("generate")
        .bytes;
    let code = image::load_from_memory(&png)
        .expect("decode PNG")
        .to_luma8();
    let (w, h) = (code.width() as usize, code.height() as usize);
    assert!(
        w <= VIDEO_WIDTH && h <= VIDEO_HEIGHT,
        "code {w}x{h} too big"
    );
    let blank = vec![0x70u8; VIDEO_WIDTH * VIDEO_HEIGHT];
    let mut with_code = blank.clone();
    let (x0, y0) = ((VIDEO_WIDTH - w) / 2, (VIDEO_HEIGHT - h) / 2);
    for (x, y, p) in code.enumerate_pixels() {
        with_code[(y0 + y as usize) * VIDEO_WIDTH + x0 + x as usize] = p.0[0];
    }
    let chroma = vec![128u8; VIDEO_WIDTH * VIDEO_HEIGHT / 2];
    let header = format!("YUV4MPEG2 W{VIDEO_WIDTH} H{VIDEO_HEIGHT} F5:1 Ip A1:1 C420jpeg\n");
    let mut video = header.into_bytes();
    let blanks = std::iter::repeat_n(&blank, BLANK_FRAMES);
    for luma in blanks.chain(std::iter::repeat_n(&with_code, CODE_FRAMES)) {
        video.extend([&b"FRAME\n"[..], luma, &chroma].concat());
    }
    std::fs::write(path, video).expect("write y4m");
}
