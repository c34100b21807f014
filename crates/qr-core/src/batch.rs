//! Batch generation: many codes streamed back as one ZIP archive.
//!
//! The caller (`qr-api`, from JSON lines or CSV) validates every item before the first byte
//! goes out, so a bad line is refused before the archive starts. Then [`ZipStream`] yields one chunk per code (the ZIP local header and the image) and the
//! central directory last: memory is one image plus a directory entry per item, whatever the
//! batch's size. A code that fails while rendering (too little contrast, a logo that covers
//! too much) becomes a `<name>.error.txt` entry rather than a broken archive.
//!
//! ZIP: PKWARE APPNOTE 6.3, entries stored (images are already compressed), UTF-8 names,
//! a fixed 1980-01-01 timestamp so the same batch always gives the same bytes.

use crate::{GenerateOptions, generate, limits};

/// One code of a batch.
#[derive(Debug, Clone)]
pub struct BatchItem {
    /// File name in the archive, extension included.
    pub name: String,
    /// What to generate.
    pub options: GenerateOptions,
}

/// The archive, one chunk per item and the central directory last.
#[derive(Debug)]
pub struct ZipStream {
    items: std::vec::IntoIter<BatchItem>,
    /// `None` once the directory is sent.
    zip: Option<ZipWriter>,
}

impl ZipStream {
    /// Streams `items` (at most [`limits::MAX_BATCH_ITEMS`], which the caller checks).
    pub fn new(items: Vec<BatchItem>) -> ZipStream {
        ZipStream {
            zip: Some(ZipWriter {
                directory: Vec::with_capacity(items.len() * 80),
                ..ZipWriter::default()
            }),
            items: items.into_iter(),
        }
    }
}

/// A stored ZIP archive written entry by entry: each [`ZipWriter::entry`] gives the bytes to
/// send next and keeps only its directory record, [`ZipWriter::finish`] the directory.
#[derive(Debug, Default)]
pub(crate) struct ZipWriter {
    directory: Vec<u8>,
    entries: u16,
    offset: u64,
}

impl ZipWriter {
    /// The local header and data of one stored entry; its directory record is kept.
    pub(crate) fn entry(&mut self, name: &str, data: &[u8]) -> Vec<u8> {
        let crc = qr_encode::crc32(data);
        let len = data.len() as u32;
        let name_len = name.len() as u16;
        let mut local = Vec::with_capacity(30 + name.len() + data.len());
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common_header(&mut local, crc, len, name_len);
        local.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(data);

        let dir = &mut self.directory;
        dir.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        dir.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
        common_header(dir, crc, len, name_len);
        dir.extend_from_slice(&[0; 2 + 2 + 2 + 2 + 4]); // extra, comment, disk, internal, external
        dir.extend_from_slice(&(self.offset as u32).to_le_bytes());
        dir.extend_from_slice(name.as_bytes());

        self.entries += 1;
        self.offset += local.len() as u64;
        local
    }

    /// The central directory and its end record: the archive's last bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut end = self.directory;
        let size = end.len() as u32;
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]); // this disk, directory disk
        end.extend_from_slice(&self.entries.to_le_bytes());
        end.extend_from_slice(&self.entries.to_le_bytes());
        end.extend_from_slice(&size.to_le_bytes());
        end.extend_from_slice(&(self.offset as u32).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        end
    }
}

/// Version needed, flags (UTF-8 names), method (stored), time, date, CRC, sizes, name length.
fn common_header(out: &mut Vec<u8>, crc: u32, len: u32, name_len: u16) {
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&0x0800u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // 00:00:00
    out.extend_from_slice(&0x0021u16.to_le_bytes()); // 1980-01-01
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
}

impl Iterator for ZipStream {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        let zip = self.zip.as_mut()?;
        let Some(item) = self.items.next() else {
            return self.zip.take().map(ZipWriter::finish);
        };
        Some(match generate(&item.options) {
            Ok(image)
                if zip.offset + image.bytes.len() as u64 <= limits::MAX_BATCH_OUTPUT_BYTES =>
            {
                zip.entry(&item.name, &image.bytes)
            }
            Ok(_) => {
                // Past the archive limit: say so in the archive and end it here.
                self.items = Vec::new().into_iter();
                let why = format!(
                    "the archive stops before {}: it would pass MAX_BATCH_OUTPUT_BYTES ({} bytes)\n",
                    item.name,
                    limits::MAX_BATCH_OUTPUT_BYTES
                );
                zip.entry("TRUNCATED.txt", why.as_bytes())
            }
            Err(e) => zip.entry(
                &format!("{}.error.txt", item.name),
                format!("{e}\n").as_bytes(),
            ),
        })
    }
}
