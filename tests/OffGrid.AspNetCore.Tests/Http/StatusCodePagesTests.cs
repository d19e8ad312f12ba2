using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace OffGrid.AspNetCore.Tests.Http;

/// <summary>
/// An unknown route or a wrong method under an API's prefix, wherever the app mapped it, answers in that API's error shape;
/// elsewhere the framework's empty 404 stays.
/// </summary>
public sealed class StatusCodePagesTests
{
    [Theory]
    [InlineData("GET", "/openai/v1/no-such-thing", 404)]
    [InlineData("GET", "/openai/v1/chat/completions", 405)]
    [InlineData("GET", "/ollama/no-such-thing", 404)]
    [InlineData("DELETE", "/ollama/chat", 405)]
    [InlineData("GET", "/elsewhere", 404)]
    public async Task TheBodyFollowsTheApiMappedAtThePrefix(string method, string path, int status)
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, app =>
        {
            app.UseOffGridStatusCodePages();
            app.MapOpenAi("/openai/v1");
            app.MapOllama("/ollama");
        });
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using HttpResponseMessage response = await server.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(status, (int)response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (path.StartsWith("/elsewhere", StringComparison.Ordinal))
        {
            Assert.Empty(body);
            return;
        }

        JsonElement error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        string? message = path.StartsWith("/openai", StringComparison.Ordinal) ? error.GetProperty("message").GetString() : error.GetString();
        Assert.Contains(path, message);
    }
}
