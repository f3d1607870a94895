// PNG decoding with libpng's simplified API, which sets up its own error trap and reports
// failures in png_image.message.
#include "codec_common.h"
#include <png.h>
#include <stdlib.h>
#include <string.h>

static int muse_png_begin(png_image *image, const uint8_t *data, size_t size,
                          char *message, size_t message_capacity) {
    memset(image, 0, sizeof *image);
    image->version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(image, data, size)) {
        muse_codec_message(message, message_capacity, image->message);
        png_image_free(image);
        return 0;
    }
    return 1;
}

muse_codec_status muse_png_info(const uint8_t *data, size_t size, muse_image_info *info,
                                char *message, size_t message_capacity) {
    png_image image;
    if (!muse_png_begin(&image, data, size, message, message_capacity)) return MUSE_CODEC_CORRUPT;
    info->width = (int)image.width;
    info->height = (int)image.height;
    info->components = (int)PNG_IMAGE_SAMPLE_CHANNELS(image.format);
    png_image_free(&image);
    return MUSE_CODEC_OK;
}

muse_codec_status muse_png_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb,
                                      size_t rgb_size, char *message, size_t message_capacity) {
    png_image image;
    if (!muse_png_begin(&image, data, size, message, message_capacity)) return MUSE_CODEC_CORRUPT;
    size_t pixels = (size_t)image.width * image.height;
    if (pixels * 3 != rgb_size) {
        muse_codec_message(message, message_capacity, "output buffer does not match the image size");
        png_image_free(&image);
        return MUSE_CODEC_BAD_BUFFER;
    }
    // libpng's own compositing works in linear light; decoding with alpha and compositing here
    // keeps PNG and WebP identical (straight sRGB blend over white).
    int has_alpha = (image.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    uint8_t *target = rgb;
    if (has_alpha) {
        target = malloc(pixels * 4);
        if (target == NULL) {
            muse_codec_message(message, message_capacity, "out of memory");
            png_image_free(&image);
            return MUSE_CODEC_CORRUPT;
        }
    }
    image.format = has_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    if (!png_image_finish_read(&image, NULL, target, 0, NULL)) {
        muse_codec_message(message, message_capacity, image.message);
        if (has_alpha) free(target);
        png_image_free(&image);
        return MUSE_CODEC_CORRUPT;
    }
    if (has_alpha) {
        muse_composite_over_white(target, rgb, pixels);
        free(target);
    }
    png_image_free(&image);
    return MUSE_CODEC_OK;
}
