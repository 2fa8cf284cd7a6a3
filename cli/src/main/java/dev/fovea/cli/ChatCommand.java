package dev.fovea.cli;

import dev.fovea.engine.llm.Segment;
import dev.fovea.engine.pipeline.FinishReason;
import dev.fovea.engine.pipeline.GenerationConfig;
import dev.fovea.engine.pipeline.GenerationResult;
import dev.fovea.engine.pipeline.Generator;
import dev.fovea.engine.pipeline.LanguageModel;
import dev.fovea.engine.pipeline.VisionModel;
import dev.fovea.engine.template.ChatMessage;
import dev.fovea.engine.vision.ImageDecoder;
import dev.fovea.engine.vision.ImageException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * An interactive chat in the terminal with a model's files, as {@code llama-cli -cnv} or {@code ollama run}: each
 * line is a user message, the answer streams as it is generated, and the conversation so far goes through the
 * chat template every turn. {@code /image PATH} attaches a picture to the next message.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with a model in the terminal (history, streaming; /image PATH, /reset, /quit).")
final class ChatCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "LLM GGUF file.")
    Path model;

    @Option(names = "--mmproj", description = "mmproj GGUF (vision encoder + projector) for images.")
    Path mmproj;

    @Option(names = "--image", description = "Image for the first message (needs --mmproj).")
    Path image;

    @Option(names = "--system", description = "System message.")
    String system;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "512", description = "Most tokens per answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        if (image != null && mmproj == null) {
            throw new IllegalArgumentException("--image needs --mmproj (the vision encoder + projector GGUF)");
        }
        if (image != null && !Files.isRegularFile(image)) {
            throw new IllegalArgumentException("--image: no file " + image);
        }
        ModelContext.checkTokens("-n/--max-tokens", maxTokens, 1, "a prompt of at least one position",
                ModelContext.of(model));
        PrintStream out = System.out;
        try (LanguageModel lm = LanguageModel.open(model, engine.pool(), engine.progress());
             VisionModel vm = mmproj == null ? null : VisionModel.open(mmproj, engine.pool(),
                     ImageDecoder.DEFAULT_MAX_PIXELS)) {
            if (vm != null) {
                ChatInput.checkFits(vm, lm);
            }
            Conversation chat = new Conversation(lm, vm, system);
            if (image != null) {
                chat.attach(image);
            }
            out.println("Chatting with " + model.getFileName() + (vm == null ? "" : " and " + mmproj.getFileName())
                    + ". /image PATH attaches a picture to the next message, /reset forgets, /quit (or end of input)"
                    + " leaves.");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null || line.strip().equals("/quit") || line.strip().equals("/exit")) {
                    out.println();
                    return 0;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                try {
                    if (line.startsWith("/image")) {
                        if (vm == null) {
                            out.println("(no --mmproj given: this model cannot take images)");
                            continue;
                        }
                        Path p = Path.of(line.substring("/image".length()).strip());
                        chat.attach(p);
                        out.println("(" + p.getFileName() + " goes with your next message)");
                        continue;
                    }
                    if (line.equals("/reset")) {
                        chat.reset();
                        out.println("(conversation forgotten)");
                        continue;
                    }
                    if (line.startsWith("/")) {
                        out.println("(commands: /image PATH, /reset, /quit)");
                        continue;
                    }
                    GenerationResult r = chat.say(line, new GenerationConfig(maxTokens, sampling.toConfig(),
                            List.of(), false), text -> {
                                out.print(text);
                                out.flush();
                            });
                    out.println(r.finishReason() == FinishReason.LENGTH ? " […]" : "");
                } catch (IllegalArgumentException | java.io.IOException | ImageException e) {
                    out.println("(" + e.getMessage() + ")");
                }
            }
        }
    }

    /** The history of one chat: messages, the images they refer to (by index), the picture waiting for a message. */
    static final class Conversation {
        private final LanguageModel lm;
        private final VisionModel vm;
        private final String system;
        private final List<ChatMessage> messages = new ArrayList<>();
        private final List<VisionModel.PromptImage> images = new ArrayList<>();
        private final List<VisionModel.PromptImage> pending = new ArrayList<>();

        Conversation(LanguageModel lm, VisionModel vm, String system) {
            this.lm = lm;
            this.vm = vm;
            this.system = system;
            reset();
        }

        void reset() {
            messages.clear();
            images.clear();
            pending.clear();
            if (system != null) {
                messages.add(ChatMessage.text("system", system));
            }
        }

        void attach(Path picture) throws java.io.IOException, ImageException {
            if (!Files.isRegularFile(picture)) {
                throw new IllegalArgumentException("no file " + picture);
            }
            pending.add(vm.embedForPrompt(ImageFiles.read(picture)));
        }

        /** Adds the user's message (with the attached pictures), generates the answer and adds it to the history. */
        GenerationResult say(String text, GenerationConfig config, java.util.function.Consumer<String> stream) {
            List<ChatMessage.Part> parts = new ArrayList<>();
            for (VisionModel.PromptImage e : pending) {
                parts.add(new ChatMessage.Image(images.size()));
                parts.add(new ChatMessage.Text("\n"));
                images.add(e);
            }
            pending.clear();
            parts.add(new ChatMessage.Text(text));
            messages.add(new ChatMessage("user", parts));
            List<Segment> input = lm.chatInputPlaced(messages, images);
            int positions = input.stream().mapToInt(Segment::length).sum();
            int room = lm.decoder().config().contextLength() - positions;
            if (room < 1) {
                messages.remove(messages.size() - 1);
                throw new IllegalArgumentException("the conversation (" + positions + " positions) fills the context"
                        + " of " + lm.decoder().config().contextLength() + ": /reset to start again");
            }
            GenerationConfig fitted = config.maxTokens() <= room ? config
                    : new GenerationConfig(room, config.sampler(), config.stop(), config.ignoreEos(),
                            config.constraint());
            GenerationResult r = new Generator(lm).generate(input, fitted, (token, piece) -> {
                stream.accept(piece);
                return true;
            });
            messages.add(ChatMessage.text("assistant", r.text().strip()));
            return r;
        }
    }
}
