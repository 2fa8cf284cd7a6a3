package dev.fovea.engine.tensor;

/**
 * GGML tensor element types with ggml's numeric ids and block geometry (values per block, bytes per block).
 * Only the types the engine can compute with are flagged {@link #supported()}; the others are still named so
 * that a file using them is reported clearly instead of as "unknown".
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, true),
    Q5_0(6, 32, 22, true),
    Q5_1(7, 32, 24, true),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, true),
    Q3_K(11, 256, 110, true),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, true),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, true),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;
    private final boolean supported;

    GgmlType(int id, int blockSize, int typeSize, boolean supported) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.supported = supported;
    }

    /** ggml's numeric id, as stored in GGUF tensor infos. */
    public int id() {
        return id;
    }

    /** Number of values in one block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes in one block. */
    public int typeSize() {
        return typeSize;
    }

    /** Whether the engine has kernels for this type. */
    public boolean supported() {
        return supported;
    }

    /** The type with ggml id {@code id}, or null when the id is unknown. */
    public static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /**
     * Bytes needed for {@code elements} values; the count must be a whole number of blocks.
     *
     * @throws ArithmeticException on overflow
     * @throws IllegalArgumentException when the count is not a multiple of the block size
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    this + ": " + elements + " values is not a whole number of " + blockSize + "-value blocks");
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /**
     * {@code general.file_type}: llama.cpp's {@code LLAMA_FTYPE} of a model whose matrices are all of this type.
     *
     * @throws IllegalArgumentException for a type Fovea does not write whole models in
     */
    public int llamaFileType() {
        return switch (this) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 15;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no llama.cpp file type for " + this);
        };
    }
}
