package dev.fovea.gateway.openai;

import dev.fovea.gateway.chat.ChatSink;

/** The n choices of one request and where each reports. */
interface Choices {
    ChatSink sink(int index);
}
