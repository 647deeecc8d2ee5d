--liquibase formatted sql
-- botvisor's schema. Every change has its rollback. Parameter: hashPartitions (set once, at the first migration).
-- Design (docs/storage.md): roles owner/admin/bots; every bot-scoped table hash-partitioned by bot_id; messages,
-- bot_metrics and audit_log also by month (range on time, each month hash-partitioned); FORCE ROW LEVEL SECURITY
-- everywhere with the policy form that prunes partitions (shared/design-notes.md).

--changeset botvisor:1-roles splitStatements:false
--comment: The three fixed roles and the schema. Bot login roles are made at registration (BotRoles), not here.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'botvisor_owner') THEN
        CREATE ROLE botvisor_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'botvisor_admin') THEN
        CREATE ROLE botvisor_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'botvisor_bots') THEN
        CREATE ROLE botvisor_bots NOLOGIN;
    END IF;
END $$;
-- The managing role (the one migrating) owns through botvisor_owner and reads and audits through botvisor_admin.
GRANT botvisor_owner TO CURRENT_USER;
GRANT botvisor_admin TO CURRENT_USER;
CREATE SCHEMA botvisor AUTHORIZATION botvisor_owner;
REVOKE ALL ON SCHEMA botvisor FROM PUBLIC;
GRANT USAGE ON SCHEMA botvisor TO botvisor_admin, botvisor_bots;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- For this change's rollback, which cannot hold a DO block (Liquibase splits rollback SQL at every semicolon).
CREATE FUNCTION botvisor_migrations.drop_bot_roles() RETURNS void LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    FOR r IN SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid
             JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = 'botvisor_bots' AND m.rolname LIKE 'bot\_%' LOOP
        EXECUTE format('DROP ROLE %I', r);
    END LOOP;
END $$;
--rollback SELECT botvisor_migrations.drop_bot_roles();
--rollback DROP FUNCTION botvisor_migrations.drop_bot_roles();
--rollback DROP SCHEMA botvisor;
--rollback DROP ROLE botvisor_bots;
--rollback DROP ROLE botvisor_admin;
--rollback DROP ROLE botvisor_owner;

--changeset botvisor:2-settings-and-bots
SET LOCAL ROLE botvisor_owner;
CREATE TABLE botvisor.settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO botvisor.settings (name, value) VALUES ('hash_partitions', '${hashPartitions}');
CREATE TABLE botvisor.bots (
    bot_id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    role_name  text NOT NULL UNIQUE,
    enabled    boolean NOT NULL DEFAULT true,
    config     jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
--rollback SET LOCAL ROLE botvisor_owner;
--rollback DROP TABLE botvisor.bots;
--rollback DROP TABLE botvisor.settings;

--changeset botvisor:3-partition-functions splitStatements:false
--comment: Partitions are made by these functions only, as the owner: no grants are ever given on a partition.
SET LOCAL ROLE botvisor_owner;
CREATE FUNCTION botvisor.hash_partitions() RETURNS integer LANGUAGE sql STABLE AS
$$ SELECT value::integer FROM botvisor.settings WHERE name = 'hash_partitions' $$;

-- Creates the hash partitions of a table (or of one month of a time-partitioned table).
CREATE FUNCTION botvisor.create_hash_partitions(parent text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
DECLARE n integer := botvisor.hash_partitions(); i integer;
BEGIN
    FOR i IN 0 .. n - 1 LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS botvisor.%I PARTITION OF botvisor.%I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                       parent || '_h' || lpad(i::text, 2, '0'), parent, n, i);
    END LOOP;
END $$;

-- Month partitions of a time-partitioned table, each hash-partitioned by bot_id: from the month of 'first' for
-- 'months' months. Idempotent. Returns how many months it created.
CREATE FUNCTION botvisor.ensure_month_partitions(tbl text, first date, months integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
DECLARE m date := date_trunc('month', first)::date; made integer := 0; part text; i integer;
BEGIN
    IF tbl NOT IN ('messages', 'bot_metrics', 'audit_log') THEN
        RAISE EXCEPTION 'ensure_month_partitions: table "%" is not time-partitioned (expected messages, bot_metrics or audit_log)', tbl;
    END IF;
    FOR i IN 1 .. months LOOP
        part := tbl || '_p' || to_char(m, 'YYYYMM');
        IF to_regclass('botvisor.' || part) IS NULL THEN
            EXECUTE format('CREATE TABLE botvisor.%I PARTITION OF botvisor.%I FOR VALUES FROM (%L) TO (%L) PARTITION BY HASH (bot_id)',
                           part, tbl, m, (m + interval '1 month')::date);
            PERFORM botvisor.create_hash_partitions(part);
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

-- Drops whole month partitions that end before now() - keep. Returns the partitions dropped.
CREATE FUNCTION botvisor.drop_expired_partitions(tbl text, keep interval) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
DECLARE r record; upper_bound timestamptz;
BEGIN
    IF tbl NOT IN ('messages', 'bot_metrics', 'audit_log') THEN
        RAISE EXCEPTION 'drop_expired_partitions: table "%" is not time-partitioned (expected messages, bot_metrics or audit_log)', tbl;
    END IF;
    FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = ('botvisor.' || tbl)::regclass ORDER BY c.relname LOOP
        upper_bound := (to_date(right(r.relname, 6), 'YYYYMM') + interval '1 month');
        IF upper_bound <= now() - keep THEN
            EXECUTE format('DROP TABLE botvisor.%I', r.relname);
            RETURN NEXT r.relname;
        END IF;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION botvisor.create_hash_partitions(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION botvisor.ensure_month_partitions(text, date, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION botvisor.drop_expired_partitions(text, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION botvisor.ensure_month_partitions(text, date, integer) TO botvisor_admin;
GRANT EXECUTE ON FUNCTION botvisor.drop_expired_partitions(text, interval) TO botvisor_admin;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback DROP FUNCTION botvisor.drop_expired_partitions(text, interval);
--rollback DROP FUNCTION botvisor.ensure_month_partitions(text, date, integer);
--rollback DROP FUNCTION botvisor.create_hash_partitions(text);
--rollback DROP FUNCTION botvisor.hash_partitions();

--changeset botvisor:4-bot-tables splitStatements:false
SET LOCAL ROLE botvisor_owner;
CREATE TABLE botvisor.users (
    bot_id        integer NOT NULL,
    user_id       bigint NOT NULL,
    username      text,
    first_name    text,
    last_name     text,
    language_code text,
    data          jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, user_id)
) PARTITION BY HASH (bot_id);
CREATE TABLE botvisor.profiles (
    bot_id     integer NOT NULL,
    profile_id text NOT NULL,
    name       text NOT NULL,
    persona    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot_id, profile_id)
) PARTITION BY HASH (bot_id);
CREATE TABLE botvisor.conversations (
    bot_id          integer NOT NULL,
    conversation_id bigint NOT NULL,
    user_id         bigint,
    title           text,
    state           jsonb NOT NULL DEFAULT '{}',
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz,
    PRIMARY KEY (bot_id, conversation_id)
) PARTITION BY HASH (bot_id);
-- A user's conversations, most recent first.
CREATE INDEX conversations_by_user ON botvisor.conversations (bot_id, user_id, last_message_at DESC);
CREATE TABLE botvisor.messages (
    bot_id          integer NOT NULL,
    conversation_id bigint NOT NULL,
    message_id      bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    user_id         bigint,
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    body            text NOT NULL,
    meta            jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (bot_id, conversation_id, message_id, created_at)
) PARTITION BY RANGE (created_at);
-- A conversation's recent messages.
CREATE INDEX messages_recent ON botvisor.messages (bot_id, conversation_id, created_at DESC);
CREATE TABLE botvisor.bot_metrics (
    bot_id integer NOT NULL,
    name   text NOT NULL,
    at     timestamptz NOT NULL,
    value  double precision NOT NULL,
    labels jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (bot_id, name, at)
) PARTITION BY RANGE (at);
-- Metrics over a time range.
CREATE INDEX bot_metrics_by_time ON botvisor.bot_metrics (bot_id, at);
-- A plain sequence: identity columns on partitioned tables need PostgreSQL 17.
CREATE SEQUENCE botvisor.audit_log_audit_id_seq;
CREATE TABLE botvisor.audit_log (
    bot_id         integer NOT NULL,          -- 0: the fleet, not one bot
    audit_id       bigint NOT NULL DEFAULT nextval('botvisor.audit_log_audit_id_seq'),
    at             timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL DEFAULT current_user,
    action         text NOT NULL,
    target         text NOT NULL,
    before         jsonb,
    after          jsonb,
    correlation_id text,
    PRIMARY KEY (bot_id, at, audit_id)
) PARTITION BY RANGE (at);
SELECT botvisor.create_hash_partitions(t) FROM unnest(ARRAY['users', 'profiles', 'conversations']) t;
SELECT botvisor.ensure_month_partitions(t, (now() - interval '1 month')::date, 5)
  FROM unnest(ARRAY['messages', 'bot_metrics', 'audit_log']) t;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback DROP TABLE botvisor.audit_log;
--rollback DROP SEQUENCE botvisor.audit_log_audit_id_seq;
--rollback DROP TABLE botvisor.bot_metrics;
--rollback DROP TABLE botvisor.messages;
--rollback DROP TABLE botvisor.conversations;
--rollback DROP TABLE botvisor.profiles;
--rollback DROP TABLE botvisor.users;

--changeset botvisor:5-row-level-security splitStatements:false
--comment: A bot role sees and writes only its own rows. The policy reads the bot id from the role's name (bot_<id>),
--comment: a form the planner folds to a constant, so one partition is scanned (shared/design-notes.md).
SET LOCAL ROLE botvisor_owner;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bots', 'users', 'profiles', 'conversations', 'messages', 'bot_metrics', 'audit_log'] LOOP
        EXECUTE format('ALTER TABLE botvisor.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE botvisor.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY admin_all ON botvisor.%I TO botvisor_admin USING (true) WITH CHECK (true)', t);
        IF t <> 'audit_log' THEN
            EXECUTE format('CREATE POLICY bot_own ON botvisor.%I TO botvisor_bots '
                           'USING (bot_id = split_part(current_user, ''_'', 2)::integer) '
                           'WITH CHECK (bot_id = split_part(current_user, ''_'', 2)::integer)', t);
        END IF;
    END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON botvisor.bots, botvisor.users, botvisor.profiles, botvisor.conversations,
    botvisor.messages, botvisor.bot_metrics, botvisor.audit_log TO botvisor_admin;
GRANT SELECT ON botvisor.settings TO botvisor_admin, botvisor_bots;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA botvisor TO botvisor_admin;
GRANT SELECT ON botvisor.bots TO botvisor_bots;
GRANT SELECT, INSERT, UPDATE, DELETE ON botvisor.users, botvisor.profiles, botvisor.conversations, botvisor.messages
    TO botvisor_bots;
GRANT SELECT, INSERT ON botvisor.bot_metrics TO botvisor_bots;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback REVOKE ALL ON ALL SEQUENCES IN SCHEMA botvisor FROM botvisor_admin;
--rollback REVOKE ALL ON botvisor.bots, botvisor.users, botvisor.profiles, botvisor.conversations, botvisor.messages, botvisor.bot_metrics, botvisor.audit_log, botvisor.settings FROM botvisor_admin, botvisor_bots;
--rollback DROP POLICY bot_own ON botvisor.bots;
--rollback DROP POLICY admin_all ON botvisor.bots;
--rollback ALTER TABLE botvisor.bots NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.bots DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY bot_own ON botvisor.users;
--rollback DROP POLICY admin_all ON botvisor.users;
--rollback ALTER TABLE botvisor.users NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.users DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY bot_own ON botvisor.profiles;
--rollback DROP POLICY admin_all ON botvisor.profiles;
--rollback ALTER TABLE botvisor.profiles NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.profiles DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY bot_own ON botvisor.conversations;
--rollback DROP POLICY admin_all ON botvisor.conversations;
--rollback ALTER TABLE botvisor.conversations NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.conversations DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY bot_own ON botvisor.messages;
--rollback DROP POLICY admin_all ON botvisor.messages;
--rollback ALTER TABLE botvisor.messages NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.messages DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY bot_own ON botvisor.bot_metrics;
--rollback DROP POLICY admin_all ON botvisor.bot_metrics;
--rollback ALTER TABLE botvisor.bot_metrics NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.bot_metrics DISABLE ROW LEVEL SECURITY;
--rollback DROP POLICY admin_all ON botvisor.audit_log;
--rollback ALTER TABLE botvisor.audit_log NO FORCE ROW LEVEL SECURITY;
--rollback ALTER TABLE botvisor.audit_log DISABLE ROW LEVEL SECURITY;

--changeset botvisor:6-views-and-maintenance splitStatements:false
--comment: Views run as the querying role (security_invoker), so the policies apply: the admin sees every bot, a bot
--comment: itself only.
SET LOCAL ROLE botvisor_owner;
CREATE VIEW botvisor.bot_activity_summary WITH (security_invoker = true) AS
SELECT b.bot_id, b.name, b.enabled,
       (SELECT count(*) FROM botvisor.users u WHERE u.bot_id = b.bot_id) AS users,
       (SELECT count(*) FROM botvisor.conversations c WHERE c.bot_id = b.bot_id) AS conversations,
       (SELECT count(*) FROM botvisor.messages m WHERE m.bot_id = b.bot_id AND m.created_at > now() - interval '1 day')
           AS messages_last_day,
       (SELECT max(m.created_at) FROM botvisor.messages m WHERE m.bot_id = b.bot_id) AS last_message_at
  FROM botvisor.bots b;
CREATE VIEW botvisor.daily_metrics_summary WITH (security_invoker = true) AS
SELECT bot_id, name, date_trunc('day', at) AS day, count(*) AS samples, min(value) AS min, avg(value) AS avg,
       max(value) AS max
  FROM botvisor.bot_metrics
 GROUP BY bot_id, name, date_trunc('day', at);
GRANT SELECT ON botvisor.bot_activity_summary, botvisor.daily_metrics_summary TO botvisor_admin, botvisor_bots;

-- Size and estimated rows of every partition of botvisor's tables.
CREATE FUNCTION botvisor.partition_stats()
RETURNS TABLE (table_name text, partition_name text, estimated_rows bigint, total_bytes bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
    WITH RECURSIVE tree AS (
        SELECT c.oid AS root, c.oid AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'botvisor' AND c.relkind = 'p' AND NOT c.relispartition
        UNION ALL
        SELECT t.root, i.inhrelid FROM tree t JOIN pg_inherits i ON i.inhparent = t.rel)
    SELECT r.relname::text, c.relname::text, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
      FROM tree t JOIN pg_class c ON c.oid = t.rel JOIN pg_class r ON r.oid = t.root
     WHERE c.relkind = 'r'
     ORDER BY 1, 2
$$;
-- What the supervisor reports: one row per check.
CREATE FUNCTION botvisor.health_check() RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
DECLARE t text; next_month date := (date_trunc('month', now()) + interval '1 month')::date; used integer; max_conn integer;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'bot_metrics', 'audit_log'] LOOP
        check_name := 'next month partition of ' || t;
        ok := to_regclass('botvisor.' || t || '_p' || to_char(next_month, 'YYYYMM')) IS NOT NULL;
        detail := CASE WHEN ok THEN 'present' ELSE 'missing: run the maintenance job' END;
        RETURN NEXT;
    END LOOP;
    SELECT count(*) INTO used FROM pg_stat_activity WHERE backend_type = 'client backend';
    max_conn := current_setting('max_connections')::integer;
    check_name := 'connections'; ok := used < max_conn - 3;
    detail := used || ' of ' || max_conn || ' in use';
    RETURN NEXT;
END $$;
-- The maintenance job: partitions for the next 'months_ahead' months, expired ones dropped (retention per table).
CREATE FUNCTION botvisor.maintain(months_ahead integer, keep_messages interval, keep_metrics interval,
                                  keep_audit interval)
RETURNS TABLE (action text, partition_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['messages', 'bot_metrics', 'audit_log'] LOOP
        PERFORM botvisor.ensure_month_partitions(t, now()::date, months_ahead + 1);
    END LOOP;
    action := 'dropped';
    FOR partition_name IN SELECT botvisor.drop_expired_partitions('messages', keep_messages)
                          UNION ALL SELECT botvisor.drop_expired_partitions('bot_metrics', keep_metrics)
                          UNION ALL SELECT botvisor.drop_expired_partitions('audit_log', keep_audit) LOOP
        RETURN NEXT;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION botvisor.partition_stats(), botvisor.health_check(),
    botvisor.maintain(integer, interval, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION botvisor.partition_stats(), botvisor.health_check(),
    botvisor.maintain(integer, interval, interval, interval) TO botvisor_admin;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback DROP FUNCTION botvisor.maintain(integer, interval, interval, interval);
--rollback DROP FUNCTION botvisor.health_check();
--rollback DROP FUNCTION botvisor.partition_stats();
--rollback DROP VIEW botvisor.daily_metrics_summary;
--rollback DROP VIEW botvisor.bot_activity_summary;

--changeset botvisor:7-audit-triggers splitStatements:false
--comment: Every change to bots and profiles is audited by the database itself, whoever makes it (a bot through its
--comment: role, the supervisor, an operator in psql). actor is the login (session_user: a bot cannot SET ROLE);
--comment: the correlation id is the IPC command's, when the writer set botvisor.correlation_id in its transaction.
SET LOCAL ROLE botvisor_owner;
CREATE FUNCTION botvisor.audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
DECLARE r record; target text;
BEGIN
    -- One statement per table: PL/pgSQL resolves a record's fields when a statement first runs.
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    -- TG_ARGV[0] names the audited table: on a partition's copy of the trigger TG_TABLE_NAME is the partition.
    IF TG_ARGV[0] = 'bots' THEN
        target := r.name;
    ELSE
        target := r.profile_id;
    END IF;
    INSERT INTO botvisor.audit_log (bot_id, actor, action, target, before, after, correlation_id)
    VALUES (r.bot_id, session_user, TG_ARGV[0] || '.' || lower(TG_OP), target,
            CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END,
            CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END,
            nullif(current_setting('botvisor.correlation_id', true), ''));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION botvisor.audit_row_change() FROM PUBLIC;
-- The trigger function runs as the owner, which FORCE ROW LEVEL SECURITY holds to the policies too: it may add
-- audit rows and do nothing else with them.
CREATE POLICY owner_appends ON botvisor.audit_log FOR INSERT TO botvisor_owner WITH CHECK (true);
CREATE TRIGGER audit_bots AFTER INSERT OR UPDATE OR DELETE ON botvisor.bots
    FOR EACH ROW EXECUTE FUNCTION botvisor.audit_row_change('bots');
CREATE TRIGGER audit_profiles AFTER INSERT OR UPDATE OR DELETE ON botvisor.profiles
    FOR EACH ROW EXECUTE FUNCTION botvisor.audit_row_change('profiles');
--rollback SET LOCAL ROLE botvisor_owner;
--rollback DROP TRIGGER audit_profiles ON botvisor.profiles;
--rollback DROP TRIGGER audit_bots ON botvisor.bots;
--rollback DROP POLICY owner_appends ON botvisor.audit_log;
--rollback DROP FUNCTION botvisor.audit_row_change();

--changeset botvisor:8-inbox-and-outbox splitStatements:false
--comment: A bot's inbox of Telegram updates and outbox of Bot API calls (issue 12; docs/storage.md "Inbox and outbox").
--comment: Hash-partitioned by bot_id only, one level deep: Citus cannot distribute multi-level partitioned tables.
SET LOCAL ROLE botvisor_owner;
-- Plain sequences: identity columns on partitioned tables need PostgreSQL 17. One for every bot: a bot's rows still
-- number in the order they were written, which is all the order needed.
CREATE SEQUENCE botvisor.updates_seq;
CREATE SEQUENCE botvisor.outbox_id_seq;
-- seq is the inbox's order. Telegram's update_id is not: after a week without updates it restarts at a random value.
CREATE TABLE botvisor.updates (
    bot_id      integer NOT NULL,
    update_id   bigint NOT NULL,
    seq         bigint NOT NULL DEFAULT nextval('botvisor.updates_seq'),
    received_at timestamptz NOT NULL DEFAULT now(),
    handled_at  timestamptz,
    kind        text NOT NULL,
    chat_id     bigint,
    payload     jsonb NOT NULL,
    PRIMARY KEY (bot_id, seq),
    UNIQUE (bot_id, update_id)
) PARTITION BY HASH (bot_id);
-- What is left to handle, in order (and its count and age).
CREATE INDEX updates_unhandled ON botvisor.updates (bot_id, seq) WHERE handled_at IS NULL;
-- Retention, across bots.
CREATE INDEX updates_handled ON botvisor.updates (handled_at) WHERE handled_at IS NOT NULL;
CREATE TABLE botvisor.outbox (
    bot_id              integer NOT NULL,
    id                  bigint NOT NULL DEFAULT nextval('botvisor.outbox_id_seq'),
    chat_id             bigint NOT NULL,
    update_id           bigint,
    method              text NOT NULL,
    payload             jsonb NOT NULL,
    state               text NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sending', 'sent', 'uncertain', 'failed')),
    attempts            integer NOT NULL DEFAULT 0,
    queued_at           timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    telegram_message_id bigint,
    last_error          text,
    PRIMARY KEY (bot_id, id)
) PARTITION BY HASH (bot_id);
-- The unfinished items of each chat, in order: what the sender may send next, migrations, the outbox's depth.
CREATE INDEX outbox_unsent ON botvisor.outbox (bot_id, chat_id, id) WHERE state IN ('queued', 'sending', 'uncertain');
-- Retention, across bots.
CREATE INDEX outbox_finished ON botvisor.outbox (queued_at) WHERE state IN ('sent', 'failed');
SELECT botvisor.create_hash_partitions(t) FROM unnest(ARRAY['updates', 'outbox']) t;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['updates', 'outbox'] LOOP
        EXECUTE format('ALTER TABLE botvisor.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE botvisor.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY admin_all ON botvisor.%I TO botvisor_admin USING (true) WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY bot_own ON botvisor.%I TO botvisor_bots '
                       'USING (bot_id = split_part(current_user, ''_'', 2)::integer) '
                       'WITH CHECK (bot_id = split_part(current_user, ''_'', 2)::integer)', t);
    END LOOP;
END $$;
-- Retention runs as the owner (botvisor.expire_rows), which FORCE ROW LEVEL SECURITY holds to the policies too: it may
-- read and delete finished rows only, never an unhandled update or an unsent call.
CREATE POLICY owner_reads_finished ON botvisor.updates FOR SELECT TO botvisor_owner USING (handled_at IS NOT NULL);
CREATE POLICY owner_expires ON botvisor.updates FOR DELETE TO botvisor_owner USING (handled_at IS NOT NULL);
CREATE POLICY owner_reads_finished ON botvisor.outbox FOR SELECT TO botvisor_owner USING (state IN ('sent', 'failed'));
CREATE POLICY owner_expires ON botvisor.outbox FOR DELETE TO botvisor_owner USING (state IN ('sent', 'failed'));
GRANT SELECT, INSERT, UPDATE, DELETE ON botvisor.updates, botvisor.outbox TO botvisor_admin;
GRANT USAGE ON botvisor.updates_seq, botvisor.outbox_id_seq TO botvisor_admin, botvisor_bots;
-- Bots update named columns only and delete nothing: without a table-wide UPDATE or DELETE a bot cannot
-- LOCK TABLE a mode above ROW EXCLUSIVE, which would stall every other bot's inbox or outbox.
GRANT SELECT, INSERT ON botvisor.updates, botvisor.outbox TO botvisor_bots;
GRANT UPDATE (handled_at) ON botvisor.updates TO botvisor_bots;
GRANT UPDATE (chat_id, payload, state, attempts, sent_at, telegram_message_id, last_error) ON botvisor.outbox
    TO botvisor_bots;

-- Retention of the inbox and the outbox (rows: these tables have no time partitions): handled updates and sent or
-- failed calls older than their retention, at most max_rows of each (null: all) per call, so that a backlog is
-- deleted in bounded transactions. Returns the rows deleted per table.
CREATE FUNCTION botvisor.expire_rows(keep_updates interval, keep_outbox interval, max_rows integer)
RETURNS TABLE (table_name text, row_count bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
BEGIN
    -- Telegram sends an unconfirmed update again for 24 h, and the inbox's row is what recognizes it as seen.
    IF keep_updates < interval '1 day' THEN
        RAISE EXCEPTION 'botvisor.expire_rows: keep_updates % is shorter than a day (expected 1 day or more: the inbox '
                        'recognizes an update Telegram sends again within 24 h by its row)', keep_updates;
    END IF;
    table_name := 'updates';
    DELETE FROM botvisor.updates WHERE (bot_id, seq) IN (
        SELECT u.bot_id, u.seq FROM botvisor.updates u WHERE u.handled_at < now() - keep_updates LIMIT max_rows);
    GET DIAGNOSTICS row_count = ROW_COUNT;
    RETURN NEXT;
    table_name := 'outbox';
    DELETE FROM botvisor.outbox WHERE (bot_id, id) IN (
        SELECT o.bot_id, o.id FROM botvisor.outbox o
         WHERE o.state IN ('sent', 'failed') AND o.queued_at < now() - keep_outbox LIMIT max_rows);
    GET DIAGNOSTICS row_count = ROW_COUNT;
    RETURN NEXT;
END $$;
-- The whole maintenance job in one call: what the four-argument form does, then the inbox's and outbox's retention.
-- The four-argument form stays, unchanged, for existing callers.
CREATE FUNCTION botvisor.maintain(months_ahead integer, keep_messages interval, keep_metrics interval,
                                  keep_audit interval, keep_updates interval, keep_outbox interval)
RETURNS TABLE (action text, object_name text, row_count bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = botvisor, pg_temp AS $$
BEGIN
    action := 'dropped';
    row_count := NULL;
    FOR object_name IN SELECT m.partition_name FROM botvisor.maintain(months_ahead, keep_messages, keep_metrics,
                                                                      keep_audit) m LOOP
        RETURN NEXT;
    END LOOP;
    action := 'deleted';
    FOR object_name, row_count IN SELECT e.table_name, e.row_count
                                    FROM botvisor.expire_rows(keep_updates, keep_outbox, NULL) e LOOP
        RETURN NEXT;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION botvisor.expire_rows(interval, interval, integer),
    botvisor.maintain(integer, interval, interval, interval, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION botvisor.expire_rows(interval, interval, integer),
    botvisor.maintain(integer, interval, interval, interval, interval, interval) TO botvisor_admin;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback DROP FUNCTION botvisor.maintain(integer, interval, interval, interval, interval, interval);
--rollback DROP FUNCTION botvisor.expire_rows(interval, interval, integer);
--rollback DROP TABLE botvisor.outbox;
--rollback DROP TABLE botvisor.updates;
--rollback DROP SEQUENCE botvisor.outbox_id_seq;
--rollback DROP SEQUENCE botvisor.updates_seq;

--changeset botvisor:9-no-table-locks-for-bots
--comment: A table-wide UPDATE or DELETE lets its holder LOCK TABLE in any mode, ACCESS EXCLUSIVE included, whatever
--comment: row-level security allows: one bot could stall every other bot on the table. Bots keep UPDATE on the
--comment: columns of a row's content (never its key nor bot_id) and delete nothing, as changeset 8 did for the inbox
--comment: and the outbox (docs/storage.md "Grants").
SET LOCAL ROLE botvisor_owner;
REVOKE UPDATE, DELETE ON botvisor.users, botvisor.profiles, botvisor.conversations, botvisor.messages
    FROM botvisor_bots;
GRANT UPDATE (username, first_name, last_name, language_code, data, updated_at) ON botvisor.users TO botvisor_bots;
GRANT UPDATE (name, persona, updated_at) ON botvisor.profiles TO botvisor_bots;
GRANT UPDATE (user_id, title, state, last_message_at) ON botvisor.conversations TO botvisor_bots;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback REVOKE UPDATE ON botvisor.users, botvisor.profiles, botvisor.conversations FROM botvisor_bots;
--rollback GRANT UPDATE, DELETE ON botvisor.users, botvisor.profiles, botvisor.conversations, botvisor.messages TO botvisor_bots;

--changeset botvisor:10-outbox-resent splitStatements:false
--comment: uncertainSends retry-once sends a call whose answer was lost once more, and only once: the row says it was
--comment: (resent), so that neither this process, after a later requeue, nor the next one, after a crash, tries a third
--comment: time (issue 13; docs/telegram.md "Sends in doubt").
SET LOCAL ROLE botvisor_owner;
ALTER TABLE botvisor.outbox ADD COLUMN resent boolean NOT NULL DEFAULT false;
GRANT UPDATE (resent) ON botvisor.outbox TO botvisor_bots;
--rollback SET LOCAL ROLE botvisor_owner;
--rollback ALTER TABLE botvisor.outbox DROP COLUMN resent;
