package dev.fovea.gateway.batches;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.gateway.ApiException;
import java.util.List;
import java.util.function.Function;

/**
 * OpenAI's cursor pages: {@code {"object": "list", "data", "first_id", "last_id", "has_more"}}, the items after the
 * one named by {@code after} (the client sends the last id of the page before), at most {@code limit} of them.
 */
final class ListPage {
    private ListPage() {
    }

    /** @param items in the list's order */
    static <T> ObjectNode of(ObjectMapper mapper, List<T> items, Function<T, String> id, Function<T, ObjectNode> json,
                             String after, int limit) {
        int from = 0;
        if (after != null && !after.isEmpty()) {
            int at = -1;
            for (int i = 0; i < items.size(); i++) {
                if (id.apply(items.get(i)).equals(after)) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                throw ApiException.badRequest("after names no item of this list: " + ApiException.quote(after),
                        "after", "invalid_value");
            }
            from = at + 1;
        }
        List<T> page = items.subList(from, Math.min(items.size(), from + limit));
        ObjectNode list = mapper.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        page.forEach(item -> data.add(json.apply(item)));
        if (page.isEmpty()) {
            list.putNull("first_id");
            list.putNull("last_id");
        } else {
            list.put("first_id", id.apply(page.getFirst()));
            list.put("last_id", id.apply(page.getLast()));
        }
        list.put("has_more", from + page.size() < items.size());
        return list;
    }
}
