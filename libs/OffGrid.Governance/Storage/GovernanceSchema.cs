namespace OffGrid.Governance.Storage;

/// <summary>The tables of <c>governance.db</c>: users, API keys, quotas and daily usage.</summary>
internal static class GovernanceSchema
{
    private const string Sql = """
        CREATE TABLE IF NOT EXISTS users(
            name TEXT PRIMARY KEY COLLATE NOCASE,
            role TEXT NOT NULL,
            source TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            password_hash TEXT,
            display_name TEXT,
            email TEXT,
            allowed_models TEXT NOT NULL DEFAULT '[]',
            allowed_collections TEXT NOT NULL DEFAULT '[]',
            created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys(
            id TEXT PRIMARY KEY,
            user_name TEXT NOT NULL COLLATE NOCASE REFERENCES users(name) ON DELETE CASCADE ON UPDATE CASCADE,
            name TEXT NOT NULL,
            hash BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            revoked_at INTEGER,
            last_used_at INTEGER);
        CREATE INDEX IF NOT EXISTS api_keys_by_user ON api_keys(user_name);
        CREATE TABLE IF NOT EXISTS quotas(
            subject_kind TEXT NOT NULL,
            subject TEXT NOT NULL COLLATE NOCASE,
            tokens_per_day INTEGER,
            requests_per_minute INTEGER,
            concurrent_requests INTEGER,
            PRIMARY KEY(subject_kind, subject));
        CREATE TABLE IF NOT EXISTS usage(
            user_name TEXT NOT NULL COLLATE NOCASE,
            day TEXT NOT NULL,
            requests INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY(user_name, day));
        """;

    /// <summary>Opens the governance database of <paramref name="options"/>, creating its tables when needed.</summary>
    public static GovernanceDatabase Open(GovernanceOptions options) => new(options.GovernanceDatabasePath, Sql, durable: false);
}
