//! The consultant's logo: a minimal PNG decoder (8- or 16-bit, non-interlaced grey, grey +
//! alpha, RGB, RGBA and palette images) so the report needs no image codec crate.
//! Anything else is skipped rather than failing the report.

use std::io::Read;

use printpdf::{RawImage, RawImageData, RawImageFormat};

/// Decodes a PNG into raw pixels, or `None` when it is not a PNG this decoder reads.
pub fn decode_png(bytes: &[u8]) -> Option<RawImage> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut rest = bytes.strip_prefix(SIGNATURE)?;
    let (mut width, mut height, mut color_type, mut depth) = (0usize, 0usize, 0u8, 8u8);
    let mut palette: Vec<u8> = Vec::new();
    let mut transparency: Vec<u8> = Vec::new();
    let mut idat = Vec::new();
    while rest.len() >= 12 {
        let len = u32::from_be_bytes(rest[0..4].try_into().ok()?) as usize;
        let kind = &rest[4..8];
        let data = rest.get(8..8 + len)?;
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data.get(0..4)?.try_into().ok()?) as usize;
                height = u32::from_be_bytes(data.get(4..8)?.try_into().ok()?) as usize;
                let (bits, ctype, interlace) = (*data.get(8)?, *data.get(9)?, *data.get(12)?);
                depth = bits;
                if !(depth == 8 || (depth == 16 && ctype != 3))
                    || interlace != 0
                    || width == 0
                    || height == 0
                    || width * height > 16_000_000
                {
                    return None;
                }
                color_type = ctype;
            }
            b"PLTE" => palette = data.to_vec(),
            b"tRNS" => transparency = data.to_vec(),
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        rest = rest.get(12 + len..)?;
    }
    let channels = match color_type {
        0 | 3 => 1,
        4 => 2,
        2 => 3,
        6 => 4,
        _ => return None,
    };
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .ok()?;
    // Bytes per pixel: filters work on bytes, 16-bit samples are two of them.
    let bpp = channels * usize::from(depth / 8);
    let stride = width * bpp;
    if raw.len() < height * (stride + 1) {
        return None;
    }
    let mut pixels = vec![0u8; height * stride];
    for y in 0..height {
        let filter = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        let (done, todo) = pixels.split_at_mut(y * stride);
        let prev = if y > 0 {
            &done[(y - 1) * stride..]
        } else {
            &[][..]
        };
        let cur = &mut todo[..stride];
        for i in 0..stride {
            let a = if i >= bpp { i32::from(cur[i - bpp]) } else { 0 };
            let b = prev.get(i).copied().map_or(0, i32::from);
            let c = if i >= bpp {
                prev.get(i - bpp).copied().map_or(0, i32::from)
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => i32::midpoint(a, b),
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                _ => return None,
            };
            cur[i] = (i32::from(line[i]) + predicted) as u8;
        }
    }
    // 16-bit samples are big-endian: keep the high byte.
    let pixels = if depth == 16 {
        pixels.iter().step_by(2).copied().collect()
    } else {
        pixels
    };
    let (pixels, format) = match color_type {
        0 => (pixels, RawImageFormat::R8),
        4 => (pixels, RawImageFormat::RG8),
        2 => (pixels, RawImageFormat::RGB8),
        6 => (pixels, RawImageFormat::RGBA8),
        _ => {
            let mut out = Vec::with_capacity(width * height * 4);
            for &index in &pixels {
                let i = usize::from(index);
                out.extend_from_slice(palette.get(i * 3..i * 3 + 3)?);
                out.push(transparency.get(i).copied().unwrap_or(255));
            }
            (out, RawImageFormat::RGBA8)
        }
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
    use std::io::Write;
    let samples = [22u8, 50, 92, 255, 0, 0, 0, 0];
    let mut raw = vec![0u8]; // filter: none
    for s in samples {
        raw.push(s);
        if depth == 16 {
            raw.push(0x7f); // low byte, dropped on decoding
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let idat = z.finish().unwrap();
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by this decoder.
        c
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 1, depth, 6, 0, 0, 0]));
    png.extend(chunk(b"IDAT", &idat));
    png.extend(chunk(b"IEND", &[]));
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
    }
}
