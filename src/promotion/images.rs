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
    check_bytes(&bytes).map(|_| ())
}

/// Whether these bytes are a picture the screen may show, and its size in pixels: PNG or JPEG,
/// at most [`MAX_PIXELS`] by its header, and decoded whole here with the decoders the screen
/// uses, so a damaged body or a header that lies fails now, not on screen.
pub fn check_bytes(bytes: &[u8]) -> Result<(u32, u32), String> {
    let format = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => image::ImageFormat::Png,
        Ok(imagesize::ImageType::Jpeg) => image::ImageFormat::Jpeg,
        Ok(other) => return Err(format!("a {other:?} image: use PNG or JPEG")),
        Err(_) => return Err("not an image: use PNG or JPEG".into()),
    };
    let dimensions =
        imagesize::blob_size(bytes).map_err(|e| format!("the image cannot be read: {e}"))?;
    let pixels = (dimensions.width as u64) * (dimensions.height as u64);
    if pixels == 0 || pixels > MAX_PIXELS {
        return Err(format!(
            "the image is {}×{} pixels; at most {} million",
            dimensions.width,
            dimensions.height,
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    // The decoder's own limits too: a header it reads otherwise than imagesize does cannot
    // make it allocate more than the largest picture allowed.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(4096 * 4);
    limits.max_image_height = Some(4096 * 4);
    limits.max_alloc = Some(MAX_PIXELS * 4 * 2);
    reader.limits(limits);
    let decoded = reader
        .decode()
        .map_err(|_| "the image does not decode (damaged, or not what its name says)")?;
    if u64::from(decoded.width()) * u64::from(decoded.height()) > MAX_PIXELS {
        return Err("the image is larger than its header says".into());
    }
    Ok((decoded.width(), decoded.height()))
}
