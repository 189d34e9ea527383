//! An image a slide names, checked before the screen decodes it: a PNG or JPEG file of bounded
//! size in bytes and in pixels (an image from outside is untrusted input).

use std::path::Path;

/// Bigger files are not read.
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;
/// Bigger pictures are not decoded (a 4K screen needs no more).
pub const MAX_PIXELS: u64 = 4096 * 4096;

/// Whether the screen may show this image; why not, otherwise.
pub fn check(path: &Path) -> Result<(), String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the image: {e}"))?
        .len();
    if size > MAX_BYTES {
        return Err(format!(
            "the image is {} MB; at most {} MB",
            size / 1_000_000,
            MAX_BYTES / 1_000_000
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the image: {e}"))?;
    match imagesize::image_type(&bytes) {
        Ok(imagesize::ImageType::Png | imagesize::ImageType::Jpeg) => {}
        Ok(other) => return Err(format!("a {other:?} image: use PNG or JPEG")),
        Err(_) => return Err("not an image: use PNG or JPEG".into()),
    }
    let dimensions =
        imagesize::blob_size(&bytes).map_err(|e| format!("the image cannot be read: {e}"))?;
    let pixels = (dimensions.width as u64) * (dimensions.height as u64);
    if pixels == 0 || pixels > MAX_PIXELS {
        return Err(format!(
            "the image is {}×{} pixels; at most {} million",
            dimensions.width,
            dimensions.height,
            MAX_PIXELS / 1_000_000
        ));
    }
    // Decoded once here, as the screen will: a damaged body fails now, not on screen.
    slint::Image::load_from_path(path)
        .map(|_| ())
        .map_err(|_| "the image does not decode (damaged, or not what its name says)".into())
}
