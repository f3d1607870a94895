// JPEG decoding with libjpeg-turbo. libjpeg reports fatal errors by calling error_exit, which
// must not return; we longjmp back to the shim's own frame, so Swift never sees a longjmp.
#include "codec_common.h"
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/// Progressive files can carry thousands of tiny scans that cost CPU without adding pixels;
/// TurboJPEG's TJPARAM_SCANLIMIT suggests 500 as a limit no real encoder reaches.
#define MUSE_JPEG_MAX_SCANS 500

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char text[JMSG_LENGTH_MAX];
    int corrupt_warning;
} muse_jpeg_error;

typedef struct {
    struct jpeg_progress_mgr base;
    j_decompress_ptr cinfo;
} muse_jpeg_progress;

static void muse_jpeg_error_exit(j_common_ptr cinfo) {
    muse_jpeg_error *err = (muse_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->text);
    longjmp(err->jump, 1);
}

// Warnings (level -1) mean corrupt data that libjpeg papered over (a truncated file is padded
// with gray); we treat them as errors, except extraneous bytes between markers, which common
// cameras write and which lose nothing.
static void muse_jpeg_emit_message(j_common_ptr cinfo, int level) {
    muse_jpeg_error *err = (muse_jpeg_error *)cinfo->err;
    if (level < 0 && err->base.msg_code != JWRN_EXTRANEOUS_DATA && !err->corrupt_warning) {
        err->corrupt_warning = 1;
        (*cinfo->err->format_message)(cinfo, err->text);
    }
}

static void muse_jpeg_progress_monitor(j_common_ptr common) {
    muse_jpeg_progress *progress = (muse_jpeg_progress *)common->progress;
    j_decompress_ptr cinfo = progress->cinfo;
    if (cinfo->is_decompressor && cinfo->progressive_mode && cinfo->input_scan_number > MUSE_JPEG_MAX_SCANS) {
        muse_jpeg_error *err = (muse_jpeg_error *)common->err;
        snprintf(err->text, sizeof err->text, "more than %d progressive scans", MUSE_JPEG_MAX_SCANS);
        longjmp(err->jump, 2);
    }
}

static void muse_jpeg_setup(struct jpeg_decompress_struct *cinfo, muse_jpeg_error *err,
                            muse_jpeg_progress *progress) {
    memset(err, 0, sizeof *err);
    cinfo->err = jpeg_std_error(&err->base);
    err->base.error_exit = muse_jpeg_error_exit;
    err->base.emit_message = muse_jpeg_emit_message;
    jpeg_create_decompress(cinfo);
    progress->base.progress_monitor = muse_jpeg_progress_monitor;
    progress->cinfo = cinfo;
    cinfo->progress = &progress->base;
}

muse_codec_status muse_jpeg_info(const uint8_t *data, size_t size, muse_image_info *info,
                                 char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    muse_jpeg_error err;
    muse_jpeg_progress progress;
    muse_jpeg_setup(&cinfo, &err, &progress);
    if (setjmp(err.jump)) {
        muse_codec_message(message, message_capacity, err.text);
        jpeg_destroy_decompress(&cinfo);
        return MUSE_CODEC_CORRUPT;
    }
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    info->width = (int)cinfo.image_width;
    info->height = (int)cinfo.image_height;
    info->components = cinfo.num_components;
    jpeg_destroy_decompress(&cinfo);
    return MUSE_CODEC_OK;
}

// Adobe writes CMYK JPEGs inverted (255 = no ink); libjpeg hands them over as stored.
static void muse_cmyk_row_to_rgb(const JSAMPLE *cmyk, uint8_t *rgb, JDIMENSION width, int inverted) {
    for (JDIMENSION x = 0; x < width; x++) {
        unsigned k = inverted ? cmyk[4 * x + 3] : 255u - cmyk[4 * x + 3];
        for (int c = 0; c < 3; c++) {
            unsigned v = inverted ? cmyk[4 * x + c] : 255u - cmyk[4 * x + c];
            rgb[3 * x + c] = (uint8_t)((v * k + 127u) / 255u);
        }
    }
}

muse_codec_status muse_jpeg_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb,
                                       size_t rgb_size, char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    muse_jpeg_error err;
    muse_jpeg_progress progress;
    // volatile: modified between setjmp and a possible longjmp.
    JSAMPLE *volatile cmyk_row = NULL;
    muse_jpeg_setup(&cinfo, &err, &progress);
    int jumped = setjmp(err.jump);
    if (jumped) {
        muse_codec_message(message, message_capacity, err.text);
        free(cmyk_row);
        jpeg_destroy_decompress(&cinfo);
        return jumped == 2 ? MUSE_CODEC_UNSUPPORTED : MUSE_CODEC_CORRUPT;
    }
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * 3;
    if (stride * cinfo.output_height != rgb_size) {
        muse_codec_message(message, message_capacity, "output buffer does not match the image size");
        jpeg_destroy_decompress(&cinfo);
        return MUSE_CODEC_BAD_BUFFER;
    }
    if (cmyk) {
        cmyk_row = malloc((size_t)cinfo.output_width * 4);
        if (cmyk_row == NULL) {
            muse_codec_message(message, message_capacity, "out of memory");
            jpeg_destroy_decompress(&cinfo);
            return MUSE_CODEC_CORRUPT;
        }
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *row = rgb + stride * cinfo.output_scanline;
        if (cmyk) {
            JSAMPROW rows[1] = {cmyk_row};
            jpeg_read_scanlines(&cinfo, rows, 1);
            muse_cmyk_row_to_rgb(cmyk_row, row, cinfo.output_width, cinfo.saw_Adobe_marker);
        } else {
            JSAMPROW rows[1] = {row};
            jpeg_read_scanlines(&cinfo, rows, 1);
        }
        if (err.corrupt_warning) break;
    }
    if (!err.corrupt_warning) jpeg_finish_decompress(&cinfo);
    free(cmyk_row);
    jpeg_destroy_decompress(&cinfo);
    if (err.corrupt_warning) {
        muse_codec_message(message, message_capacity, err.text);
        return MUSE_CODEC_CORRUPT;
    }
    return MUSE_CODEC_OK;
}
