#ifndef MUSE_CODEC_COMMON_H
#define MUSE_CODEC_COMMON_H

#include "CImageCodecs.h"
#include <stdio.h>

static inline void muse_codec_message(char *message, size_t capacity, const char *text) {
    if (message != NULL && capacity > 0) snprintf(message, capacity, "%s", text);
}

/// Composites straight (non-premultiplied) RGBA over white into RGB.
/// rgba: [pixels][4], rgb: [pixels][3]; the two may not overlap.
static inline void muse_composite_over_white(const uint8_t *rgba, uint8_t *rgb, size_t pixels) {
    for (size_t i = 0; i < pixels; i++) {
        unsigned a = rgba[4 * i + 3];
        for (int c = 0; c < 3; c++) {
            // out = c*a + 255*(255-a), rounded, divided by 255.
            unsigned v = rgba[4 * i + c] * a + 255u * (255u - a);
            rgb[3 * i + c] = (uint8_t)((v + 127u) / 255u);
        }
    }
}

#endif
