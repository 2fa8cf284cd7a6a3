/**
 * Calls to the pipeline's services: the shared channels with their round-robin, timed unary calls and the mapping of
 * their failures to API errors, the LLM's description and its generation stream, and the readiness check.
 */
package dev.fovea.gateway.backend;
