package io.botvisor.supervisor.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.botvisor.supervisor.config.Specs;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The lending policy on a fake clock. The server's side is a table of role limits that changes when the test lets
 * an order through; the children's side is what each pool was told.
 */
class ConnectionBrokerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Specs.Pools POOLS = new Specs.Pools(10, Duration.ofSeconds(30));

    private long now = 1;
    private final Map<String, Integer> serverLimits = new HashMap<>();
    private final Deque<Runnable> ordersInFlight = new ArrayDeque<>();
    private final Map<String, Integer> told = new HashMap<>();

    private ConnectionBroker broker(int budget, String... bots) {
        Map<String, String> roles = new LinkedHashMap<>();
        for (String b : bots) {
            roles.put(b, "bot_" + b);
            serverLimits.put("bot_" + b, ConnectionBroker.GUARANTEED);
        }
        ConnectionBroker broker = new ConnectionBroker(budget, POOLS, roles, this::order, Runnable::run, () -> now);
        broker.deliverThrough((bot, max) -> {
            told.put(bot, max);
            return true;
        });
        for (String b : bots) {
            broker.childStarted(b, now);
        }
        return broker;
    }

    private boolean failOrders;
    private int orders;

    private void order(String role, int limit, Consumer<Boolean> done) {
        orders++;
        boolean fail = failOrders;
        ordersInFlight.add(() -> {
            if (!fail) {
                serverLimits.put(role, limit);
            }
            done.accept(!fail);
        });
    }

    /** One tick of the broker, then the server carries out every order it gave. */
    private void settle(ConnectionBroker b) {
        b.rebalance(now);
        completeOrders();
    }

    private void completeOrders() {
        while (!ordersInFlight.isEmpty()) {
            ordersInFlight.poll().run();
        }
    }

    /** A heartbeat from a pool that applied {@code max}, has {@code open} connections, and so on. */
    private static Map<String, Long> usage(int max, int open, int peak, int waiting, long contended) {
        return Map.of("db.poolMax", (long) max, "db.poolOpen", (long) open, "db.poolPeak", (long) peak,
                "db.poolWaiting", (long) waiting, "db.contendedAtMax", contended);
    }

    @Test
    void aPoolWhoseBorrowersWaitIsToldItsNewMaximumOnlyAfterItsRoleLimitWasRaised() {
        ConnectionBroker b = broker(10, "a", "b");
        b.onUsage("a", usage(1, 1, 1, 2, 5), now);
        b.rebalance(now);
        assertThat(told).doesNotContainKey("a");
        assertThat(b.view().reserved()).as("the raise is reserved while the order is in flight").isEqualTo(4);
        completeOrders();
        assertThat(serverLimits).containsEntry("bot_a", 3);
        assertThat(told).containsEntry("a", 3);
    }

    @Test
    void contentionCountedAtTheOldMaximumDoesNotAskAgainOnceTheRaiseIsApplied() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 1, 7), now);
        settle(b);
        assertThat(told).containsEntry("a", 2);
        b.onUsage("a", usage(1, 1, 1, 0, 9), now); // the child has not read the grant yet
        b.rebalance(now);
        b.onUsage("a", usage(2, 2, 2, 0, 0), now);
        settle(b);
        assertThat(told).containsEntry("a", 2);
        b.onUsage("a", usage(2, 2, 2, 0, 1), now);
        settle(b);
        assertThat(told).as("full at its new maximum: one more").containsEntry("a", 3);
    }

    @Test
    void borrowersWaitingWhileThePoolOpensItsConnectionsDoNotAskForMore() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 0, 0, 4, 0), now);
        settle(b);
        assertThat(told).isEmpty();
        b.onUsage("a", usage(1, 1, 1, 4, 1), now);
        settle(b);
        assertThat(told).as("the same borrowers once the pool found itself full").containsEntry("a", 5);
    }

    @Test
    void aPoolThatDidNotFindItselfFullIsNotGrown() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 0, 0), now);
        settle(b);
        assertThat(told).isEmpty();
        assertThat(serverLimits).containsEntry("bot_a", 1);
        b.onUsage("a", usage(1, 1, 1, 1, 1), now);
        settle(b);
        assertThat(told).as("once it found itself full").containsEntry("a", 2);
    }

    @Test
    void waitingPoolsShareWhatIsLeftSmallestFirstAndNobodyGoesBelowOne() {
        ConnectionBroker b = broker(6, "a", "b", "c", "d");
        // a already holds 2; b and c want 3 more each; only 1 is left after a's 2 and the guaranteed ones.
        b.onUsage("a", usage(1, 1, 1, 1, 1), now);
        settle(b);
        assertThat(told).containsEntry("a", 2);
        b.onUsage("a", usage(2, 2, 2, 5, 9), now);
        b.onUsage("b", usage(1, 1, 1, 3, 4), now);
        b.onUsage("c", usage(1, 1, 1, 3, 4), now);
        settle(b);
        assertThat(told).containsEntry("a", 2).containsEntry("b", 2).doesNotContainKey("c");
        assertThat(serverLimits.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
    }

    @Test
    void aGrantIsCutToWhatThePoolUsedAndTheRoleLimitFollowsOnceThePoolIsWithinIt() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 3, 3), now);
        settle(b);
        assertThat(told).containsEntry("a", 4);
        for (int i = 0; i < 31; i++) {
            now += SECOND;
            b.onUsage("a", usage(4, 4, 2, 0, 0), now);
            b.rebalance(now);
        }
        assertThat(told).containsEntry("a", 2);
        completeOrders();
        assertThat(serverLimits).as("the pool has not applied the cut yet").containsEntry("bot_a", 4);
        now += SECOND;
        b.onUsage("a", usage(2, 3, 2, 0, 0), now);
        settle(b);
        assertThat(serverLimits).as("the pool still has 3 open").containsEntry("bot_a", 4);
        now += SECOND;
        b.onUsage("a", usage(2, 2, 2, 0, 0), now);
        settle(b);
        assertThat(serverLimits).containsEntry("bot_a", 2);
        assertThat(b.view().reserved()).isEqualTo(2);
    }

    @Test
    void aChildThatExitsStartsOverAtOneAndItsRoleLimitIsLowered() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 4, 1), now);
        settle(b);
        assertThat(serverLimits).containsEntry("bot_a", 5);
        b.childGone("a", now);
        settle(b);
        assertThat(serverLimits).containsEntry("bot_a", 1);
        assertThat(b.view().grants().get("a").grant()).isEqualTo(1);
    }

    @Test
    void aRaiseThatLandsAfterTheChildExitedIsNotSentToItsSuccessorAndIsTakenBack() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 2, 1), now);
        b.rebalance(now);
        assertThat(ordersInFlight).as("the raise").hasSize(1);
        b.childGone("a", now);
        b.childStarted("a", now);
        ordersInFlight.poll().run();
        assertThat(serverLimits).as("the raise landed").containsEntry("bot_a", 3);
        assertThat(told).doesNotContainKey("a");
        settle(b);
        assertThat(serverLimits).containsEntry("bot_a", 1);
    }

    @Test
    void aLimitThatCouldNotBeSetIsRetriedAfterAPauseNotOnEveryTick() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 4, 1), now);
        settle(b);
        b.childGone("a", now);
        failOrders = true;
        int before = orders;
        settle(b);
        assertThat(orders).as("the order that fails").isEqualTo(before + 1);
        assertThat(serverLimits).containsEntry("bot_a", 5);
        int tries = orders;
        for (int i = 0; i < 40; i++) {
            now += SECOND / 10;
            settle(b);
        }
        assertThat(orders - tries).as("orders in the 4 s after a failure").isZero();
        failOrders = false;
        now += SECOND;
        settle(b);
        assertThat(serverLimits).containsEntry("bot_a", 1);
        assertThat(b.view().reserved()).isEqualTo(1);
    }

    @Test
    void noPoolIsGrantedMoreThanMaxPerBot() {
        ConnectionBroker b = broker(100, "a");
        for (int i = 0; i < 20; i++) {
            int max = told.getOrDefault("a", 1);
            b.onUsage("a", usage(max, max, max, 50, i + 1), now);
            settle(b);
        }
        assertThat(told).containsEntry("a", 10);
        assertThat(serverLimits).containsEntry("bot_a", 10);
    }

    @Test
    void theServersLimitsNeverAddUpToMoreThanTheBudgetWhateverThePoolsReport() {
        String[] bots = {"a", "b", "c", "d", "e"};
        int budget = 12;
        ConnectionBroker b = broker(budget, bots);
        Random random = new Random(42);
        Map<String, Long> contended = new HashMap<>();
        for (int step = 0; step < 5_000; step++) {
            String bot = bots[random.nextInt(bots.length)];
            switch (random.nextInt(10)) {
                case 0 -> b.childGone(bot, now);
                case 1 -> b.childStarted(bot, now);
                case 2, 3 -> completeOrders();
                default -> {
                    int max = b.view().grants().get(bot).grant();
                    int applied = random.nextInt(4) == 0 ? told.getOrDefault(bot, max) : max;
                    long c = contended.merge(bot, (long) random.nextInt(2), Long::sum);
                    b.onUsage(bot, usage(applied, random.nextInt(applied + 1), random.nextInt(applied + 1),
                            random.nextInt(3), c), now);
                }
            }
            now += SECOND / 2;
            b.rebalance(now);
            int limits = serverLimits.values().stream().mapToInt(Integer::intValue).sum();
            assertThat(limits).as("sum of role limits at step %d", step).isLessThanOrEqualTo(budget);
            assertThat(b.view().reserved()).as("reserved at step %d", step).isLessThanOrEqualTo(budget);
            assertThat(serverLimits.values()).allMatch(l -> l >= 1);
        }
    }

    @Test
    void aHandoverSuccessorGetsOneMoreConnectionOnTheRoleThatTheRunningPoolIsNotTold() {
        ConnectionBroker b = broker(10, "a");
        b.successorStarting("a");
        completeOrders();
        assertThat(serverLimits.get("bot_a")).isEqualTo(2);
        assertThat(told).doesNotContainKey("a");
        assertThat(b.reserved()).isEqualTo(2);
    }

    @Test
    void aRunningPoolThatFindsItselfFullDuringAHandoverIsNotGivenTheSuccessorsConnection() {
        ConnectionBroker b = broker(10, "a");
        b.successorStarting("a");
        completeOrders();
        b.onUsage("a", usage(1, 1, 1, 2, 5), now);
        settle(b);
        assertThat(told).as("the running pool grew").containsEntry("a", 3);
        assertThat(serverLimits.get("bot_a")).as("and the role still has the successor's connection").isEqualTo(4);
        b.onUsage("a", usage(3, 3, 3, 1, 9), now);
        settle(b);
        assertThat(serverLimits.get("bot_a") - told.get("a")).isEqualTo(1);
    }

    @Test
    void aHandoverThatStartsWhileALimitIsBeingSetGetsItsConnectionOnceTheOrderLands() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 1, 3), now);
        b.rebalance(now); // the raise to 2 is in flight
        b.successorStarting("a");
        completeOrders();
        settle(b);
        assertThat(serverLimits.get("bot_a") - told.getOrDefault("a", 1)).as("room for the successor").isEqualTo(1);
    }

    @Test
    void aHandoverThatStartsWhileALimitIsBeingLoweredGetsItsConnectionOnceTheOrderLands() {
        ConnectionBroker b = broker(10, "a");
        b.onUsage("a", usage(1, 1, 1, 2, 3), now);
        settle(b); // granted 3
        b.onUsage("a", usage(3, 1, 1, 0, 0), now);
        now += 31 * SECOND;
        b.rebalance(now); // cut to 1 at once; the role's limit follows once the pool is within it
        b.onUsage("a", usage(1, 1, 1, 0, 0), now);
        b.rebalance(now); // the lowering to 1 is in flight
        assertThat(ordersInFlight).isNotEmpty();
        b.successorStarting("a");
        completeOrders();
        settle(b);
        assertThat(told).containsEntry("a", 1);
        assertThat(serverLimits.get("bot_a")).as("the pool's one and the successor's").isEqualTo(2);
    }

    @Test
    void theHandoverLoanEndsWhenTheSuccessorTakesOverAndTheLimitComesDown() {
        ConnectionBroker b = broker(10, "a");
        b.successorStarting("a");
        completeOrders();
        b.successorGone("a"); // the predecessor's exit
        b.childStarted("a", now);
        b.onUsage("a", usage(1, 1, 1, 0, 0), now);
        settle(b);
        assertThat(serverLimits.get("bot_a")).isEqualTo(1);
        assertThat(b.reserved()).isEqualTo(1);
    }

    @Test
    void aHandoverSuccessorGetsItsConnectionBeyondABudgetLentOutAndNothingMoreIsLentMeanwhile() {
        ConnectionBroker b = broker(2, "a", "b");
        b.successorStarting("a");
        completeOrders();
        assertThat(serverLimits.get("bot_a")).as("the successor would wait for its predecessor otherwise")
                .isEqualTo(2);
        assertThat(b.reserved()).isEqualTo(3);
        b.onUsage("b", usage(1, 1, 1, 3, 1), now);
        settle(b);
        assertThat(told).as("b's waiting pool gets nothing while the budget is overdrawn").doesNotContainKey("b");
        b.successorGone("a");
        b.onUsage("a", usage(1, 1, 1, 0, 0), now);
        settle(b);
        assertThat(serverLimits.get("bot_a")).as("the loan returned").isEqualTo(1);
    }
}
