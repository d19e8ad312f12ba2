using OffGrid.AspNetCore.Http;
using OffGrid.Hub.References;
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
        Assert.Equal((400, "messages"), Status(new ContextWindowExceededException(5000, 4096)));
        Assert.Equal(429, ApiError.From(new EngineOverloadedException("Busy.", TimeSpan.FromSeconds(2))).StatusCode);
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
