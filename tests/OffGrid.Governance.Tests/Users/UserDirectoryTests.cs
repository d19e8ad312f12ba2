using OffGrid.Governance.Tests.TestSupport;
using OffGrid.Governance.Users;

namespace OffGrid.Governance.Tests.Users;

public sealed class UserDirectoryTests : IDisposable
{
    private readonly GovernanceHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task AddsListsChangesAndRemovesUsers()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var users = new UserDirectory(_home.Options);

        OffGridUser admin = await users.AddAsync("Ada", UserRole.Admin, "correct horse", ct);
        await users.AddAsync("bob", UserRole.User, cancellationToken: ct);

        Assert.True(admin.HasPassword);
        Assert.Equal(UserSource.Local, admin.Source);
        Assert.Equal(["Ada", "bob"], (await users.ListAsync(ct)).Select(u => u.Name));
        Assert.Equal("Ada", (await users.GetAsync("ADA", ct)).Name);

        OffGridUser promoted = await users.SetRoleAsync("bob", UserRole.Admin, ct);
        Assert.Equal(UserRole.Admin, promoted.Role);
        Assert.True((await users.SetDisabledAsync("bob", true, ct)).IsDisabled);

        // A second process sees the same accounts.
        Assert.True((await new UserDirectory(_home.Options).GetAsync("bob", ct)).IsDisabled);

        await users.RemoveAsync("bob", ct);
        Assert.Null(await users.FindAsync("bob", ct));
        await Assert.ThrowsAsync<UnknownUserException>(() => users.RemoveAsync("bob", ct));
    }

    [Fact]
    public async Task RefusesBadNamesDuplicatesAndShortPasswords()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var users = new UserDirectory(_home.Options);
        await users.AddAsync("ada", UserRole.User, cancellationToken: ct);

        await Assert.ThrowsAsync<UserExistsException>(() => users.AddAsync("ADA", UserRole.User, cancellationToken: ct));
        GovernanceArgumentException badName = await Assert.ThrowsAsync<GovernanceArgumentException>(() => users.AddAsync("ada lovelace", UserRole.User, cancellationToken: ct));
        Assert.Equal("name", badName.Parameter);
        await Assert.ThrowsAsync<GovernanceArgumentException>(() => users.AddAsync("x'; DROP TABLE users;--", UserRole.User, cancellationToken: ct));
        GovernanceArgumentException shortPassword = await Assert.ThrowsAsync<GovernanceArgumentException>(() => users.SetPasswordAsync("ada", "short", ct));
        Assert.Equal("password", shortPassword.Parameter);
        Assert.Equal(UserRole.Admin, UserRoles.Parse("ADMIN"));
        Assert.Equal(UserRole.Auditor, UserRoles.Parse("Auditor"));
        Assert.Equal(["user", "admin", "auditor"], Enum.GetValues<UserRole>().Select(r => r.ToName()));
        Assert.Throws<GovernanceArgumentException>(() => UserRoles.Parse("root"));
    }

    [Fact]
    public async Task PasswordsAreStoredHashedAndVerified()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var users = new UserDirectory(_home.Options);
        await users.AddAsync("ada", UserRole.User, "s3cret-passphrase", ct);

        Assert.NotNull(await users.VerifyPasswordAsync("ada", "s3cret-passphrase", ct));
        Assert.Null(await users.VerifyPasswordAsync("ada", "s3cret-passphrasE", ct));
        byte[] file = await File.ReadAllBytesAsync(_home.Options.GovernanceDatabasePath, ct);
        Assert.DoesNotContain("s3cret-passphrase", System.Text.Encoding.UTF8.GetString(file), StringComparison.Ordinal);

        await users.SetPasswordAsync("ada", null, ct);
        Assert.Null(await users.VerifyPasswordAsync("ada", "s3cret-passphrase", ct));
    }

    [Fact]
    public async Task PermissionsRestrictModelsAndCollectionsExceptForAdministrators()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var users = new UserDirectory(_home.Options);
        await users.AddAsync("ada", UserRole.User, cancellationToken: ct);

        OffGridUser unrestricted = await users.GetAsync("ada", ct);
        Assert.True(AccessPolicy.CanUseModel(unrestricted, "anything"));

        OffGridUser restricted = await users.SetPermissionsAsync("ada", ["qwen*", "stories"], ["hr"], ct);
        Assert.Equal(["qwen*", "stories"], restricted.AllowedModels);
        Assert.True(AccessPolicy.CanUseModel(restricted, "Qwen2.5-0.5B"));
        Assert.True(AccessPolicy.CanUseModel(restricted, "stories"));
        Assert.False(AccessPolicy.CanUseModel(restricted, "llama3.2"));
        Assert.False(AccessPolicy.CanUseModel(restricted, null));
        Assert.True(AccessPolicy.CanUseCollection(restricted, "HR"));
        Assert.False(AccessPolicy.CanUseCollection(restricted, "finance"));

        OffGridUser models = await users.SetPermissionsAsync("ada", models: [], collections: null, ct);
        Assert.Empty(models.AllowedModels);
        Assert.Equal(["hr"], models.AllowedCollections);

        OffGridUser admin = await users.SetRoleAsync("ada", UserRole.Admin, ct) with { AllowedModels = ["none"] };
        Assert.True(AccessPolicy.CanUseModel(admin, "llama3.2"));
    }
}
