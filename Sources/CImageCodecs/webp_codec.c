// WebP decoding with libwebp (plain return codes; no error trap needed).
#include "codec_common.h"
#include <stdlib.h>
#include <webp/decode.h>

static const char *muse_webp_status_text(VP8StatusCode status) {
    switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "unsupported feature";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "not enough data (truncated file)";
    default: return "unknown error";
    }
}

static muse_codec_status muse_webp_features(const uint8_t *data, size_t size, WebPBitstreamFeatures *features,
                                            char *message, size_t message_capacity) {
    VP8StatusCode status = WebPGetFeatures(data, size, features);
    if (status != VP8_STATUS_OK) {
        muse_codec_message(message, message_capacity, muse_webp_status_text(status));
        return MUSE_CODEC_CORRUPT;
    }
    if (features->has_animation) {
        muse_codec_message(message, message_capacity, "animated WebP is not supported");
        return MUSE_CODEC_UNSUPPORTED;
    }
    return MUSE_CODEC_OK;
}

muse_codec_status muse_webp_info(const uint8_t *data, size_t size, muse_image_info *info,
                                 char *message, size_t message_capacity) {
    WebPBitstreamFeatures features;
    muse_codec_status status = muse_webp_features(data, size, &features, message, message_capacity);
    if (status != MUSE_CODEC_OK) return status;
    info->width = features.width;
    info->height = features.height;
    info->components = features.has_alpha ? 4 : 3;
    return MUSE_CODEC_OK;
}

muse_codec_status muse_webp_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb,
                                       size_t rgb_size, char *message, size_t message_capacity) {
    WebPBitstreamFeatures features;
    muse_codec_status status = muse_webp_features(data, size, &features, message, message_capacity);
    if (status != MUSE_CODEC_OK) return status;
    size_t pixels = (size_t)features.width * (size_t)features.height;
    if (pixels * 3 != rgb_size) {
        muse_codec_message(message, message_capacity, "output buffer does not match the image size");
        return MUSE_CODEC_BAD_BUFFER;
    }
    if (!features.has_alpha) {
        if (WebPDecodeRGBInto(data, size, rgb, rgb_size, features.width * 3) == NULL) {
            muse_codec_message(message, message_capacity, "corrupt or truncated WebP data");
            return MUSE_CODEC_CORRUPT;
        }
        return MUSE_CODEC_OK;
    }
    uint8_t *rgba = malloc(pixels * 4);
    if (rgba == NULL) {
        muse_codec_message(message, message_capacity, "out of memory");
        return MUSE_CODEC_CORRUPT;
    }
    if (WebPDecodeRGBAInto(data, size, rgba, pixels * 4, features.width * 4) == NULL) {
        free(rgba);
        muse_codec_message(message, message_capacity, "corrupt or truncated WebP data");
        return MUSE_CODEC_CORRUPT;
    }
    muse_composite_over_white(rgba, rgb, pixels);
    free(rgba);
    return MUSE_CODEC_OK;
}
