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
            """),
    ]
}
