//! Reading a response body: a cap applied after decompression, and a stall timeout between chunks.

use std::time::Duration;

use crate::FetchError;

/// Reads the (already decompressed) body chunk by chunk. Stops with [`FetchError::TooLarge`] as soon as the cap is
/// passed, and with [`FetchError::Stalled`] when no chunk arrives within `stall`.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
    stall: Duration,
    bytes_seen: &mut u64,
) -> Result<Vec<u8>, FetchError> {
    if let Some(len) = response.content_length() {
        // Content-Length is the encoded size; it can only prove the body too big when no encoding applies.
        if response.headers().get(reqwest::header::CONTENT_ENCODING).is_none() && len > cap as u64 {
            return Err(FetchError::TooLarge { cap });
        }
    }
    let mut body = Vec::new();
    loop {
        let next = tokio::time::timeout(stall, response.chunk())
            .await
            .map_err(|_| FetchError::Stalled { after: stall })?;
        match next {
            Ok(Some(chunk)) => {
                *bytes_seen += chunk.len() as u64;
                if body.len() + chunk.len() > cap {
                    return Err(FetchError::TooLarge { cap });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(FetchError::from_reqwest(&e)),
        }
    }
}

/// Unpacks a body that is a gzip file although no Content-Encoding said so (a `feed.xml.gz`, a page cached
/// compressed and served as is), under the same cap as any body. Other bodies pass through.
pub(crate) fn unpack_unlabelled_gzip(body: Vec<u8>, cap: usize) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    if !body.starts_with(&[0x1f, 0x8b]) {
        return Ok(body);
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body.as_slice())
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Decode(format!("the body is gzip data that does not unpack: {e}")))?;
    if out.len() > cap {
        return Err(FetchError::TooLarge { cap });
    }
    Ok(out)
}

/// Reads a local file, refusing one larger than the cap.
pub(crate) fn read_file(path: &std::path::Path, cap: usize) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| FetchError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let mut body = Vec::new();
    file.take(cap as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| FetchError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    if body.len() > cap {
        return Err(FetchError::TooLarge { cap });
    }
    Ok(body)
}
