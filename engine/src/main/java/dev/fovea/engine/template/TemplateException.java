package dev.fovea.engine.template;

/** A chat template that cannot be rendered: unsupported syntax, or the template itself refused the messages. */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
