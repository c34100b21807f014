//! The decode component: `POST /decode` with an image as the body or as multipart field
//! `file`, answered with every QR code found in it.
//!
//! Image parsing is the riskiest work the service does, so it runs in its own component: a
//! hostile file can at worst trap this instance, never the generate path. The body limit is
//! enforced while reading (see `qr-spin`), the pixel limits before decoding (see `qr-core`).

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

/// Entry point: a fresh instance per request, as Spin and qr-host run it.
#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    qr_spin::serve(req, out, &qr_api::DECODE).await;
}
