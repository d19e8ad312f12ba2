using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OffGrid.Testing;

namespace OffGrid.AspNetCore.Tests.Http;

/// <summary>A model file that cannot be loaded: the client's fault when the client named the file, the server's when configured.</summary>
public sealed class ModelLoadErrorTests
{
    [Fact]
    public async Task CorruptFileNamedByTheClientIsA400AndAConfiguredOneA500()
    {
        string dir = TestPaths.NewTempDir("corrupt-model");
        try
        {
            string corrupt = Path.Combine(dir, "corrupt.gguf");
            await File.WriteAllBytesAsync(corrupt, [.. "GGUF"u8, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF], TestContext.Current.CancellationToken);
            await using TestServer server = await TestServer.StartAsync(_ => { }, app => app.MapOpenAi(), options =>
            {
                options.AllowModelPaths = true;
                options.Models["broken"] = corrupt;
            });

            using HttpResponseMessage byPath = await server.Http.PostAsJsonAsync("/v1/chat/completions", new { model = corrupt, messages = new[] { new { role = "user", content = "Hi" } } }, TestContext.Current.CancellationToken);
            using HttpResponseMessage configured = await server.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "broken", messages = new[] { new { role = "user", content = "Hi" } } }, TestContext.Current.CancellationToken);

            Assert.Equal(400, (int)byPath.StatusCode);
            JsonElement error = (await byPath.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
            Assert.Equal("model", error.GetProperty("param").GetString());
            Assert.Contains("not a valid GGUF", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(500, (int)configured.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
