package dev.fovea.engine.template;

/**
 * A chat template that cannot be rendered: its syntax is broken or uses a construct this renderer does not support,
 * or the template itself refused the conversation ({@code raise_exception}).
 */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
