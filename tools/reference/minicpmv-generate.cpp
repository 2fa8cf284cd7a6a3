// Greedy tokens of a MiniCPM-V pair (LLM GGUF + mmproj) from llama.cpp's own llava code, with the prompt laid out as
// its minicpmv-cli (build 4748) lays it: "<|im_start|>user\n<image>" (2.6; 2.5: Llama-3's header), the source view,
// "</image>", and with slices "<slice>", each slice between "<image>" and "</image>" with "\n" after a row's last,
// "</slice>"; then the prompt and "<|im_end|><|im_start|>assistant\n" (2.5: "<|eot_id|>…assistant…\n\n"). Each
// piece is tokenized on its own (special tokens parsed, no BOS) and evaluated in turn, as minicpmv-cli does; unlike
// it, the KV cache is F32 and every greedy step records its margin (the conformance settings). Built like
// clip-embed.cpp (see its header), adding nothing:
//
//   g++ -O2 -std=c++17 -I$LLAMA/examples/llava -I$LLAMA/include -I$LLAMA/ggml/include minicpmv-generate.cpp \
//       $LLAMA/build/examples/llava/CMakeFiles/llava.dir/{clip,llava}.cpp.o -L$LLAMA/build/bin \
//       -lllama -lggml -lggml-base -lggml-cpu -Wl,-rpath,$LLAMA/build/bin -o minicpmv-generate
//   minicpmv-generate MODEL.gguf MMPROJ.gguf IMAGE "PROMPT" N_GREEDY OUT.json
//
// OUT.json: { "segments": [ {"tokens": [ids]} | {"input": k, "rows": n} … ], "greedy": [ids], "margins": [top-1
// minus top-2 logit at each step], "n_image_pos", "n_embd" } — the input positions in order, then the greedy steps.
#include "clip.h"
#include "llava.h"
#include "llama.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

struct Run {
    llama_context * ctx;
    const llama_vocab * vocab;
    int n_past = 0;
    std::string segments;  // JSON array items so far

    void add(const std::string & item) {
        segments += (segments.empty() ? "" : ",") + item;
    }

    // one piece of text: tokenized alone, special tokens parsed, no BOS; evaluated as one batch
    void text(const std::string & s) {
        std::vector<llama_token> ids(s.size() + 8);
        int n = llama_tokenize(vocab, s.c_str(), (int) s.size(), ids.data(), (int) ids.size(), false, true);
        if (n < 0) {
            fprintf(stderr, "cannot tokenize %s\n", s.c_str());
            exit(1);
        }
        ids.resize(n);
        std::string item = "{\"tokens\":[";
        for (int i = 0; i < n; i++) {
            item += (i ? "," : "") + std::to_string(ids[i]);
        }
        add(item + "]}");
        if (n > 0 && llama_decode(ctx, llama_batch_get_one(ids.data(), n)) != 0) {
            fprintf(stderr, "decode failed\n");
            exit(1);
        }
        n_past += n;
    }

    // encoder input k's rows of the image's embeddings (each input is clip_n_patches rows)
    void input(const llava_image_embed * all, int k, int rows, int width) {
        llava_image_embed one = { all->embed + (size_t) k * rows * width, rows };
        if (!llava_eval_image_embed(ctx, &one, 2048, &n_past)) {
            fprintf(stderr, "image decode failed\n");
            exit(1);
        }
        add("{\"input\":" + std::to_string(k) + ",\"rows\":" + std::to_string(rows) + "}");
    }
};

int main(int argc, char ** argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s MODEL.gguf MMPROJ.gguf IMAGE PROMPT N_GREEDY OUT.json\n", argv[0]);
        return 2;
    }
    const int n_greedy = atoi(argv[5]);
    clip_ctx * clip = clip_model_load(argv[2], 0);
    if (clip == nullptr) {
        fprintf(stderr, "cannot load %s\n", argv[2]);
        return 1;
    }
    const int version = clip_is_minicpmv(clip);
    if (version != 2 && version != 3) {
        fprintf(stderr, "%s is not a MiniCPM-V 2.5/2.6 mmproj (minicpmv version %d)\n", argv[2], version);
        return 1;
    }
    llava_image_embed * embed = llava_image_embed_make_with_filename(clip, 2, argv[3]);
    if (embed == nullptr) {
        fprintf(stderr, "cannot embed %s\n", argv[3]);
        return 1;
    }
    const int rows = clip_n_patches(clip);
    const int width = clip_n_mmproj_embd(clip);
    const int inputs = embed->n_image_pos / rows;
    const int cols = inputs > 1 ? clip_uhd_num_image_embeds_col(clip) : 0;

    llama_backend_init();
    llama_model_params mp = llama_model_default_params();
    llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (model == nullptr) {
        fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    if (llama_model_n_embd(model) != width) {
        fprintf(stderr, "the LLM is %d wide, the projector %d\n", llama_model_n_embd(model), width);
        return 1;
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 2048;
    cp.n_batch = 2048;
    cp.n_threads = 2;
    cp.n_threads_batch = 2;
    cp.type_k = GGML_TYPE_F32;
    cp.type_v = GGML_TYPE_F32;
    cp.flash_attn = false;
    llama_context * ctx = llama_init_from_model(model, cp);
    Run run { ctx, llama_model_get_vocab(model) };

    const std::string user = version == 2 ? "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                                          : "<|im_start|>user\n";
    run.text(user + "<image>");
    run.input(embed, 0, rows, width);
    run.text("</image>");
    if (inputs > 1) {
        run.text("<slice>");
        for (int k = 1; k < inputs; k++) {
            run.text("<image>");
            run.input(embed, k, rows, width);
            run.text("</image>");
            if ((k - 1) % cols == cols - 1) {
                run.text("\n");
            }
        }
        run.text("</slice>");
    }
    run.text(argv[4]);
    run.text(version == 2 ? "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
                          : "<|im_end|><|im_start|>assistant\n");

    const int n_vocab = llama_vocab_n_tokens(run.vocab);
    std::string greedy;
    std::string margins;
    for (int step = 0; step < n_greedy; step++) {
        const float * logits = llama_get_logits_ith(ctx, -1);
        int best = 0;
        for (int t = 1; t < n_vocab; t++) {
            if (logits[t] > logits[best]) {
                best = t;
            }
        }
        float second = -INFINITY;
        for (int t = 0; t < n_vocab; t++) {
            if (t != best && logits[t] > second) {
                second = logits[t];
            }
        }
        char m[32];
        snprintf(m, sizeof m, "%.6g", logits[best] - second);
        greedy += (step ? "," : "") + std::to_string(best);
        margins += (step ? "," : "") + std::string(m);
        llama_token id = best;
        if (llama_decode(ctx, llama_batch_get_one(&id, 1)) != 0) {
            fprintf(stderr, "decode failed\n");
            return 1;
        }
    }
    FILE * out = fopen(argv[6], "w");
    if (out == nullptr) {
        fprintf(stderr, "cannot write %s\n", argv[6]);
        return 1;
    }
    fprintf(out, "{\"segments\":[%s],\"greedy\":[%s],\"margins\":[%s],\"n_image_pos\":%d,\"n_embd\":%d}\n",
            run.segments.c_str(), greedy.c_str(), margins.c_str(), embed->n_image_pos, width);
    fclose(out);
    printf("%d positions, greedy %s\n", run.n_past, greedy.c_str());
    llava_image_embed_free(embed);
    llama_free(ctx);
    llama_model_free(model);
    clip_free(clip);
    return 0;
}
