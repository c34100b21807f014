//! The generate component: `POST /generate` (JSON, the Python service's contract, a form or
//! multipart with a logo), `GET /generate?data=…` (PNG, SVG, text, PDF, EPS; ETag and 304),
//! `GET /health`, and a problem+json 404 for any other path `spin.toml` sends here.
//!
//! It links the encoder and only the PNG and JPEG decoders a logo needs, not the QR decoder.
//! All behaviour lives in `qr-api` and `qr-core`, where it is tested natively.

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

/// Entry point: a fresh instance per request, as Spin and qr-host run it.
#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    qr_spin::serve(req, out, &qr_api::GENERATE).await;
}
