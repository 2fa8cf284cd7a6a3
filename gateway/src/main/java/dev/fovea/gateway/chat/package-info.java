/**
 * One chat completion across a pipeline: the request as the fronts hand it over, images (loading, tiling, encode
 * and project), the prompt (template, tokenization between image markers), the context budget, the streamed
 * generation and the grounding boxes in its text.
 */
package dev.fovea.gateway.chat;
