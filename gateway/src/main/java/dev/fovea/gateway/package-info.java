/**
 * The gateway's entry point and what every role shares: its settings, API keys, meters, the API error type, the
 * request log and the scrubbing of Java names from client-visible text. Each role has its own sub-package.
 */
package dev.fovea.gateway;
