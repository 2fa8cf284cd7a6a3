package dev.fovea.gateway.chat;

/** A function call the model made: OpenAI's {@code tool_calls[i]} ({@code arguments} is JSON text). */
public record ToolCall(String id, String name, String arguments) {
}
