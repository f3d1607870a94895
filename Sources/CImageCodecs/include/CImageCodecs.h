#ifndef MUSE_CIMAGECODECS_H
#define MUSE_CIMAGECODECS_H

#include <stddef.h>
#include <stdint.h>

/// Result codes of the codec shims. Every failure also writes a message into the caller's buffer.
typedef enum {
    MUSE_CODEC_OK = 0,
    /// The library rejected the data (corrupt, truncated, unsupported variant).
    MUSE_CODEC_CORRUPT = 1,
    /// The output buffer does not match the header's dimensions.
    MUSE_CODEC_BAD_BUFFER = 2,
    /// The file is valid but uses a feature we refuse (animation, too many progressive scans).
    MUSE_CODEC_UNSUPPORTED = 3,
} muse_codec_status;

/// What a header says, read without decoding any pixels.
typedef struct {
    int width;
    int height;
    /// Channels as stored: 1 gray, 3 colour, 4 CMYK (JPEG) or colour with alpha (PNG, WebP).
    int components;
} muse_image_info;

/// JPEG through libjpeg-turbo. Errors inside libjpeg are caught here with setjmp/longjmp, in C,
/// so no longjmp ever crosses a Swift frame; the caller sees a status and a message.
muse_codec_status muse_jpeg_info(const uint8_t *data, size_t size, muse_image_info *info,
                                 char *message, size_t message_capacity);
/// Decodes to RGB, [height][width][3] bytes; gray is expanded, CMYK/YCCK converted.
muse_codec_status muse_jpeg_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb,
                                       size_t rgb_size, char *message, size_t message_capacity);

/// PNG through libpng's simplified API (which traps its own errors).
muse_codec_status muse_png_info(const uint8_t *data, size_t size, muse_image_info *info,
                                char *message, size_t message_capacity);
/// Decodes to RGB, [height][width][3] bytes; alpha is composited over white, gray expanded,
/// 16-bit reduced, palettes expanded.
muse_codec_status muse_png_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb,
                                      size_t rgb_size, char *message, size_t message_capacity);

/// WebP through libwebp (still images only: an animation is refused).
muse_codec_status muse_webp_info(const uint8_t *data, size_t size, muse_image_info *info,
                                 char *message, size_t message_capacity);
/// Decodes to RGB, [height][width][3] bytes; alpha is composited over white.
muse_codec_status muse_webp_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb,
                                       size_t rgb_size, char *message, size_t message_capacity);

#endif
