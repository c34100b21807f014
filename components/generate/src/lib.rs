//! The generate component: `POST /generate` (JSON, the Python service's contract),
//! `GET /generate?data=…` (PNG or SVG), `GET /health`, and a problem+json 404 for any other
//! path `spin.toml` sends here.
//!
//! It links only the encoder: no image decoder, so it stays small and instantiates fast.
//! All behaviour lives in `qr-api` and `qr-core`, where it is tested natively.

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

/// Entry point: a fresh instance per request, as Spin and qr-host run it.
#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    qr_spin::serve(req, out, &qr_api::GENERATE).await;
}
