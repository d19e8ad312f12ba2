using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace OffGrid.AspNetCore.Tests.Http;

/// <summary>
/// Newline-delimited streams reach the client whole. Kestrel's chunked writer could hand the JSON serializer less memory
/// than it asked for when a line started near the end of a buffer segment, which broke streams off after about 4 KiB,
/// most often right after a model load.
/// </summary>
public sealed class ChunkedJsonWriterTests
{
    [Fact]
    public async Task OllamaStreamsEndWithTheirFinalLineEveryTime()
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, app => app.MapOllama("/api"));
        CancellationToken cancellationToken = TestContext.Current.CancellationToken;

        for (int i = 0; i < 8; i++)
        {
            using HttpResponseMessage unloaded = await server.Http.PostAsJsonAsync(new Uri("/api/generate", UriKind.Relative), new { model = "stories", keep_alive = 0 }, cancellationToken);
            unloaded.EnsureSuccessStatusCode();

            using HttpResponseMessage response = await server.Http.PostAsJsonAsync(new Uri("/api/chat", UriKind.Relative), new
            {
                model = "stories",
                messages = new[] { new { role = "user", content = "Once upon a time" } },
                options = new { num_predict = 200, temperature = 0 },
            }, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);

            string[] lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            JsonElement last = JsonDocument.Parse(lines[^1]).RootElement;
            Assert.True(last.GetProperty("done").GetBoolean(), $"Stream {i} ended after {lines.Length} lines without its final line: {lines[^1]}");
            Assert.Equal(200, last.GetProperty("eval_count").GetInt32());
        }
    }
}
