package dev.fovea.engine.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
import dev.fovea.engine.gguf.GgufKeys;
import dev.fovea.engine.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template ({@code tokenizer.chat_template}, Jinja2) rendered with Jinjava, the way
 * {@code apply_chat_template} renders it: {@code trim_blocks} and {@code lstrip_blocks} on, variables
 * {@code messages} (each with {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token}, and the functions {@code raise_exception} and {@code strftime_now}.
 *
 * <p>Jinjava is switched to Jinja2's semantics where it has a switch ({@code {{- -}}} whitespace control, operator
 * precedence, dict literals). Python-isms Jinjava lacks are supplied: {@code str} methods ({@code strip}, {@code startswith}, {@code split},
 * {@code join}, ...; see {@link PythonStringMethods}). Jinjava itself handles slices ({@code messages[1:]}),
 * {@code loop.first/last/index0}, {@code namespace()}, {@code dict.items()/get()}, tests such as {@code is string}
 * and the usual filters. A construct neither supports (an unknown tag or filter, a Python method not listed) makes
 * rendering fail with a {@link TemplateException} naming it, rather than produce a silently wrong prompt.
 *
 * <p>Images travel through the template as {@link #IMAGE_MARKER} inside the message text (templates treat content
 * as a string); {@link dev.fovea.engine.pipeline.PromptAssembler} splits the rendered prompt back into text and image slots. Immutable and
 * thread-safe.
 */
public final class ChatTemplate {
    /** Where an image goes in message content and rendered prompts (the marker llama.cpp's multimodal tools use). */
    public static final String IMAGE_MARKER = "<__media__>";

    /**
     * ChatML, the fallback for models without a template: llama.cpp falls back to it too, and it is what most
     * instruction-tuned models of the supported architectures (Qwen2, many Llama fine-tunes) were trained on.
     */
    static final String CHATML = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /**
     * Rendering limits against hostile templates (they come from downloaded files): output size, string and
     * collection sizes, range lengths, macro recursion, and time. Far beyond any real conversation's needs.
     */
    private static final long MAX_OUTPUT_CHARS = 16L << 20;
    private static final int MAX_COLLECTION_SIZE = 1 << 20;
    private static final int MAX_RANGE = 1 << 20;
    private static final int MAX_MACRO_RECURSION = 64;
    /** CPU time one render may take ({@code RenderDeadline}); real templates render in milliseconds. */
    public static final Duration RENDER_TIME_LIMIT = Duration.ofSeconds(2);

    private static final Jinjava JINJAVA = createEngine();

    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final boolean fallback;

    private ChatTemplate(String source, String bosToken, String eosToken, boolean fallback) {
        this.source = source;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.fallback = fallback;
    }

    private static Jinjava createEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new DeadlineResolver());
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        // Jinja2 semantics Jinjava only has behind its "legacy" switches: {{- -}} trimming (used all over modern
        // templates), Python operator precedence, dict literal keys as values, Python-style printing of lists
        LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true)
                .withParseWhitespaceControlStrictly(true)
                .withUseNaturalOperatorPrecedence(true)
                .withEvaluateMapKeys(true)
                .withUsePyishObjectMapper(true)
                .withKeepNullableLoopValues(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withLegacyOverrides(jinja2)
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withMaxListSize(MAX_COLLECTION_SIZE)
                .withMaxMapSize(MAX_COLLECTION_SIZE)
                .withRangeLimit(MAX_RANGE)
                .withMaxMacroRecursionDepth(MAX_MACRO_RECURSION)
                .withFailOnUnknownTokens(false)
                .build();
        Jinjava j = new Jinjava(config);
        j.getGlobalContext().registerTag(new BoundedForTag());
        j.registerFunction(function("raise_exception", "raiseException", Object.class));
        j.registerFunction(function("strftime_now", "strftimeNow", String.class));
        return j;
    }

    private static ELFunctionDefinition function(String name, String method, Class<?>... params) {
        return new ELFunctionDefinition("", name, TemplateFunctions.class, method, params);
    }

    /**
     * A template from its Jinja source.
     *
     * @param bosToken the text of the model's BOS token (templates write it as {@code bos_token}); may be empty
     * @throws TemplateException when the source does not parse (unknown tags, unbalanced blocks)
     */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        if (source == null || source.isBlank()) {
            throw new TemplateException("the chat template is empty");
        }
        checkSyntax(source);
        return new ChatTemplate(source, bosToken, eosToken, false);
    }

    /** ChatML ({@link #CHATML}), for models that ship no template. */
    public static ChatTemplate chatMl(String bosToken, String eosToken) {
        return new ChatTemplate(CHATML, bosToken, eosToken, true);
    }

    /**
     * The template of a model: {@code tokenizer.chat_template}, or ChatML when the file has none; BOS/EOS texts
     * from its vocabulary.
     */
    public static ChatTemplate forModel(GgufFile file, Tokenizer tokenizer) throws GgufFormatException {
        String source = file.getString(GgufKeys.CHAT_TEMPLATE, null);
        String bos = tokenizer.bosId() >= 0 ? tokenizer.tokenText(tokenizer.bosId()) : "";
        String eos = tokenizer.eosId() >= 0 ? tokenizer.tokenText(tokenizer.eosId()) : "";
        return source == null || source.isBlank() ? chatMl(bos, eos) : of(source, bos, eos);
    }

    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    /** Whether this is the ChatML fallback rather than the model's own template. */
    public boolean isFallback() {
        return fallback;
    }

    /**
     * The prompt for {@code messages}; with {@code addGenerationPrompt} it ends where the assistant's reply starts.
     *
     * @throws TemplateException when the template rejects the conversation or uses an unsupported construct
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", list);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken);
        vars.put("eos_token", eosToken);
        RenderResult result;
        RenderDeadline.start(RENDER_TIME_LIMIT.toNanos());
        try {
            result = JINJAVA.renderForResult(source, vars);
            if (RenderDeadline.expired()) {
                throw overTime();
            }
        } catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            if (RenderDeadline.expired()) {
                throw overTime();
            }
            throw new TemplateException("the chat template failed: " + describe(e), e);
        } finally {
            RenderDeadline.end();
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw failure(e);
            }
        }
        return result.getOutput();
    }

    private static TemplateException overTime() {
        return new TemplateException("the chat template ran longer than the limit of "
                + RENDER_TIME_LIMIT.toSeconds() + " s of CPU time");
    }

    private static void checkSyntax(String source) {
        JinjavaInterpreter interpreter = JINJAVA.newInterpreter();
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            interpreter.parse(source);
        } catch (RuntimeException e) {
            throw new TemplateException("the chat template does not parse: " + describe(e), e);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        for (TemplateError e : interpreter.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw failure(e);
            }
        }
    }

    /** The template's own {@code raise_exception} if that is what failed, else the construct and line. */
    private static TemplateException failure(TemplateError e) {
        for (Throwable t = e.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateException te) {
                return te;
            }
        }
        return new TemplateException("unsupported or invalid chat template construct at line " + e.getLineno()
                + ": " + withoutInternals(e.getMessage()), e.getException());
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? "malformed template" : withoutInternals(t.getMessage());
    }

    private static final Pattern EXCEPTION_PREFIX =
            Pattern.compile("\\b[A-Z]\\w*(?:Exception|Error): ");
    private static final Pattern QUALIFIED_NAME =
            Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+([A-Z][\\w$]*)");

    /** Jinjava's message without the Java exception and class names it wraps around the template's problem. */
    private static String withoutInternals(String message) {
        if (message == null) {
            return "malformed template";
        }
        String m = EXCEPTION_PREFIX.matcher(message).replaceAll("");
        return QUALIFIED_NAME.matcher(m).replaceAll("$1");
    }

    @Override
    public String toString() {
        return fallback ? "ChatTemplate[ChatML fallback]" : "ChatTemplate[" + source.length() + " chars]";
    }
}
