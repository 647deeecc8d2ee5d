package io.botvisor.runner.internal;

import io.botvisor.runner.Bot;
import io.botvisor.runner.drill.ChaosBot;
import java.util.Map;
import java.util.function.Supplier;

/** Creates the bot a spec names: a built-in type, or a class on the child's classpath. Stateless. */
final class BotLoader {
    private static final Map<String, Supplier<Bot>> BUILT_IN = Map.of("chaos", ChaosBot::new);

    private BotLoader() {
    }

    static Bot load(String kind) {
        Supplier<Bot> builtIn = BUILT_IN.get(kind);
        if (builtIn != null) {
            return builtIn.get();
        }
        try {
            Class<?> c = Class.forName(kind);
            if (!Bot.class.isAssignableFrom(c)) {
                throw new IllegalArgumentException("class " + kind + " does not implement " + Bot.class.getName());
            }
            return (Bot) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("bot type or class '" + kind + "' not found (built-in types: "
                    + BUILT_IN.keySet() + "; a class must be on the bot's classpath)", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot instantiate " + kind + ": " + e, e);
        }
    }
}
