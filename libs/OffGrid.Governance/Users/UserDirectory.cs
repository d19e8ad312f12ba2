using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Ldap;
using OffGrid.Governance.Storage;

namespace OffGrid.Governance.Users;

/// <summary>
/// The user accounts of an OffGrid installation, stored in <c>governance.db</c>: local accounts (with an optional password,
/// hashed with ASP.NET Core Identity's PBKDF2 hasher) and accounts created from LDAP on first sign-in.
/// </summary>
/// <remarks>Thread-safe, and safe to use from several processes at once (the server and the CLI share the file).</remarks>
public sealed class UserDirectory
{
    /// <summary>The shortest local password accepted.</summary>
    public const int MinPasswordLength = 8;

    internal const string Columns = "name, role, source, disabled, password_hash IS NOT NULL, display_name, email, allowed_models, allowed_collections, created_at";

    private static readonly PasswordHasher<OffGridUser> s_hasher = new();
    private readonly GovernanceDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Opens the user directory of <paramref name="options"/>, creating the database when needed.</summary>
    /// <param name="options">Where the governance database lives.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public UserDirectory(GovernanceOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _database = GovernanceSchema.Open(options);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Creates a local account.</summary>
    /// <param name="name">The user name (see <see cref="OffGridUser.Name"/>).</param>
    /// <param name="role">The role.</param>
    /// <param name="password">A password for interactive sign-in, at least <see cref="MinPasswordLength"/> characters; <see langword="null"/> for key-only accounts.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new account.</returns>
    /// <exception cref="GovernanceArgumentException">The name or password is not acceptable.</exception>
    /// <exception cref="UserExistsException">The name is taken.</exception>
    public async Task<OffGridUser> AddAsync(string name, UserRole role, string? password = null, CancellationToken cancellationToken = default)
    {
        UserNames.Validate(name);
        string? hash = password is null ? null : HashPassword(password);
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            "INSERT INTO users(name, role, source, password_hash, created_at) VALUES ($name, $role, 'local', $hash, $now) ON CONFLICT(name) DO NOTHING",
            ("$name", name), ("$role", role.ToName()), ("$hash", hash), ("$now", UnixTime.ToMilliseconds(_time.GetUtcNow())));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new UserExistsException(name);
        }

        return await GetAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds an account by name (case-insensitive).</summary>
    /// <param name="name">The user name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The account, or <see langword="null"/> when there is none.</returns>
    public async Task<OffGridUser?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(connection, $"SELECT {Columns} FROM users WHERE name = $name", ("$name", name));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadUser(reader) : null;
    }

    /// <summary>Gets an account by name (case-insensitive).</summary>
    /// <param name="name">The user name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The account.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    public async Task<OffGridUser> GetAsync(string name, CancellationToken cancellationToken = default) =>
        await FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new UnknownUserException(name);

    /// <summary>Gets the account of a caller of a governed call: it must exist and be enabled.</summary>
    /// <exception cref="AccessDeniedException">The user is unknown or disabled.</exception>
    internal async Task<OffGridUser> GetCallerAsync(Caller caller, CancellationToken cancellationToken)
    {
        OffGridUser user = await FindAsync(caller.UserName, cancellationToken).ConfigureAwait(false)
            ?? throw new AccessDeniedException(AccessDeniedReason.UnknownUser, $"There is no user '{caller.UserName}'.");
        return user.IsDisabled
            ? throw new AccessDeniedException(AccessDeniedReason.AccountDisabled, $"The account '{user.Name}' is disabled.")
            : user;
    }

    /// <summary>Lists every account, ordered by name.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The accounts.</returns>
    public async Task<IReadOnlyList<OffGridUser>> ListAsync(CancellationToken cancellationToken = default)
    {
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(connection, $"SELECT {Columns} FROM users ORDER BY name");
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<OffGridUser>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            users.Add(ReadUser(reader));
        }

        return users;
    }

    /// <summary>Deletes an account together with its API keys and quota; its usage history and audit entries stay.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the account is gone.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    public async Task RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        using SqliteConnection connection = _database.Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        using SqliteCommand delete = GovernanceDatabase.Command(connection, "DELETE FROM users WHERE name = $name", ("$name", name));
        using SqliteCommand quota = GovernanceDatabase.Command(connection, "DELETE FROM quotas WHERE subject_kind = 'user' AND subject = $name", ("$name", name));
        delete.Transaction = quota.Transaction = transaction;
        if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new UnknownUserException(name);
        }

        await quota.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        transaction.Commit();
    }

    /// <summary>Changes the role of an account. For an LDAP account the next sign-in sets the role from its groups again.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="role">The new role.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated account.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    public Task<OffGridUser> SetRoleAsync(string name, UserRole role, CancellationToken cancellationToken = default) =>
        UpdateAsync(name, "role = $value", role.ToName(), cancellationToken);

    /// <summary>Disables or enables an account. A disabled account's keys and sign-ins are refused.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="disabled">Whether the account is disabled.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated account.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    public Task<OffGridUser> SetDisabledAsync(string name, bool disabled, CancellationToken cancellationToken = default) =>
        UpdateAsync(name, "disabled = $value", disabled ? 1 : 0, cancellationToken);

    /// <summary>Sets or clears the local password of an account.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="password">The new password (at least <see cref="MinPasswordLength"/> characters), or <see langword="null"/> to allow API keys only.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated account.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    /// <exception cref="GovernanceArgumentException">The password is too short, or the account comes from LDAP.</exception>
    public async Task<OffGridUser> SetPasswordAsync(string name, string? password, CancellationToken cancellationToken = default)
    {
        OffGridUser user = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (user.Source == UserSource.Ldap)
        {
            throw new GovernanceArgumentException("password", $"'{user.Name}' signs in with the directory password; change it in LDAP.");
        }

        return await UpdateAsync(name, "password_hash = $value", password is null ? null : HashPassword(password), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Restricts the models and knowledge collections an account may use (see <see cref="AccessPolicy"/>).</summary>
    /// <param name="name">The user name.</param>
    /// <param name="models">Model names or prefixes ending in <c>*</c>; empty allows every model; <see langword="null"/> leaves them unchanged.</param>
    /// <param name="collections">Collection names or prefixes; empty allows every collection; <see langword="null"/> leaves them unchanged.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated account.</returns>
    /// <exception cref="UnknownUserException">There is no such user.</exception>
    public async Task<OffGridUser> SetPermissionsAsync(string name, IEnumerable<string>? models, IEnumerable<string>? collections, CancellationToken cancellationToken = default)
    {
        OffGridUser user = await GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (models is not null)
        {
            user = await UpdateAsync(user.Name, "allowed_models = $value", Serialize(models), cancellationToken).ConfigureAwait(false);
        }

        if (collections is not null)
        {
            user = await UpdateAsync(user.Name, "allowed_collections = $value", Serialize(collections), cancellationToken).ConfigureAwait(false);
        }

        return user;
    }

    /// <summary>Checks a local password; the account, or <see langword="null"/> when the password is wrong or the account has none.</summary>
    internal async Task<OffGridUser?> VerifyPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(connection, $"SELECT {Columns}, password_hash FROM users WHERE name = $name", ("$name", name));
        using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(10))
        {
            return null;
        }

        OffGridUser user = ReadUser(reader);
        return s_hasher.VerifyHashedPassword(user, reader.GetString(10), password) == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>Creates or refreshes the account of a directory user after a successful LDAP sign-in; local flags (disabled, permissions) are kept.</summary>
    internal async Task<OffGridUser> SaveDirectoryAccountAsync(LdapAccount account, CancellationToken cancellationToken)
    {
        UserNames.Validate(account.UserName);
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(
            connection,
            """
            INSERT INTO users(name, role, source, display_name, email, created_at) VALUES ($name, $role, 'ldap', $display, $email, $now)
            ON CONFLICT(name) DO UPDATE SET role = excluded.role, display_name = excluded.display_name, email = excluded.email WHERE source = 'ldap'
            """,
            ("$name", account.UserName), ("$role", account.Role.ToName()), ("$display", account.DisplayName), ("$email", account.Email),
            ("$now", UnixTime.ToMilliseconds(_time.GetUtcNow())));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(account.UserName, cancellationToken).ConfigureAwait(false);
    }

    private static string HashPassword(string password)
    {
        if (password.Length < MinPasswordLength)
        {
            throw new GovernanceArgumentException("password", $"A password needs at least {MinPasswordLength} characters.");
        }

        // The hasher ignores the user instance (it exists for custom hashers); the format embeds algorithm, iterations and salt.
        return s_hasher.HashPassword(null!, password);
    }

    private static string Serialize(IEnumerable<string> names)
    {
        string[] list = names.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return JsonSerializer.Serialize(list);
    }

    private async Task<OffGridUser> UpdateAsync(string name, string assignment, object? value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        using SqliteConnection connection = _database.Open();
        using SqliteCommand command = GovernanceDatabase.Command(connection, $"UPDATE users SET {assignment} WHERE name = $name", ("$name", name), ("$value", value));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            throw new UnknownUserException(name);
        }

        return await GetAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a user from the columns <see cref="Columns"/>, starting at column <paramref name="first"/>.</summary>
    internal static OffGridUser ReadUser(SqliteDataReader reader, int first = 0) => new()
    {
        Name = reader.GetString(first),
        Role = UserRoles.Parse(reader.GetString(first + 1)),
        Source = reader.GetString(first + 2) == "ldap" ? UserSource.Ldap : UserSource.Local,
        IsDisabled = reader.GetInt64(first + 3) != 0,
        HasPassword = reader.GetInt64(first + 4) != 0,
        DisplayName = reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        Email = reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
        AllowedModels = JsonSerializer.Deserialize<string[]>(reader.GetString(first + 7)) ?? [],
        AllowedCollections = JsonSerializer.Deserialize<string[]>(reader.GetString(first + 8)) ?? [],
        CreatedAt = UnixTime.FromMilliseconds(reader.GetInt64(first + 9)),
    };
}
