/*
 * Stand-in for pillow-heif's bundled libx265 inside the Lambda zips.
 *
 * libheif links the x265 HEVC *encoder*; the submit function only *decodes* HEIC photos (through
 * libde265) and re-encodes them as JPEG. The real libx265 is 23 MB uncompressed, 4 MB zipped, and
 * alone would push the submit zip over its 10 MB budget. These are the only two symbols libheif
 * imports from it (`nm -D --undefined-only libheif*.so | grep x265`). With a NULL API, libheif
 * reports the x265 encoder as unavailable, which is exactly what we want.
 */
#include <stddef.h>

const void *x265_api_get_217(int bit_depth) {
    (void)bit_depth;
    return NULL;
}

void x265_cleanup(void) {}
