package dev.fovea.engine.tokenizer;
import dev.fovea.engine.gguf.GgufFile;
import dev.fovea.engine.gguf.GgufFormatException;
// SCRATCH (uncommitted): replaced by the tokenizer branch
public interface Tokenizer {
    static Tokenizer fromGguf(GgufFile file) throws GgufFormatException { throw new GgufFormatException("scratch"); }
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);
    String decode(int[] ids); byte[] tokenBytes(int id); int vocabSize(); int bosId(); int eosId(); boolean isEndOfGeneration(int id);
    boolean addBos(); String tokenText(int id);
}
