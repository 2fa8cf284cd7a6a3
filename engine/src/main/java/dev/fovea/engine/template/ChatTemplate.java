package dev.fovea.engine.template;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Hugging Face style chat template ({@code tokenizer.chat_template}, Jinja) rendered with Jinjava.
 *
 * <p>Jinjava runs most templates as they are; the Python string methods templates call ({@code startswith},
 * {@code upper}, {@code lstrip}, …) are rewritten to their Java equivalents, and {@code raise_exception} is
 * provided. Images appear in the rendered text as {@link #IMAGE_MARKER}; callers replace each with its embeddings.
 * Models without a template get ChatML (llama.cpp's default too).
 */
public final class ChatTemplate {
    /** Where an image's embeddings go in a rendered prompt (llama.cpp's multimodal marker). */
    public static final String IMAGE_MARKER = "<__media__>";

    static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final Map<Pattern, String> PYTHON_METHODS = new LinkedHashMap<>();

    static {
        PYTHON_METHODS.put(Pattern.compile("\\.startswith\\("), ".startsWith(");
        PYTHON_METHODS.put(Pattern.compile("\\.endswith\\("), ".endsWith(");
        PYTHON_METHODS.put(Pattern.compile("\\.lstrip\\(\\)"), ".stripLeading()");
        PYTHON_METHODS.put(Pattern.compile("\\.rstrip\\(\\)"), ".stripTrailing()");
        PYTHON_METHODS.put(Pattern.compile("\\.upper\\(\\)"), ".toUpperCase()");
        PYTHON_METHODS.put(Pattern.compile("\\.lower\\(\\)"), ".toLowerCase()");
    }

    private final String source;
    private final String jinjaSource;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        String s = source;
        for (Map.Entry<Pattern, String> e : PYTHON_METHODS.entrySet()) {
            s = e.getKey().matcher(s).replaceAll(e.getValue());
        }
        this.jinjaSource = s;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(false).withLstripBlocks(false).build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
    }

    /** A template from its Jinja source; {@code bos}/{@code eos} are the texts of the model's BOS/EOS tokens. */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("empty chat template");
        }
        return new ChatTemplate(source, bosToken == null ? "" : bosToken, eosToken == null ? "" : eosToken);
    }

    /** ChatML, for models that ship no template. */
    public static ChatTemplate chatMl(String bosToken, String eosToken) {
        return of(CHATML, bosToken, eosToken);
    }

    public String source() {
        return source;
    }

    /** Called by templates as {@code raise_exception(message)}. */
    public static String raiseException(String message) {
        throw new TemplateException("the chat template refused the messages: " + message);
    }

    /** The prompt text for {@code messages}; with {@code addGenerationPrompt}, ready for the assistant's reply. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> mm = new HashMap<>();
            mm.put("role", m.role());
            mm.put("content", m.content());
            msgs.add(mm);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        RenderResult r;
        try {
            r = jinjava.renderForResult(jinjaSource, ctx);
        } catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TemplateException("chat template failed: " + rootMessage(e));
        }
        for (TemplateError err : r.getErrors()) {
            if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
                if (err.getException() instanceof TemplateException te) {
                    throw te;
                }
                String msg = err.getMessage();
                Throwable cause = err.getException();
                while (cause != null) {
                    if (cause instanceof TemplateException te) {
                        throw te;
                    }
                    cause = cause.getCause();
                }
                throw new TemplateException("unsupported chat template construct at line " + err.getLineno() + ": " + msg);
            }
        }
        return r.getOutput();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
