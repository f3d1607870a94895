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
        Migration(version: 2, name: "shopping: catalogue, creators, communities, posts, follows, interactions, settings", sql: """
            CREATE TABLE shop_brands (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL
            );
            CREATE TABLE shop_products (
                id TEXT PRIMARY KEY,
                brand_id TEXT NOT NULL REFERENCES shop_brands(id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                category TEXT NOT NULL,              -- fashion, beauty, home, grocery
                colour TEXT,
                material TEXT,
                sizes TEXT NOT NULL,                 -- comma-separated; empty for one-size items
                price_cents BIGINT NOT NULL,
                currency TEXT NOT NULL,              -- ISO 4217
                stock BIGINT NOT NULL,
                region TEXT NOT NULL,                -- where it ships: EU, UK, US
                image_url TEXT,
                created_ms BIGINT NOT NULL
            );
            CREATE TABLE shop_creators (
                id TEXT PRIMARY KEY,
                handle TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                style TEXT NOT NULL
            );
            CREATE TABLE shop_communities (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                topic TEXT NOT NULL
            );
            CREATE TABLE shop_posts (
                id TEXT PRIMARY KEY,
                author_kind TEXT NOT NULL,           -- creator or community
                author_id TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                sponsored BIGINT NOT NULL DEFAULT 0, -- paid partnership or affiliate: always labelled
                created_ms BIGINT NOT NULL
            );
            CREATE INDEX shop_posts_by_author ON shop_posts (author_kind, author_id, created_ms);
            CREATE TABLE shop_post_products (
                post_id TEXT NOT NULL REFERENCES shop_posts(id),
                product_id TEXT NOT NULL REFERENCES shop_products(id),
                PRIMARY KEY (post_id, product_id)
            );
            CREATE TABLE shop_follows (
                user_id TEXT NOT NULL,
                target_kind TEXT NOT NULL,           -- creator, community or brand
                target_id TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (user_id, target_kind, target_id)
            );
            CREATE TABLE shop_interactions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                product_id TEXT NOT NULL REFERENCES shop_products(id),
                kind TEXT NOT NULL,                  -- view, like, save, cart, purchase, dismiss
                post_id TEXT,                        -- the post it was seen in, when any
                created_ms BIGINT NOT NULL
            );
            CREATE INDEX shop_interactions_by_user ON shop_interactions (user_id, created_ms);
            CREATE TABLE shop_preferences (
                user_id TEXT PRIMARY KEY,
                sizes TEXT NOT NULL,                 -- comma-separated
                budget_cents BIGINT,
                region TEXT
            );
            CREATE TABLE shop_product_embeddings (
                product_id TEXT NOT NULL REFERENCES shop_products(id),
                model TEXT NOT NULL,                 -- which embedder made it
                vector TEXT NOT NULL,                -- base64 of little-endian Float32s
                PRIMARY KEY (product_id, model)
            );
            CREATE TABLE user_settings (
                user_id TEXT PRIMARY KEY,
                personalisation BIGINT NOT NULL DEFAULT 0,  -- consent to use the user's history; off until given
                updated_ms BIGINT NOT NULL
            );
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
            """),
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
        Migration(version: 5, name: "accounts: users, identities, local passwords, sessions, conversations, memory, consent", sql: """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                display_name TEXT NOT NULL,
                created_ms BIGINT NOT NULL
            );
            CREATE TABLE user_identities (
                issuer TEXT NOT NULL,                -- an OpenID provider's issuer URL
                subject TEXT NOT NULL,               -- its `sub`: the stable key (never the e-mail)
                user_id TEXT NOT NULL REFERENCES users(id),
                email TEXT,                          -- shown only; never used to match accounts
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (issuer, subject)
            );
            CREATE INDEX user_identities_by_user ON user_identities (user_id);
            CREATE TABLE local_credentials (
                username TEXT PRIMARY KEY,           -- lower-cased
                user_id TEXT NOT NULL UNIQUE REFERENCES users(id),
                password_hash TEXT NOT NULL,         -- scrypt$N$r$p$salt$key (base64)
                created_ms BIGINT NOT NULL
            );
            CREATE TABLE web_sessions (
                token_sha256 TEXT PRIMARY KEY,       -- the cookie's token itself is never stored
                user_id TEXT NOT NULL REFERENCES users(id),
                csrf_token TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                expires_ms BIGINT NOT NULL
            );
            CREATE INDEX web_sessions_by_user ON web_sessions (user_id);
            CREATE TABLE conversations (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),  -- private to this user; no sharing
                title TEXT NOT NULL,
                mode TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL
            );
            CREATE INDEX conversations_by_user ON conversations (user_id, updated_ms);
            CREATE TABLE conversation_messages (
                id TEXT PRIMARY KEY,
                conversation_id TEXT NOT NULL REFERENCES conversations(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                position BIGINT NOT NULL,
                role TEXT NOT NULL,                  -- user or assistant
                content TEXT NOT NULL,
                reasoning TEXT,                      -- Thinking/Contemplating: reasoning_content
                mode TEXT,
                created_ms BIGINT NOT NULL
            );
            CREATE INDEX conversation_messages_by_conversation ON conversation_messages (conversation_id, position);
            CREATE TABLE memory_facts (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                text TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                updated_ms BIGINT NOT NULL
            );
            CREATE INDEX memory_facts_by_user ON memory_facts (user_id, created_ms);
            CREATE TABLE personalisation_uses (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                conversation_id TEXT NOT NULL,
                facts TEXT NOT NULL,                 -- the fact texts put in the prompt, one per line
                created_ms BIGINT NOT NULL
            );
            ALTER TABLE user_settings ADD COLUMN health_consent BIGINT NOT NULL DEFAULT 0;
            """),
        Migration(version: 6, name: "accounts: a picture attached to a message", sql: """
            ALTER TABLE conversation_messages ADD COLUMN image TEXT;  -- a data: URL; NULL: none
            """),
        Migration(version: 8, name: "product catalogue: where each product came from", sql: """
            ALTER TABLE catalog_products ADD COLUMN source TEXT NOT NULL DEFAULT 'partner';  -- partner, usda-sr24
            CREATE INDEX catalog_products_source ON catalog_products (source);
            """),
        Migration(version: 9, name: "messaging: leases, so replicas sharing the store never answer or send a row twice", sql: """
            -- No new index: a claim filters on state = 'pending' first, which messaging_inbound_by_state and
            -- messaging_outbox_by_state already serve; the lease test then runs on the few pending rows.
            ALTER TABLE messaging_inbound ADD COLUMN lease_owner TEXT;      -- the replica answering it; NULL: nobody
            ALTER TABLE messaging_inbound ADD COLUMN lease_until_ms BIGINT; -- after this, another replica may take it over
            ALTER TABLE messaging_outbox ADD COLUMN lease_owner TEXT;       -- the replica sending it; NULL: nobody
            ALTER TABLE messaging_outbox ADD COLUMN lease_until_ms BIGINT;
            """),
        Migration(version: 10, name: "messaging: one-time codes linking a chat identity to a web account", sql: """
            ALTER TABLE messaging_conversations ADD COLUMN linked_ms BIGINT;  -- when user_id was last set (NULL: never linked)
            CREATE INDEX messaging_conversations_by_user ON messaging_conversations (user_id);
            CREATE TABLE messaging_link_codes (
                code_sha256 TEXT PRIMARY KEY,        -- hex SHA-256 of the code; the code itself is never stored
                user_id TEXT NOT NULL REFERENCES users(id),
                account_name TEXT NOT NULL,          -- named in the chat reply that confirms the link
                created_ms BIGINT NOT NULL,
                expires_ms BIGINT NOT NULL,
                used_ms BIGINT,                      -- NULL until redeemed: a code links once
                used_by TEXT                         -- the messaging conversation that redeemed it
            );
            CREATE INDEX messaging_link_codes_by_user ON messaging_link_codes (user_id);
            """),
        Migration(version: 11, name: "accounts: the product cards a Shopping answer showed", sql: """
            ALTER TABLE conversation_messages ADD COLUMN products TEXT;  -- JSON array of ProductCard; NULL: none
            """),
    ]
}
