/**
 * The front ends: the OpenAI-compatible HTTP API (routes, request parsing, the JSON it answers with, request ids
 * and error envelopes) and {@code fovea.v1.GatewayService}, its gRPC twin; both hand requests to the chat path.
 * The API-key check guards both fronts (HTTP route filter, gRPC global interceptor).
 */
package dev.fovea.gateway.openai;
