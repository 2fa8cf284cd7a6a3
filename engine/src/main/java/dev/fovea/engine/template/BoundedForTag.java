package dev.fovea.engine.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Jinjava's {@code for}, bounded by the render's time ({@link RenderDeadline}): a loop does not start once the
 * time is up, and a running loop ends at its next iteration (the render then fails as a whole). Nested loops
 * multiply, so without this a few lines of template run for hours.
 */
final class BoundedForTag extends ForTag {
    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        RenderDeadline.check();
        return super.interpret(tagNode, interpreter);
    }

    @Override
    public String renderForCollection(TagNode tagNode, JinjavaInterpreter interpreter, List<String> loopVars,
                                      Object collection) {
        Object bounded = switch (collection) {
            case Collection<?> c -> new Bounded<>(c);
            case Iterator<?> it -> new BoundedIterator<>(it);
            case null, default -> collection;
        };
        return super.renderForCollection(tagNode, interpreter, loopVars, bounded);
    }

    /** A collection whose iteration ends when the render's time is up (its size stays what it was). */
    private static final class Bounded<T> extends AbstractCollection<T> {
        private final Collection<T> inner;

        Bounded(Collection<T> inner) {
            this.inner = inner;
        }

        @Override
        public Iterator<T> iterator() {
            return new BoundedIterator<>(inner.iterator());
        }

        @Override
        public int size() {
            return inner.size();
        }
    }

    private static final class BoundedIterator<T> implements Iterator<T> {
        private final Iterator<T> inner;

        BoundedIterator(Iterator<T> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            return !RenderDeadline.expired() && inner.hasNext();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return inner.next();
        }
    }
}
