using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OffGrid.AspNetCore.Http;
using OffGrid.Governance.AspNetCore;
using OffGrid.Testing;

namespace OffGrid.AspNetCore.Tests.Http;

/// <summary>The one rule for numbers in query strings, over the reader and on every endpoint family that reads one.</summary>
public sealed class QueryNumberTests
{
    [Theory]
    [InlineData("", 1, 100, null)]
    [InlineData("1", 1, 100, 1L)]
    [InlineData("100", 1, 100, 100L)]
    [InlineData("007", 1, 100, 7L)]
    [InlineData("0", 0, long.MaxValue, 0L)]
    [InlineData("9223372036854775807", 0, long.MaxValue, long.MaxValue)]
    [InlineData("0", 1, 100, "'n' must be a whole number from 1 to 100 (was '0').")]
    [InlineData("101", 1, 100, "'n' must be a whole number from 1 to 100 (was '101').")]
    [InlineData("+5", 1, 100, "'n' must be a whole number from 1 to 100 (was '+5').")]
    [InlineData("-1", 0, long.MaxValue, "'n' must be a whole number of at least 0 (was '-1').")]
    [InlineData("1.5", 1, 100, "'n' must be a whole number from 1 to 100 (was '1.5').")]
    [InlineData("1e3", 1, 100, "'n' must be a whole number from 1 to 100 (was '1e3').")]
    [InlineData("1,000", 0, long.MaxValue, "'n' must be a whole number of at least 0 (was '1,000').")]
    [InlineData(" 5", 1, 100, "'n' must be a whole number from 1 to 100 (was ' 5').")]
    [InlineData("٣", 1, 100, "'n' must be a whole number from 1 to 100 (was '٣').")]
    [InlineData("abc", 1, 100, "'n' must be a whole number from 1 to 100 (was 'abc').")]
    [InlineData("9223372036854775808", 0, long.MaxValue, "'n' must be a whole number of at least 0 (was '9223372036854775808').")]
    public void ReadsDigitsInRangeAndNamesTheParameterAndRangeOtherwise(string text, long min, long max, object? expected)
    {
        var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["n"] = text });

        if (expected is string message)
        {
            ApiException error = Assert.Throws<ApiException>(() => QueryNumber.Read(query, "n", min, max));
            Assert.Equal((400, "n", message), (error.StatusCode, error.Param, error.Message));
        }
        else
        {
            Assert.Equal((long?)expected, QueryNumber.Read(query, "n", min, max));
        }
    }

    [Fact]
    public void ABodyValueGetsTheSameMessage()
    {
        ApiException error = Assert.Throws<ApiException>(() => QueryNumber.Check("limit", 500, 1, 100));

        Assert.Equal("'limit' must be a whole number from 1 to 100 (was '500').", error.Message);
        Assert.Equal(7, QueryNumber.Check("limit", 7, 1, 100));
        Assert.Null(QueryNumber.Check("limit", null, 1, 100));
    }

    [Fact]
    public async Task EveryEndpointFamilyAnswersABadNumberWithTheSame400()
    {
        string governance = TestPaths.NewTempDir("offgrid-query-numbers");
        try
        {
            await using TestServer server = await TestServer.StartAsync(
                builder => builder.AddTools().WithGovernance(options => options.DirectoryPath = governance),
                app =>
                {
                    app.UseOffGridGovernance();
                    app.MapOffGrid();
                    app.MapOffGridAgents();
                    app.MapOffGridGovernance();
                });

            foreach ((string path, string name, string range) in new[]
            {
                ("/v1/search", "limit", "from 1 to 100"),
                ("/v1/search", "min_size_bytes", "of at least 0"),
                ("/v1/agents/runs", "limit", "from 1 to 1000"),
                ("/v1/agents/runs/run_nope/events", "after", "of at least 0"),
                ("/v1/audit/export", "status", "from 100 to 599"),
            })
            {
                foreach (string value in new[] { "+5", "-1", "1.5", "abc" })
                {
                    using HttpResponseMessage response = await server.Http.GetAsync($"{path}?{name}={Uri.EscapeDataString(value)}", TestContext.Current.CancellationToken);
                    JsonElement error = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");

                    Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                    Assert.Equal(
                        ("invalid_request_error", name, $"'{name}' must be a whole number {range} (was '{value}')."),
                        (error.GetProperty("type").GetString(), error.GetProperty("param").GetString(), error.GetProperty("message").GetString()));
                }
            }
        }
        finally
        {
            Directory.Delete(governance, recursive: true);
        }
    }
}
