using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.ApiKeys;

public sealed class ApiKeyStoreTests : IDisposable
{
    private readonly GovernanceHome _home = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task CreatedKeyIsShownOnceStoredHashedAndAccepted()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await new UserDirectory(_home.Options).AddAsync("ada", UserRole.Admin, cancellationToken: ct);
        var keys = new ApiKeyStore(_home.Options, _time);

        CreatedApiKey created = await keys.CreateAsync("ADA", "notebook", cancellationToken: ct);

        Assert.Matches("^og_[0-9A-Za-z]{12}_[0-9A-Za-z]{40}$", created.Secret);
        Assert.StartsWith(created.Info.Id + "_", created.Secret, StringComparison.Ordinal);
        Assert.Equal("ada", created.Info.UserName);
        Assert.Equal("notebook", created.Info.Name);
        Assert.Equal(ApiKeyStatus.Active, created.Info.Status);

        // Only a digest is stored: the secret part appears nowhere in the database.
        string secretPart = created.Secret[(created.Info.Id.Length + 1)..];
        Assert.DoesNotContain(secretPart, await DumpAsync(ct), StringComparison.Ordinal);

        ApiKeyValidation accepted = await keys.ValidateAsync(created.Secret, ct);
        Assert.True(accepted.IsValid);
        Assert.Equal("ada", accepted.User!.Name);
        Assert.Equal(_time.GetUtcNow(), (await keys.GetAsync(created.Info.Id, ct)).LastUsedAt);

        // One changed character of the secret, a truncated key, and garbage are all refused.
        string tampered = created.Secret[..^1] + (created.Secret[^1] == 'a' ? 'b' : 'a');
        Assert.Equal(ApiKeyFailure.Invalid, (await keys.ValidateAsync(tampered, ct)).Failure);
        Assert.Equal(ApiKeyFailure.Invalid, (await keys.ValidateAsync(created.Secret[..^1], ct)).Failure);
        Assert.Equal(ApiKeyFailure.Invalid, (await keys.ValidateAsync("sk-not-an-offgrid-key", ct)).Failure);
        Assert.Null((await keys.ValidateAsync(tampered, ct)).User);
    }

    [Fact]
    public async Task KeysExpireRevokeAndRegenerate()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var users = new UserDirectory(_home.Options);
        await users.AddAsync("ada", UserRole.User, cancellationToken: ct);
        var keys = new ApiKeyStore(_home.Options, _time);

        CreatedApiKey shortLived = await keys.CreateAsync("ada", "ci", _time.GetUtcNow().AddHours(1), ct);
        CreatedApiKey revoked = await keys.CreateAsync("ada", "old laptop", cancellationToken: ct);
        CreatedApiKey rotated = await keys.CreateAsync("ada", "app", cancellationToken: ct);

        _time.Advance(TimeSpan.FromHours(2));
        ApiKeyValidation expired = await keys.ValidateAsync(shortLived.Secret, ct);
        Assert.Equal(ApiKeyFailure.Expired, expired.Failure);
        Assert.Equal(shortLived.Info.Id, expired.Key!.Id);

        ApiKeyInfo revokedInfo = await keys.RevokeAsync(revoked.Info.Id, ct);
        Assert.Equal(ApiKeyStatus.Revoked, revokedInfo.Status);
        Assert.Equal(ApiKeyFailure.Revoked, (await keys.ValidateAsync(revoked.Secret, ct)).Failure);
        await Assert.ThrowsAsync<GovernanceArgumentException>(() => keys.RegenerateAsync(revoked.Info.Id, ct));

        CreatedApiKey regenerated = await keys.RegenerateAsync(rotated.Info.Id, ct);
        Assert.Equal(rotated.Info.Id, regenerated.Info.Id);
        Assert.NotEqual(rotated.Secret, regenerated.Secret);
        Assert.Equal(ApiKeyFailure.Invalid, (await keys.ValidateAsync(rotated.Secret, ct)).Failure);
        Assert.True((await keys.ValidateAsync(regenerated.Secret, ct)).IsValid);

        await users.SetDisabledAsync("ada", true, ct);
        Assert.Equal(ApiKeyFailure.AccountDisabled, (await keys.ValidateAsync(regenerated.Secret, ct)).Failure);

        IReadOnlyList<ApiKeyInfo> listed = await keys.ListAsync("ada", ct);
        Assert.Equal(3, listed.Count);
        Assert.Equal(
            [ApiKeyStatus.Active, ApiKeyStatus.Expired, ApiKeyStatus.Revoked],
            listed.Select(k => k.Status).Order());

        await users.RemoveAsync("ada", ct);
        Assert.Empty(await keys.ListAsync(cancellationToken: ct));
        await Assert.ThrowsAsync<UnknownApiKeyException>(() => keys.RevokeAsync(rotated.Info.Id, ct));
    }

    [Fact]
    public async Task RefusesKeysForUnknownUsersAndPastExpiry()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await new UserDirectory(_home.Options).AddAsync("ada", UserRole.User, cancellationToken: ct);
        var keys = new ApiKeyStore(_home.Options, _time);

        await Assert.ThrowsAsync<UnknownUserException>(() => keys.CreateAsync("nobody", cancellationToken: ct));
        GovernanceArgumentException past = await Assert.ThrowsAsync<GovernanceArgumentException>(() => keys.CreateAsync("ada", "x", _time.GetUtcNow().AddSeconds(-1), ct));
        Assert.Equal("expires", past.Parameter);
    }

    private async Task<string> DumpAsync(CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={_home.Options.GovernanceDatabasePath};Mode=ReadOnly");
        await connection.OpenAsync(ct);
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT id || ' ' || user_name || ' ' || name || ' ' || hex(hash) FROM api_keys";
        var rows = new List<string>();
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetString(0));
        }

        // The WAL file may hold pages not yet checkpointed into the main file; check both as raw bytes too.
        foreach (string file in Directory.GetFiles(_home.Directory, "governance.db*"))
        {
            rows.Add(System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, ct)));
        }

        return string.Join('\n', rows);
    }
}
