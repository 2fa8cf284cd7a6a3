package dev.fovea.engine.gguf;

/**
 * One metadata value with its GGUF type. Scalars are boxed ({@code UINT8..INT32} as Integer, {@code UINT32},
 * {@code UINT64}, {@code INT64} as Long, floats as Float/Double, BOOL as Boolean, STRING as String). Arrays of
 * numbers are primitive arrays ({@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]},
 * {@code double[]}, {@code boolean[]}), arrays of strings {@code String[]}, arrays of arrays {@code GgufValue[]}.
 *
 * @param type        the value's type
 * @param elementType for arrays, the element type; otherwise null
 * @param value       the value
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
}
