//! Reads the shared QR photo corpus (`shared/qr-corpus`) and scores decoded texts against
//! it, for the accuracy regression test and the `qr-scan-bench` benchmark.
//!
//! The rules are the corpus README's: an image scores one point per expected text found
//! among the decoded texts, comparing with one trailing `\n` dropped on both sides; the
//! de-duplicated targets are all of `zxing-java/` plus the `zxing/` images that are not
//! the same scene (same set, same stem) with the same expectation there.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Extensions of the corpus's image files.
const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "webp"];

/// The folder whose images are all targets; the other folder only adds what it lacks.
const PRIMARY_FOLDER: &str = "zxing-java";

/// The folders of the corpus, in the order their images are listed.
const FOLDERS: [&str; 2] = ["zxing", PRIMARY_FOLDER];

/// One image of the corpus with what it should decode to.
#[derive(Debug, Clone)]
pub struct Case {
    /// `zxing` or `zxing-java`.
    pub folder: String,
    /// `qrcode-1` … or `multi-qrcode-1`.
    pub set: String,
    /// File name without extension.
    pub stem: String,
    /// The image file.
    pub path: PathBuf,
    /// Texts the image holds: one, or several for multi-code images.
    pub expected: Vec<String>,
    /// Counts towards the de-duplicated targets.
    pub target: bool,
}

/// Lists every image of the corpus at `root` that has an expectation, sorted by folder,
/// set and file name. Sets without per-image expectations (structured-append pieces) are
/// skipped, as the corpus README says.
pub fn load(root: &Path) -> io::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for folder in FOLDERS {
        for set_dir in sorted_entries(&root.join(folder))?
            .into_iter()
            .filter(|p| p.is_dir())
        {
            let set = file_name(&set_dir);
            for path in sorted_entries(&set_dir)? {
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default();
                if !IMAGE_EXTENSIONS.contains(&ext) {
                    continue;
                }
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or_default()
                    .to_owned();
                let Some(expected) = expectation(&set_dir, &stem)? else {
                    continue;
                };
                let folder = folder.to_owned();
                cases.push(Case {
                    folder,
                    set: set.clone(),
                    stem,
                    path,
                    expected,
                    target: false,
                });
            }
        }
    }
    let primary: BTreeMap<(String, String), Vec<String>> = cases
        .iter()
        .filter(|c| c.folder == PRIMARY_FOLDER)
        .map(|c| ((c.set.clone(), c.stem.clone()), c.expected.clone()))
        .collect();
    for case in &mut cases {
        case.target = case.folder == PRIMARY_FOLDER
            || primary.get(&(case.set.clone(), case.stem.clone())) != Some(&case.expected);
    }
    Ok(cases)
}

/// Expected texts present among `found`.
pub fn score(expected: &[String], found: &[String]) -> usize {
    let trim = |s: &str| s.strip_suffix('\n').unwrap_or(s).to_owned();
    let found: Vec<String> = found.iter().map(|s| trim(s)).collect();
    expected.iter().filter(|e| found.contains(&trim(e))).count()
}

/// The texts an image should decode to: `<stem>.txt`, or the list in `<stem>.multi.json`.
fn expectation(dir: &Path, stem: &str) -> io::Result<Option<Vec<String>>> {
    let single = dir.join(format!("{stem}.txt"));
    if single.exists() {
        return Ok(Some(vec![
            String::from_utf8_lossy(&std::fs::read(&single)?).into_owned(),
        ]));
    }
    let multi = dir.join(format!("{stem}.multi.json"));
    if multi.exists() {
        let texts = serde_json::from_slice(&std::fs::read(&multi)?).map_err(io::Error::other)?;
        return Ok(Some(texts));
    }
    Ok(None)
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

/// Every photo of the shared corpus beside the project, in greyscale with its path: what the
/// tests that compare our building blocks with rxing's run over.
#[cfg(test)]
pub(crate) fn shared_photos() -> impl Iterator<Item = (PathBuf, image::GrayImage)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus");
    let cases = load(&root).expect("the shared corpus is beside the project");
    assert!(!cases.is_empty());
    cases.into_iter().map(|case| {
        let image = image::open(&case.path)
            .expect("corpus images load")
            .to_luma8();
        (case.path, image)
    })
}
