//! The spin-sdk glue both components share: read the request within the endpoint's body
//! limit, call the endpoint, write its reply.
//!
//! The components take the streaming `IncomingRequest` rather than spin-sdk's buffered
//! `Request`, because the buffered one reads the whole body with no cap: a client could make
//! the instance allocate until it traps. Here the limit is checked against `content-length`
//! before reading and against the bytes received while reading, and nothing past the limit is
//! kept.
//!
//! An over-limit body is still read and thrown away, up to `BODY_DRAIN_FACTOR` times the
//! limit, before the 413 goes out, and a body declared larger than that is answered at once
//! (see the constant in `qr_core::limits` for why).

use futures::StreamExt;
use qr_api::limits::BODY_DRAIN_FACTOR;
use qr_api::{Endpoint, Problem, Reply, Request};
use spin_sdk::http::{Headers, IncomingRequest, OutgoingResponse, ResponseOutparam};

/// Serves one request with `endpoint`. Never panics on client input: every failure becomes
/// a problem+json reply.
pub async fn serve(req: IncomingRequest, out: ResponseOutparam, endpoint: &Endpoint) {
    let method = req.method().to_string();
    let path_and_query = req.path_with_query().unwrap_or_else(|| "/".to_owned());
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((&path_and_query, ""));
    // One host call for the headers we read, not one each.
    let [
        content_type,
        if_none_match,
        content_length,
        transfer_encoding,
    ] = headers(
        &req,
        [
            "content-type",
            "if-none-match",
            "content-length",
            "transfer-encoding",
        ],
    );
    let declared = content_length
        .as_deref()
        .and_then(|v| v.trim().parse::<u64>().ok());
    // A GET framed without a body (neither header: RFC 9112 §6.3) skips opening and polling
    // the body stream, host calls that the seed's `GET /generate` paid for nothing. No GET
    // route reads a body; one sent anyway is still read, so its limit still holds.
    let bodiless = method == "GET" && content_length.is_none() && transfer_encoding.is_none();
    let body = if bodiless {
        Ok(Vec::new())
    } else {
        read_body(req, declared, endpoint.max_body_bytes).await
    };
    let reply = match body {
        Ok(body) => {
            let request = Request {
                method: &method,
                path,
                query,
                content_type: content_type.as_deref(),
                if_none_match: if_none_match.as_deref(),
                body: &body,
            };
            match (endpoint.stream)(&request) {
                Some(Ok(streamed)) => return write_streamed(out, streamed).await,
                Some(Err(reply)) => reply,
                None => (endpoint.handle)(&request),
            }
        }
        Err(reply) => reply,
    };
    write(out, reply).await;
}

/// Sends the head, then each chunk as it is made: the body is never held whole.
async fn write_streamed(out: ResponseOutparam, streamed: qr_api::Streamed) {
    use futures::SinkExt;
    let fields: Vec<(String, Vec<u8>)> = streamed
        .headers
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_bytes()))
        .collect();
    let Ok(headers) = Headers::from_list(&fields) else {
        return;
    };
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(200);
    let mut body = response.take_body();
    out.set(response);
    for chunk in streamed.chunks {
        // A client that hangs up mid-body leaves nothing to report to.
        if body.send(chunk).await.is_err() {
            return;
        }
    }
}

/// The whole body, or the reply to send instead: 413 past `limit`, 400 if the client's
/// stream breaks.
async fn read_body(
    req: IncomingRequest,
    declared: Option<u64>,
    limit: usize,
) -> Result<Vec<u8>, Reply> {
    let too_large = || Problem::body_too_large(limit).into_reply();
    // Read and discard up to this much in all before answering 413 (see the crate docs).
    let drain_up_to = limit.saturating_mul(BODY_DRAIN_FACTOR);
    if declared.is_some_and(|n| n > drain_up_to as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    let mut received = 0usize;
    let mut stream = req.into_body_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Problem::incomplete_body(&e.to_string()).into_reply())?;
        received = received.saturating_add(chunk.len());
        if received > drain_up_to {
            break;
        }
        if received <= limit {
            body.extend_from_slice(&chunk);
        }
    }
    if received > limit {
        return Err(too_large());
    }
    Ok(body)
}

/// Sends `reply` with an exact `content-length`, so hosts need not chunk it.
async fn write(out: ResponseOutparam, reply: Reply) {
    let mut fields: Vec<(String, Vec<u8>)> = reply
        .headers
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into_bytes()))
        .collect();
    fields.push((
        "content-length".to_owned(),
        reply.body.len().to_string().into_bytes(),
    ));
    // Our header names and values are fixed ASCII, which `from_list` accepts.
    let Ok(headers) = Headers::from_list(&fields) else {
        return;
    };
    let response = OutgoingResponse::new(headers);
    // Status codes come from our own tables and are all valid.
    let _ = response.set_status_code(reply.status);
    // A client that hangs up mid-body leaves nothing to report to.
    let _ = out.set_with_body(response, reply.body).await;
}

/// The first value of each of `names` (lower case), read in one host call.
fn headers<const N: usize>(req: &IncomingRequest, names: [&str; N]) -> [Option<String>; N] {
    let mut found = [const { None }; N];
    for (name, value) in req.headers().entries() {
        if let Some(i) = names.iter().position(|n| name.eq_ignore_ascii_case(n))
            && found[i].is_none()
        {
            found[i] = Some(String::from_utf8_lossy(&value).into_owned());
        }
    }
    found
}
