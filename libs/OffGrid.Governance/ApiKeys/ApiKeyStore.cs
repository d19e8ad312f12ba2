using Microsoft.Data.Sqlite;
using OffGrid.Governance.Storage;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.ApiKeys;

/// <summary>
/// API keys for OffGrid users, stored hashed in <c>governance.db</c>: create (the secret is returned once), list, revoke,
/// regenerate, and validate a presented key.
/// </summary>
/// <remarks>
/// Thread-safe and safe across processes; a key revoked from the CLI is refused by a running server at its next request.
/// Validation looks the key up by its visible id and compares SHA-256 digests with
/// <see cref="System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.
/// </remarks>
public sealed class ApiKeyStore
{
    private const string Columns = "id, user_name, name, created_at, expires_at, revoked_at, last_used_at";
    private static readonly TimeSpan s_lastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly GovernanceDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Opens the key store of <paramref name="options"/>, creating the database when needed.</summary>
    /// <param name="options">Where the governance database lives.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ApiKeyStore(GovernanceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _database = GovernanceSchema.Open(options);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a key for <paramref name="userName"/>.</summary>
    /// <param name="userName">The owner.</param>
    /// <param name="name">A label (for example the application that will use the key); defaults to <c>default</c>.</param>
    /// <param name="expiresAt">When the key stops working; <see langword="null"/> for never.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key's description and its secret, which cannot be retrieved later.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    /// <exception cref="GovernanceArgumentException">The expiry is not in the future, or the label is too long.</exception>
    public async Task<CreatedApiKey> CreateAsync(string userName, string? name = null, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        DateTimeOffset now = _time.GetUtcNow();
        if (expiresAt <= now)
        {
            throw new GovernanceArgumentException("expires", "The expiry time of a new key must be in the future.");
        }

        name = string.IsNullOrWhiteSpace(name) ? "default" : name.Trim();
        if (name.Length > 100)
        {
            throw new GovernanceArgumentException("name", "A key name has at most 100 characters.");
        }

        using SqliteConnection connection = _database.Open();
        using SqliteCommand owner = GovernanceDatabase.Command(connection, "SELECT name FROM users WHERE name = $user", ("$user", userName));
        if (await owner.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string canonicalUser)
        {
            throw new UnknownUserException(userName);
        }

        string id = ApiKeyFormat.NewId();
        string secret = ApiKeyFormat.NewKey(id);
        using SqliteCommand insert = GovernanceDatabase.Command(
            connection,
            "INSERT INTO api_keys(id, user_name, name, hash, created_at, expires_at) VALUES ($id, $user, $name, $hash, $now, $expires)",
            ("$id", id), ("$user", canonicalUser), ("$name", name), ("$hash", ApiKeyFormat.Hash(secret)), ("$now", UnixTime.ToMilliseconds(now)),
            ("$expires", expiresAt is { } e ? UnixTime.ToMilliseconds(e) : null));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(await GetAsync(id, cancellationToken).ConfigureAwait(false), secret);
    }

    /// <summary>Lists keys, newest first.</summary>
    /// <param name="userName">Only this user's keys; every key when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The keys, without secrets.</returns>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string? userName = null, CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection, $"SELECT {Columns} FROM api_keys WHERE $user IS NULL OR user_name = $user ORDER BY created_at DESC, id", ("$user", userName));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(ReadKey(reader));
        }

        return keys;
    }

    /// <summary>Gets a key by its visible id.</summary>
    /// <param name="keyId">The id (<c>og_…</c>, the first 15 characters of the key).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key.</returns>
    /// <exception cref="UnknownApiKeyException">There is no such key.</exception>
    public async Task<ApiKeyInfo> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(connection, $"SELECT {Columns} FROM api_keys WHERE id = $id", ("$id", keyId));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadKey(reader) : throw new UnknownApiKeyException(keyId);
    }

    /// <summary>Revokes a key: it is refused from now on. Revoking a revoked key changes nothing.</summary>
    /// <param name="keyId">The key's visible id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The revoked key.</returns>
    /// <exception cref="UnknownApiKeyException">There is no such key.</exception>
    public async Task<ApiKeyInfo> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        using (SqliteConnection connection = _database.Open())
        using (SqliteCommand command = GovernanceDatabase.Command(
            connection, "UPDATE api_keys SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL", ("$id", keyId), ("$now", UnixTime.ToMilliseconds(_time.GetUtcNow()))))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await GetAsync(keyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces the secret of a key, keeping its id, owner, label and expiry: the old secret is refused from now on. Use it
    /// when a key may have leaked, so that audit entries stay attached to the same key id.
    /// </summary>
    /// <param name="keyId">The key's visible id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key and its new secret, which cannot be retrieved later.</returns>
    /// <exception cref="UnknownApiKeyException">There is no such key.</exception>
    /// <exception cref="GovernanceArgumentException">The key is revoked or expired; create a new one instead.</exception>
    public async Task<CreatedApiKey> RegenerateAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ApiKeyInfo key = await GetAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (key.Status != ApiKeyStatus.Active)
        {
            throw new GovernanceArgumentException("key", $"The key {key.Id} is {key.Status.ToString().ToLowerInvariant()}; create a new key instead.");
        }

        string secret = ApiKeyFormat.NewKey(key.Id);
        using (SqliteConnection connection = _database.Open())
        using (SqliteCommand command = GovernanceDatabase.Command(
            connection, "UPDATE api_keys SET hash = $hash, created_at = $now, last_used_at = NULL WHERE id = $id AND revoked_at IS NULL",
            ("$id", key.Id), ("$hash", ApiKeyFormat.Hash(secret)), ("$now", UnixTime.ToMilliseconds(_time.GetUtcNow()))))
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new GovernanceArgumentException("key", $"The key {key.Id} was revoked meanwhile; create a new key instead.");
            }
        }

        return new CreatedApiKey(await GetAsync(key.Id, cancellationToken).ConfigureAwait(false), secret);
    }

    /// <summary>Checks a key presented by a client (from <c>Authorization: Bearer</c> or <c>x-api-key</c>).</summary>
    /// <param name="presented">The key as sent.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The owner and key when accepted, else the reason it was refused.</returns>
    public async Task<ApiKeyValidation> ValidateAsync(string presented, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (ApiKeyFormat.TryGetId(presented) is not { } id)
        {
            return new ApiKeyValidation { Failure = ApiKeyFailure.Invalid };
        }

        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            $"""
            SELECT k.id, k.user_name, k.name, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.hash, u.{UserDirectory.Columns.Replace(", ", ", u.", StringComparison.Ordinal)}
            FROM api_keys k JOIN users u ON u.name = k.user_name WHERE k.id = $id
            """,
            ("$id", id));
        ApiKeyInfo key;
        OffGridUser user;
        using (SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || !ApiKeyFormat.Matches(presented, (byte[])reader.GetValue(7)))
            {
                return new ApiKeyValidation { Failure = ApiKeyFailure.Invalid };
            }

            key = ReadKey(reader);
            user = UserDirectory.ReadUser(reader, first: 8);
        }

        ApiKeyFailure? failure = key.Status switch
        {
            ApiKeyStatus.Revoked => ApiKeyFailure.Revoked,
            ApiKeyStatus.Expired => ApiKeyFailure.Expired,
            _ => user.IsDisabled ? ApiKeyFailure.AccountDisabled : null,
        };
        if (failure is null)
        {
            await TouchAsync(connection, key, cancellationToken).ConfigureAwait(false);
        }

        return new ApiKeyValidation { Failure = failure, Key = key, User = failure is null ? user : null };
    }

    // A write per request would serialize concurrent requests on the database; minute resolution is what an administrator needs.
    private async Task TouchAsync(SqliteConnection connection, ApiKeyInfo key, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (key.LastUsedAt is { } last && now - last < s_lastUsedResolution)
        {
            return;
        }

        using SqliteCommand command = GovernanceDatabase.Command(
            connection, "UPDATE api_keys SET last_used_at = $now WHERE id = $id", ("$id", key.Id), ("$now", UnixTime.ToMilliseconds(now)));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private ApiKeyInfo ReadKey(SqliteDataReader reader)
    {
        DateTimeOffset? expires = reader.IsDBNull(4) ? null : UnixTime.FromMilliseconds(reader.GetInt64(4));
        DateTimeOffset? revoked = reader.IsDBNull(5) ? null : UnixTime.FromMilliseconds(reader.GetInt64(5));
        return new ApiKeyInfo
        {
            Id = reader.GetString(0),
            UserName = reader.GetString(1),
            Name = reader.GetString(2),
            CreatedAt = UnixTime.FromMilliseconds(reader.GetInt64(3)),
            ExpiresAt = expires,
            RevokedAt = revoked,
            LastUsedAt = reader.IsDBNull(6) ? null : UnixTime.FromMilliseconds(reader.GetInt64(6)),
            Status = revoked is not null ? ApiKeyStatus.Revoked : expires <= _time.GetUtcNow() ? ApiKeyStatus.Expired : ApiKeyStatus.Active,
        };
    }
}
