package io.botvisor.runner.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.BotContext;
import io.botvisor.storage.BotData;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The built-in {@code type: persona}: the kind of bot the system botvisor replaces ran. Its personas are the bot's
 * rows of {@code profiles} ({@code botvisor db import-json} brings them in; {@code persona} is
 * {@code {"greeting": "…", "lines": ["…", …]}}); {@code /start} lists them, {@code /persona NAME} picks one for the
 * user, and every other message is answered in that persona's voice. Every user, conversation and message is kept in
 * the database, in the same transaction as the reply. A bot with no profiles gets two examples at its first start
 * ({@code config: { seedProfiles: false }} to start empty). Stateless between updates: safe on the handler pool.
 */
public final class PersonaBot extends TelegramBot {
    private final ObjectMapper json = new ObjectMapper();

    @Override
    protected void prepare(BotContext ctx) throws Exception {
        if ("false".equals(ctx.config().get("seedProfiles"))) {
            return;
        }
        DataSource db = ctx.database().orElseThrow(() -> new BotConfigException("the persona bot needs the fleet's "
                + "database (database.enabled is false)"));
        BotData data = BotData.of(db);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            if (data.profiles(c).isEmpty()) {
                data.putProfile(c, new BotData.Profile("ada", "Ada", persona("Hello! I am Ada. Ask me about engines.",
                        "Numbers are the poetry of machines.", "Let us compute it, step by step.",
                        "That reminds me of the Analytical Engine.")));
                data.putProfile(c, new BotData.Profile("marvin", "Marvin", persona("Oh. It's you. Hello, I suppose.",
                        "Life. Don't talk to me about life.", "I think you ought to know I'm feeling very depressed.",
                        "Here I am, brain the size of a planet, answering this.")));
            }
            c.commit();
        }
    }

    private String persona(String greeting, String... lines) {
        ObjectNode p = json.createObjectNode().put("greeting", greeting);
        for (String line : lines) {
            p.withArray("lines").add(line);
        }
        return p.toString();
    }

    @Override
    protected void handlers(Handlers on) {
        on.command("start", turn -> {
            remember(turn);
            List<BotData.Profile> profiles = turn.data().profiles(turn.connection());
            StringBuilder text = new StringBuilder(profiles.isEmpty() ? "I have no personas yet."
                    : "Pick a persona with /persona NAME:");
            for (BotData.Profile p : profiles) {
                text.append("\n• ").append(p.profileId()).append(" — ").append(p.name());
            }
            answer(turn, text.toString());
        });
        on.command("persona", turn -> {
            remember(turn);
            String wanted = turn.update().commandArgs().toLowerCase(Locale.ROOT);
            Optional<BotData.Profile> pick = turn.data().profiles(turn.connection()).stream()
                    .filter(p -> p.profileId().equalsIgnoreCase(wanted) || p.name().equalsIgnoreCase(wanted))
                    .findFirst();
            if (pick.isEmpty()) {
                answer(turn, "No persona \"" + wanted + "\". /start lists them.");
                return;
            }
            long user = turn.update().from().orElseThrow().id();
            ObjectNode data = (ObjectNode) json.readTree(turn.data().user(turn.connection(), user).orElseThrow()
                    .dataJson());
            data.put("persona", pick.get().profileId());
            turn.data().putUserData(turn.connection(), user, data.toString());
            answer(turn, pick.get().name() + ": " + json.readTree(pick.get().personaJson()).path("greeting")
                    .asText("Hello."));
        });
        on.text(turn -> {
            remember(turn);
            BotData.Profile persona = personaOf(turn);
            if (persona == null) {
                answer(turn, "I have no personas yet.");
                return;
            }
            JsonNode lines = json.readTree(persona.personaJson()).path("lines");
            String said = turn.update().text().orElse("");
            String line = lines.isArray() && !lines.isEmpty()
                    ? lines.get(Math.floorMod(said.hashCode(), lines.size())).asText() : "…";
            answer(turn, persona.name() + ": " + line);
        });
    }

    /** The user's chosen persona, else the first one; null when the bot has none. */
    private BotData.Profile personaOf(Turn turn) throws Exception {
        Connection c = turn.connection();
        Optional<Long> user = turn.update().from().map(Update.User::id);
        if (user.isPresent()) {
            Optional<BotData.User> u = turn.data().user(c, user.get());
            if (u.isPresent()) {
                String chosen = json.readTree(u.get().dataJson()).path("persona").asText(null);
                if (chosen != null) {
                    Optional<BotData.Profile> p = turn.data().profile(c, chosen);
                    if (p.isPresent()) {
                        return p.get();
                    }
                }
            }
        }
        List<BotData.Profile> all = turn.data().profiles(c);
        return all.isEmpty() ? null : all.get(0);
    }

    /** Keeps the user, the conversation and the incoming message. */
    private void remember(Turn turn) {
        Update u = turn.update();
        Connection c = turn.connection();
        Long userId = u.from().map(user -> {
            turn.data().upsertUser(c, user.id(), user.username(), user.firstName(), user.lastName(),
                    user.languageCode());
            return user.id();
        }).orElse(null);
        long chat = u.chatId().orElseThrow();
        turn.data().ensureConversation(c, chat, userId, u.message().map(m -> m.path("chat").path("title")
                .asText(null)).orElse(null));
        Instant at = u.message().map(m -> Instant.ofEpochSecond(m.path("date").asLong())).orElse(Instant.now());
        List<BotData.Message> in = new ArrayList<>();
        in.add(new BotData.Message(chat, u.messageId().orElse(-u.id()), at, userId, true, u.text().orElse(""), null));
        turn.data().appendMessages(c, in);
        turn.data().touchConversation(c, chat, at);
    }

    /** Replies and keeps the reply as the conversation's outgoing message (its id: the negated outbox id). */
    private void answer(Turn turn, String text) {
        long outboxId = turn.reply(text);
        long chat = turn.update().chatId().orElseThrow();
        turn.data().appendMessages(turn.connection(), List.of(new BotData.Message(chat, -outboxId, Instant.now(), null,
                false, text, null)));
    }
}
