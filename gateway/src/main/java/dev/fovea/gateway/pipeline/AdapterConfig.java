package dev.fovea.gateway.pipeline;

/** The adapter a pipeline projects with: its id at the adapter service, and that service's {@code host:port}. */
public record AdapterConfig(String id, String address) {
}
