package io.botvisor.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;

/**
 * The Bot API methods the sandbox implements, dispatched by name case-insensitively as the real server does; any
 * other method is 404 Not Found. Stateless.
 */
final class BotApi {

    static final Set<String> METHODS = Set.of("getme", "getupdates", "setwebhook", "deletewebhook", "getwebhookinfo",
            "sendmessage", "editmessagetext", "answercallbackquery", "sendchataction", "logout", "close");

    private BotApi() {
    }

    static boolean unknown(String method) {
        return !METHODS.contains(method.toLowerCase(Locale.ROOT));
    }

    static void call(Bot bot, String method, Params params, BotState.Responder reply) {
        switch (method.toLowerCase(Locale.ROOT)) {
            case "getme":
                reply.answer(getMe(bot), null);
                break;
            case "getupdates":
                bot.updates.getUpdates(params, reply);
                break;
            case "setwebhook":
                reply.answer(bot.updates.setWebhook(params), null);
                break;
            case "deletewebhook":
                reply.answer(bot.updates.deleteWebhook(params), null);
                break;
            case "getwebhookinfo":
                reply.answer(bot.updates.webhookInfo(), null);
                break;
            case "sendmessage":
                reply.answer(bot.chats.sendMessage(params), null);
                break;
            case "editmessagetext":
                reply.answer(bot.chats.editMessageText(params), null);
                break;
            case "answercallbackquery":
                reply.answer(bot.chats.answerCallbackQuery(params), null);
                break;
            case "sendchataction":
                reply.answer(bot.chats.sendChatAction(params), null);
                break;
            case "logout":
            case "close":
                reply.answer(ApiResult.ok(JsonNodeFactory.instance.booleanNode(true)), null);
                break;
            default:
                reply.answer(ApiResult.error(404, "Not Found"), null);
        }
    }

    private static ApiResult getMe(Bot bot) {
        ObjectNode me = bot.chats.botUser();
        me.put("can_join_groups", true);
        me.put("can_read_all_group_messages", false);
        me.put("supports_inline_queries", false);
        return ApiResult.ok(me);
    }

    static ApiResult tooManyRequests(int retryAfter, ObjectMapper json) {
        ObjectNode parameters = json.createObjectNode();
        parameters.put("retry_after", retryAfter);
        return ApiResult.error(429, "Too Many Requests: retry after " + retryAfter, parameters);
    }

    /** An injected error status as the real path would answer it: 502 comes from the proxy in front, as HTML. */
    static ApiResult status(int status) {
        switch (status) {
            case 401:
                return ApiResult.error(401, "Unauthorized");
            case 403:
                return ApiResult.error(403, "Forbidden: bot was blocked by the user");
            case 500:
                return ApiResult.error(500, "Internal Server Error");
            case 502:
                return ApiResult.raw(502, "text/html", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                        + "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                        + "</body>\r\n</html>\r\n");
            default:
                return ApiResult.error(status, "Error " + status);
        }
    }
}
