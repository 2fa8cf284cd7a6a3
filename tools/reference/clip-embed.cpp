// Image embeddings of an mmproj GGUF from llama.cpp's own clip/llava code, for projector kinds the shared fixtures
// lack. Built against a local llama.cpp build (never by the project's build; see docs/contributing.md):
//
//   g++ -O2 -std=c++17 -I$LLAMA/examples/llava -I$LLAMA/include -I$LLAMA/ggml/include clip-embed.cpp \
//       $LLAMA/build/examples/llava/CMakeFiles/llava.dir/{clip,llava}.cpp.o -L$LLAMA/build/bin \
//       -lllama -lggml -lggml-base -lggml-cpu -Wl,-rpath,$LLAMA/build/bin -o clip-embed
//   clip-embed MMPROJ.gguf IMAGE.png OUT.f32      (prints: n_image_pos n_mmproj_embd)
//
// OUT.f32 holds the n_image_pos × n_mmproj_embd floats, little-endian, row by row. A MiniCPM-V mmproj goes through
// llava's own path for it (uhd slicing, reshape_by_patch, one clip_image_encode per slice): the rows of the source
// view, then of each slice.
#include "clip.h"
#include "llava.h"

#include <cstdio>

int main(int argc, char ** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s MMPROJ.gguf IMAGE OUT.f32\n", argv[0]);
        return 2;
    }
    clip_ctx * ctx = clip_model_load(argv[1], 0);
    if (ctx == nullptr) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    llava_image_embed * embed = llava_image_embed_make_with_filename(ctx, 2, argv[2]);
    if (embed == nullptr) {
        fprintf(stderr, "cannot embed %s\n", argv[2]);
        return 1;
    }
    const int width = clip_n_mmproj_embd(ctx);
    FILE * out = fopen(argv[3], "wb");
    if (out == nullptr || fwrite(embed->embed, sizeof(float), (size_t) embed->n_image_pos * width, out)
            != (size_t) embed->n_image_pos * width) {
        fprintf(stderr, "cannot write %s\n", argv[3]);
        return 1;
    }
    fclose(out);
    printf("%d %d\n", embed->n_image_pos, width);
    llava_image_embed_free(embed);
    clip_free(ctx);
    return 0;
}
