using OffGrid.AspNetCore.Http;
using OffGrid.Governance;
using OffGrid.Governance.ApiKeys;
using OffGrid.Governance.Identity;
using OffGrid.Governance.Quotas;
using OffGrid.Governance.Users;
using OffGrid.Hub.References;
using OffGrid.Hub.Store;
using OffGrid.Inference;
using OffGrid.Inference.Engine;

namespace OffGrid.AspNetCore.Tests.Http;

/// <summary>Only OffGrid's own exception types are the client's fault; a general .NET exception is a bug and a 500.</summary>
public sealed class ApiErrorTests
{
    [Fact]
    public void OffGridsOwnTypesBecomeClientErrors()
    {
        Assert.Equal((400, "temperature"), Status(new InvalidRequestException("Too hot.", "temperature")));
        Assert.Equal((404, "model"), Status(new ModelNotFoundException("x", "No x.", canPull: false)));
        Assert.Equal((400, "model"), Status(new InvalidModelReferenceException("Bad name.")));
        Assert.Equal((422, "model"), Status(new InvalidModelNameException("A listed name the store does not take.")));
        Assert.Equal((400, "messages"), Status(new ContextWindowExceededException(5000, 4096)));
        Assert.Equal(429, ApiError.From(new EngineOverloadedException("Busy.", TimeSpan.FromSeconds(2))).StatusCode);
    }

    [Fact]
    public void GovernanceRefusalsKeepTheirStatusCodeAndRetryTime()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        ApiError requests = ApiError.From(new QuotaExceededException("bob", QuotaKind.RequestsPerMinute, 5, now.AddSeconds(30), now));
        ApiError tokens = ApiError.From(new QuotaExceededException("bob", QuotaKind.TokensPerDay, 1000, now.AddHours(3), now));
        ApiError locked = ApiError.From(new SignInException(SignInFailure.LockedOut, "Locked.", TimeSpan.FromMinutes(15)));

        Assert.Equal((429, "rate_limit_exceeded", "rate_limit_error", TimeSpan.FromSeconds(30)), (requests.StatusCode, requests.Code, requests.Type, requests.RetryAfter));
        Assert.Equal((429, "insufficient_quota", TimeSpan.FromHours(3)), (tokens.StatusCode, tokens.Code, tokens.RetryAfter));
        Assert.Equal((429, "locked_out", TimeSpan.FromMinutes(15)), (locked.StatusCode, locked.Code, locked.RetryAfter));
        Assert.Equal((403, "model"), Status(new AccessDeniedException(AccessDeniedReason.ModelNotAllowed, "Not that model.")));
        Assert.Equal("permission_error", ApiError.From(new AccessDeniedException(AccessDeniedReason.RoleRequired, "Admins only.")).Type);
        Assert.Equal(401, ApiError.From(new AccessDeniedException(AccessDeniedReason.NoCaller, "Who?")).StatusCode);
        Assert.Equal(503, ApiError.From(new SignInException(SignInFailure.DirectoryUnavailable, "LDAP is down.")).StatusCode);
        Assert.Equal((401, "invalid_credentials"), (ApiError.From(new SignInException(SignInFailure.UnknownUser, "No.")).StatusCode, ApiError.From(new SignInException(SignInFailure.UnknownUser, "No.")).Code));
        Assert.Equal((404, "user"), Status(new UnknownUserException("zed")));
        Assert.Equal((404, "id"), Status(new UnknownApiKeyException("og_000000000000")));
        Assert.Equal((409, "name"), Status(new UserExistsException("ada")));
        Assert.Equal((400, "expires"), Status(new GovernanceArgumentException("expires", "In the past.")));
    }

    [Theory]
    [InlineData(typeof(ArgumentException))]
    [InlineData(typeof(ArgumentOutOfRangeException))]
    [InlineData(typeof(KeyNotFoundException))]
    [InlineData(typeof(FormatException))]
    [InlineData(typeof(InvalidOperationException))]
    public void GeneralExceptionsAreServerErrorsWithoutInternals(Type type)
    {
        ApiError error = ApiError.From((Exception)Activator.CreateInstance(type, "secret internals")!);

        Assert.Equal(500, error.StatusCode);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    private static (int, string?) Status(Exception exception)
    {
        ApiError error = ApiError.From(exception);
        return (error.StatusCode, error.Param);
    }
}
