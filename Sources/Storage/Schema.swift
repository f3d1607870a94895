/// The one schema of the store, for SQLite and PostgreSQL alike: types both accept (BIGINT,
/// TEXT, DOUBLE PRECISION), times in integer milliseconds, text ids made by the application
/// (no SERIAL/AUTOINCREMENT, which the two spell differently).
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "partner keys, rate windows, usage", sql: """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                partner TEXT NOT NULL,
                prefix TEXT NOT NULL,                -- shown in listings; the secret itself is never stored
                secret_sha256 TEXT NOT NULL UNIQUE,
                requests_per_minute BIGINT,          -- NULL: no limit
                tokens_per_minute BIGINT,
                models TEXT,                         -- comma-separated allow-list; NULL: every model
                created_ms BIGINT NOT NULL,
                revoked_ms BIGINT
            );
            CREATE TABLE rate_windows (
                key_id TEXT NOT NULL REFERENCES api_keys(id),
                window_start_ms BIGINT NOT NULL,     -- the minute the counts belong to
                requests BIGINT NOT NULL,
                tokens BIGINT NOT NULL,
                PRIMARY KEY (key_id, window_start_ms)
            );
            CREATE TABLE usage_records (
                id TEXT PRIMARY KEY,
                key_id TEXT REFERENCES api_keys(id),  -- NULL when the server runs without keys
                partner TEXT,
                endpoint TEXT NOT NULL,
                model TEXT,
                status BIGINT NOT NULL,              -- HTTP status; 0 while running, and after a crash
                prompt_tokens BIGINT NOT NULL DEFAULT 0,
                cached_tokens BIGINT NOT NULL DEFAULT 0,
                completion_tokens BIGINT NOT NULL DEFAULT 0,
                latency_ms BIGINT,
                server TEXT NOT NULL,                -- which replica answered
                started_ms BIGINT NOT NULL,
                finished_ms BIGINT
            );
            CREATE INDEX usage_records_by_key ON usage_records (key_id, started_ms);
            CREATE INDEX usage_records_by_time ON usage_records (started_ms);
            """),
        Migration(version: 3, name: "product catalogue", sql: """
            CREATE TABLE catalog_products (
                barcode TEXT PRIMARY KEY,            -- EAN-13/UPC digits
                name TEXT NOT NULL,
                brand TEXT,
                category TEXT NOT NULL,              -- Nutri-Score category: general, beverage, water, fat, cheese, red_meat
                nutrition TEXT NOT NULL,             -- JSON object per 100 g/ml, keys as NutritionFacts (energy_kcal, sugars_g, ...)
                ingredients TEXT,
                price DOUBLE PRECISION,
                image TEXT,
                updated_ms BIGINT NOT NULL
            );
        Migration(version: 4, name: "messaging: conversations, inbound de-duplication, outbox, delivery statuses", sql: """
            CREATE TABLE messaging_conversations (
                id TEXT PRIMARY KEY,
                platform TEXT NOT NULL,              -- whatsapp | messenger | instagram
                sender_id TEXT NOT NULL,             -- wa_id / PSID / IGSID
                business_id TEXT NOT NULL,           -- phone_number_id / Page id / IG id replies go out from
                user_id TEXT,                        -- the web account the sender linked; NULL until linked
                last_inbound_ms BIGINT NOT NULL,     -- the sender's newest message: the 24-hour window runs from it
                created_ms BIGINT NOT NULL,
                UNIQUE (platform, sender_id)
            );
            CREATE TABLE messaging_inbound (
                platform TEXT NOT NULL,
                message_id TEXT NOT NULL,            -- wamid... / mid: Meta's retries reuse it
                conversation_id TEXT NOT NULL REFERENCES messaging_conversations(id),
                kind TEXT NOT NULL,                  -- text | image | unsupported
                body TEXT,                           -- the text, the image's caption, or the unsupported type
                media_ref TEXT,                      -- WhatsApp media id or Messenger/Instagram attachment URL
                media_sha256 TEXT,
                sent_ms BIGINT NOT NULL,
                received_ms BIGINT NOT NULL,
                state TEXT NOT NULL,                 -- pending | answered | stale | quarantined
                reason TEXT,
                PRIMARY KEY (platform, message_id)
            );
            CREATE INDEX messaging_inbound_by_state ON messaging_inbound (state, received_ms);
            CREATE TABLE messaging_turns (
                conversation_id TEXT NOT NULL REFERENCES messaging_conversations(id),
                position BIGINT NOT NULL,
                role TEXT NOT NULL,                  -- user | assistant
                content TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (conversation_id, position)
            );
            CREATE TABLE messaging_outbox (
                id TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL REFERENCES messaging_conversations(id),
                reply_to TEXT NOT NULL,              -- the inbound message id answered
                body TEXT NOT NULL,
                state TEXT NOT NULL,                 -- pending | sent | quarantined
                attempts BIGINT NOT NULL,
                next_attempt_ms BIGINT NOT NULL,
                last_error TEXT,
                remote_id TEXT,                      -- the platform's id for the sent message
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL
            );
            CREATE INDEX messaging_outbox_by_state ON messaging_outbox (state, next_attempt_ms);
            CREATE TABLE messaging_statuses (
                platform TEXT NOT NULL,
                message_id TEXT NOT NULL,
                status TEXT NOT NULL,                -- sent | delivered | read | failed | echo
                recipient_id TEXT NOT NULL,
                timestamp_ms BIGINT NOT NULL,
                error TEXT,
                PRIMARY KEY (platform, message_id, status)
            );
            """),
    ]
}
