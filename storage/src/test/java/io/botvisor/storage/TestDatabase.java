package io.botvisor.storage;

import java.nio.file.Path;

/** A real embedded PostgreSQL for one test class, in a temporary state dir, migrated with 4 hash partitions. */
final class TestDatabase implements AutoCloseable {
    final DbFiles files;
    final EmbeddedDatabase server;
    final DbEndpoint manager;

    private TestDatabase(DbFiles files, EmbeddedDatabase server) {
        this.files = files;
        this.server = server;
        this.manager = server.superuser();
    }

    static TestDatabase start(Path stateDir) {
        DbFiles files = DbFiles.under(stateDir);
        return new TestDatabase(files, EmbeddedDatabase.start(files, 40));
    }

    TestDatabase migrated() {
        new Migrations(manager, 4).migrate();
        return this;
    }

    DbEndpoint as(BotCredentials bot) {
        return manager.as(bot.role(), bot.password());
    }

    @Override
    public void close() {
        server.close();
    }
}
