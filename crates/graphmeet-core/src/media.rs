//! The media file of a played meeting's recording: an MP4 (ISO BMFF, brand `isom`/`mp42`)
//! holding one AAC-LC audio track of silence, 48 kHz mono, as long as the session, which any
//! player opens and plays. Graph serves a recording's content as `video/mp4` (spec B.4); a
//! Teams recording carries video too, which graphmeet does not draw.
//!
//! Written with the `mp4` crate; the frame is the standard silent AAC-LC mono access unit (the
//! one stream players insert for gaps, e.g. hls.js's `AAC.getSilentFrame`).

use std::io::Cursor;

/// The audio's sample rate.
pub const SAMPLE_RATE: u32 = 48_000;
/// Samples per AAC frame.
const FRAME_SAMPLES: u32 = 1024;
/// One silent AAC-LC frame, mono.
const SILENT_FRAME_MONO: [u8; 6] = [0x00, 0xc8, 0x00, 0x80, 0x23, 0x80];

/// Why a recording could not be written (never expected: the writer writes to memory).
#[derive(Debug, thiserror::Error)]
#[error("writing the recording failed: {0}")]
pub struct MediaError(String);

/// An MP4 of `millis` milliseconds of silence (at least one frame).
pub fn silent_mp4(millis: u64) -> Result<Vec<u8>, MediaError> {
    let err = |e: mp4::Error| MediaError(e.to_string());
    let fourcc = |s: &str| -> Result<mp4::FourCC, MediaError> {
        s.parse::<mp4::FourCC>()
            .map_err(|e| MediaError(e.to_string()))
    };
    let config = mp4::Mp4Config {
        major_brand: fourcc("isom")?,
        minor_version: 512,
        compatible_brands: vec![fourcc("isom")?, fourcc("iso2")?, fourcc("mp41")?],
        // The movie's timescale is the audio's: the `mp4` crate adds each sample's duration to
        // the track header in the movie's units, truncating (1024 samples are 21.33 ms), so any
        // other scale would shorten the header's duration by a sixty-fourth.
        timescale: SAMPLE_RATE,
    };
    let mut writer = mp4::Mp4Writer::write_start(Cursor::new(Vec::new()), &config).map_err(err)?;
    writer
        .add_track(&mp4::TrackConfig {
            track_type: mp4::TrackType::Audio,
            timescale: SAMPLE_RATE,
            language: "und".to_owned(),
            media_conf: mp4::MediaConfig::AacConfig(mp4::AacConfig {
                bitrate: 2_250,
                profile: mp4::AudioObjectType::AacLowComplexity,
                freq_index: mp4::SampleFreqIndex::Freq48000,
                chan_conf: mp4::ChannelConfig::Mono,
            }),
        })
        .map_err(err)?;
    let samples = (millis * u64::from(SAMPLE_RATE) / 1000).max(u64::from(FRAME_SAMPLES));
    let frames = samples.div_ceil(u64::from(FRAME_SAMPLES));
    let frame = bytes::Bytes::from_static(&SILENT_FRAME_MONO);
    for i in 0..frames {
        writer
            .write_sample(
                1,
                &mp4::Mp4Sample {
                    start_time: i * u64::from(FRAME_SAMPLES),
                    duration: FRAME_SAMPLES,
                    rendering_offset: 0,
                    is_sync: true,
                    bytes: frame.clone(),
                },
            )
            .map_err(err)?;
    }
    writer.write_end().map_err(err)?;
    let mut bytes = writer.into_writer().into_inner();
    fix_sl_config(&mut bytes)?;
    Ok(bytes)
}

/// The `mp4` crate (0.14) ends the `esds` box with an SLConfigDescriptor of length 0 followed
/// by a `predefined` byte of 0: one byte more than the length says, and a value ISO/IEC
/// 14496-14 §3.1.2 forbids in MP4 files (it must be 2). Lenient players read it; strict
/// demuxers (symphonia's) refuse the file. The same three bytes, corrected: length 1,
/// predefined 2; no size around them changes.
fn fix_sl_config(bytes: &mut [u8]) -> Result<(), MediaError> {
    let at = bytes
        .windows(4)
        .position(|w| w == b"esds")
        .filter(|at| *at >= 4)
        .ok_or_else(|| MediaError("the file has no esds box".to_owned()))?;
    let size = bytes
        .get(at - 4..at)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_be_bytes)
        .ok_or_else(|| MediaError("the esds box has no size".to_owned()))? as usize;
    let end = at - 4 + size;
    match bytes.get_mut(end.saturating_sub(3)..end) {
        Some(sl) if sl == [0x06, 0x00, 0x00] => {
            sl.copy_from_slice(&[0x06, 0x01, 0x02]);
            Ok(())
        }
        Some(sl) if sl == [0x06, 0x01, 0x02] => Ok(()),
        _ => Err(MediaError(
            "the esds box does not end with the SLConfigDescriptor expected".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_AAC};
    use symphonia::core::formats::FormatOptions;
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;
    use symphonia::core::probe::Hint;

    /// Demuxes and decodes the file with an independent implementation (symphonia), frame by
    /// frame, as a player would.
    #[test]
    fn a_recording_demuxes_and_decodes_for_its_whole_length() {
        let bytes = silent_mp4(90_500).unwrap();
        assert_eq!(&bytes[4..8], b"ftyp");
        let source = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
        let mut hint = Hint::new();
        hint.with_extension("mp4");
        let codecs = symphonia::default::get_codecs();
        let probed = symphonia::default::get_probe()
            .format(
                &hint,
                source,
                &FormatOptions::default(),
                &MetadataOptions::default(),
            )
            .unwrap();
        let mut format = probed.format;
        let track = format.default_track().unwrap().clone();
        assert_eq!(track.codec_params.codec, CODEC_TYPE_AAC);
        assert_eq!(track.codec_params.sample_rate, Some(SAMPLE_RATE));
        let mut decoder = codecs
            .make(&track.codec_params, &DecoderOptions::default())
            .unwrap();
        let mut decoded_samples = 0u64;
        while let Ok(packet) = format.next_packet() {
            let audio = decoder.decode(&packet).unwrap();
            decoded_samples += audio.frames() as u64;
        }
        let seconds = decoded_samples as f64 / f64::from(SAMPLE_RATE);
        assert!((90.4..90.6).contains(&seconds), "{seconds}");
    }
}
