package dev.fovea.engine.template;

import jinjava.javax.el.ELContext;

/**
 * First in the resolver chain: checks the render's time bound on every lookup and method call, then leaves the
 * lookup to the resolvers after it.
 */
final class DeadlineResolver extends PassThroughResolver {
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        RenderDeadline.check();
        return null;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        RenderDeadline.check();
        return null;
    }
}
