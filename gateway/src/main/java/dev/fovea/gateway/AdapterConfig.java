package dev.fovea.gateway;

/** The adapter a pipeline projects with: its id at the adapter service, and that service's {@code host:port}. */
record AdapterConfig(String id, String address) {
}
