//! The attract loop's slides on the window: each slide's texts in both languages (the screen
//! picks the reader's), its image loaded, its link drawn as a QR code.

use super::generated::{KioskWindow, Promotion, SlideData, SlideKind};
use kiosk_core::promotion::{self, Slide};
use slint::{ComponentHandle, Image, ModelRc, Rgb8Pixel, SharedPixelBuffer, VecModel};

/// A link as a QR code: black modules on white, with the quiet zone the standard asks for, one
/// pixel a module (the screen scales it without smoothing).
pub fn qr_image(link: &str) -> Option<Image> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    let modules = code.width();
    let quiet = 4;
    let side = modules + 2 * quiet;
    let colors = code.to_colors();
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side as u32, side as u32);
    let pixels = buffer.make_mut_slice();
    for (i, pixel) in pixels.iter_mut().enumerate() {
        let (x, y) = (i % side, i / side);
        let dark = x >= quiet
            && y >= quiet
            && x < quiet + modules
            && y < quiet + modules
            && colors[(y - quiet) * modules + (x - quiet)] == qrcode::Color::Dark;
        let v = if dark { 0 } else { 255 };
        *pixel = Rgb8Pixel { r: v, g: v, b: v };
    }
    Some(Image::from_rgb8(buffer))
}

fn kind(kind: promotion::SlideKind) -> SlideKind {
    match kind {
        promotion::SlideKind::Event => SlideKind::Event,
        promotion::SlideKind::Notice => SlideKind::Notice,
        promotion::SlideKind::NewArrival => SlideKind::NewArrival,
        promotion::SlideKind::Digital => SlideKind::Digital,
    }
}

pub fn slide_data(slide: &Slide) -> SlideData {
    let image = slide
        .image
        .as_deref()
        .and_then(|path| Image::load_from_path(std::path::Path::new(path)).ok());
    let qr = slide.qr.as_deref().and_then(qr_image);
    let text = |t: &Option<String>| t.clone().unwrap_or_default().into();
    SlideData {
        id: slide.id.as_str().into(),
        kind: kind(slide.kind),
        title_en: text(&slide.title.en),
        title_zh: text(&slide.title.zh),
        text_en: text(&slide.text.en),
        text_zh: text(&slide.text.zh),
        has_image: image.is_some(),
        image: image.unwrap_or_default(),
        has_qr: qr.is_some(),
        qr: qr.unwrap_or_default(),
    }
}

/// Shows these slides in the loop, each for `seconds_each` (an opened one closes if it is gone).
pub fn show(window: &KioskWindow, slides: &[Slide], seconds_each: u32) {
    let promotion = window.global::<Promotion>();
    promotion.set_seconds_per_slide(i32::try_from(seconds_each).unwrap_or(i32::MAX));
    let data: Vec<SlideData> = slides.iter().map(slide_data).collect();
    let count = i32::try_from(data.len()).unwrap_or(i32::MAX);
    if promotion.get_current() >= count {
        promotion.set_current(0);
    }
    if promotion.get_open() >= count {
        promotion.set_open(-1);
    }
    promotion.set_slides(ModelRc::new(VecModel::from(data)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_drawn_as_a_qr_code_with_its_quiet_zone() {
        let image = qr_image("https://library.example.org/events/42").unwrap();
        let size = image.size();
        assert_eq!(size.width, size.height);
        // Version 2 or 3 for a link this long (25 or 29 modules), plus 4 on each side.
        assert!((33..=37).contains(&size.width), "{size:?}");
    }
}
