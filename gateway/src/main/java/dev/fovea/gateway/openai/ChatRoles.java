package dev.fovea.gateway.openai;

import dev.fovea.gateway.ApiException;
import java.util.Set;

/**
 * The message roles OpenAI defines, as the chat templates get them: {@code developer} is OpenAI's newer name for
 * {@code system} (templates know only the latter); any other role is a 400, as at OpenAI. Roles are case-sensitive.
 */
final class ChatRoles {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private ChatRoles() {
    }

    /** @param param the field's path in the request, for the error */
    static String normalize(String role, String param) {
        if (role == null || !ROLES.contains(role)) {
            throw ApiException.badRequest(param + " " + (role == null ? "is not a string" : ApiException.quote(role)
                    + " is not a role") + "; use system, developer, user, assistant, tool or function", param,
                    "invalid_value");
        }
        return role.equals("developer") ? "system" : role;
    }
}
