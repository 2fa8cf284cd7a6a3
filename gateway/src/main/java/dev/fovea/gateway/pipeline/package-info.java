/**
 * The pipeline registry: the served model ids, the services behind each (as read from {@code fovea.gateway.pipelines}
 * and checked whole at startup), and the encoder selection a request may ask for.
 */
package dev.fovea.gateway.pipeline;
