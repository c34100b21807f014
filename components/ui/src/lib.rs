//! The ui component: the web page at `/`, the API page at `/docs`, the OpenAPI document at
//! `/openapi.json` and their static files under `/ui/`.
//!
//! Every file is embedded in the component at build time (`qr-web`), so the page works with
//! no CDN and no network beyond this app, under Spin, `wasmtime serve` and qr-host alike.

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

/// Entry point: a fresh instance per request, as Spin and qr-host run it.
#[http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    qr_spin::serve(req, out, &qr_web::UI).await;
}
