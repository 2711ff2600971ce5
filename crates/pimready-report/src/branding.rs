//! The consultant's logo, decoded with the `png` crate (every colour type, bit depth and
//! interlacing PNG allows, normalised to 8-bit samples). A file that is not a readable PNG
//! is skipped rather than failing the report.

use printpdf::{RawImage, RawImageData, RawImageFormat};

/// Logos larger than this many pixels are not placed (a cover logo needs far fewer).
const MAX_PIXELS: usize = 16_000_000;

/// Decodes a PNG into raw 8-bit pixels, or `None` when it is not a PNG that can be read.
pub fn decode_png(bytes: &[u8]) -> Option<RawImage> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Palette and tRNS expand to RGB(A), low bit depths to 8 bits, 16-bit samples to 8.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let (width, height) = reader.info().size();
    let (width, height) = (width as usize, height as usize);
    if width == 0 || height == 0 || width.checked_mul(height)? > MAX_PIXELS {
        return None;
    }
    let mut pixels = vec![0; reader.output_buffer_size()?];
    let frame = reader.next_frame(&mut pixels).ok()?;
    pixels.truncate(frame.buffer_size());
    let format = match frame.color_type {
        png::ColorType::Grayscale => RawImageFormat::R8,
        png::ColorType::GrayscaleAlpha => RawImageFormat::RG8,
        png::ColorType::Rgb => RawImageFormat::RGB8,
        png::ColorType::Rgba => RawImageFormat::RGBA8,
        png::ColorType::Indexed => return None, // expanded above; never reached
    };
    Some(RawImage {
        pixels: RawImageData::U8(pixels),
        width,
        height,
        data_format: format,
        tag: Vec::new(),
    })
}

/// A 2×1 RGBA PNG (one navy pixel, one transparent one), 8 or 16 bits per sample.
#[cfg(test)]
pub(crate) fn tiny_png_with_depth(depth: u8) -> Vec<u8> {
    let samples = [22u8, 50, 92, 255, 0, 0, 0, 0];
    let data: Vec<u8> = if depth == 16 {
        // Big-endian samples; the low byte is dropped on decoding.
        samples.iter().flat_map(|s| [*s, 0x7f]).collect()
    } else {
        samples.to_vec()
    };
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, 2, 1);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(if depth == 16 {
        png::BitDepth::Sixteen
    } else {
        png::BitDepth::Eight
    });
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    png
}

#[cfg(test)]
pub(crate) fn tiny_png() -> Vec<u8> {
    tiny_png_with_depth(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_an_rgba_png_and_rejects_garbage() {
        let img = decode_png(&tiny_png()).unwrap();
        assert_eq!((img.width, img.height), (2, 1));
        assert_eq!(
            img.pixels,
            RawImageData::U8(vec![22, 50, 92, 255, 0, 0, 0, 0])
        );
        assert!(decode_png(b"not a png").is_none());
        let sixteen = decode_png(&tiny_png_with_depth(16)).unwrap();
        assert_eq!(sixteen.pixels, img.pixels);
        // A damaged PNG (its IHDR checksum broken) is refused, not half-read.
        let mut damaged = tiny_png();
        damaged[29] ^= 0xff;
        assert!(decode_png(&damaged).is_none());
    }
}
