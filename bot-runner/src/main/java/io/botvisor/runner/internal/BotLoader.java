package io.botvisor.runner.internal;

import io.botvisor.runner.Bot;
import io.botvisor.runner.BotConfigException;
import io.botvisor.runner.drill.AttackBot;
import io.botvisor.runner.drill.ChaosBot;
import io.botvisor.runner.telegram.EchoBot;
import io.botvisor.runner.telegram.PersonaBot;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Creates the bot a spec names: a built-in type, or a class on the child's classpath. A name that does not lead to a
 * bot is a {@link BotConfigException} (no restart would find it); a constructor that throws is passed on as it is.
 * Stateless.
 */
final class BotLoader {
    private static final Map<String, Supplier<Bot>> BUILT_IN = Map.of("chaos", ChaosBot::new, "attack", AttackBot::new,
            "echo", EchoBot::new, "persona", PersonaBot::new);
    private static final String NEEDS = "a bot class is public, implements " + Bot.class.getName()
            + " and has a public no-argument constructor";

    private BotLoader() {
    }

    static Bot load(String kind) throws Exception {
        Supplier<Bot> builtIn = BUILT_IN.get(kind);
        if (builtIn != null) {
            return builtIn.get();
        }
        Class<?> c;
        try {
            c = Class.forName(kind);
        } catch (ClassNotFoundException e) {
            throw new BotConfigException("type \"" + kind + "\" is neither a built-in bot type " + new TreeSet<>(
                    BUILT_IN.keySet()) + " nor a class on the bot's classpath (check the bot's type:, class: and "
                    + "classpath: in the fleet file)", e);
        } catch (ExceptionInInitializerError e) {
            throw e; // its static initialiser threw: the class's own failure, which may pass
        } catch (LinkageError e) {
            throw new BotConfigException("class " + kind + " cannot be loaded: " + OneLine.of(e)
                    + " (is every jar it needs in the bot's classpath:?)", e);
        }
        if (!Bot.class.isAssignableFrom(c)) {
            throw new BotConfigException("class " + kind + " does not implement " + Bot.class.getName() + " ("
                    + NEEDS + ")");
        }
        if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
            throw new BotConfigException("class " + kind + " is " + (Modifier.isAbstract(c.getModifiers())
                    ? "abstract" : "not public") + " (" + NEEDS + ")");
        }
        try {
            return (Bot) c.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new BotConfigException("class " + kind + " has no public no-argument constructor (" + NEEDS + ")",
                    e);
        } catch (IllegalAccessException | InstantiationException e) {
            throw new BotConfigException("class " + kind + " cannot be instantiated: " + OneLine.of(e) + " (" + NEEDS
                    + ")", e);
        } catch (InvocationTargetException e) {
            // The constructor threw: a failure of the bot's own code, judged like one thrown by its start.
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }
}
