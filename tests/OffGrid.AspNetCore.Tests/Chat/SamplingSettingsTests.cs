using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace OffGrid.AspNetCore.Tests.Chat;

/// <summary>
/// Sampling settings out of range are refused by the inference library's one check, before the model is even looked up,
/// and each API names the setting as its clients spell it.
/// </summary>
public sealed class SamplingSettingsTests
{
    private const string Messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    [Fact]
    public async Task BothApisAnswerTheLibrarysRangeInTheirOwnWords()
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, app =>
        {
            app.MapOpenAi();
            app.MapOllama();
        });

        foreach ((string field, string json, string rule) in new[]
        {
            ("temperature", "2.5", "a number from 0 to 2"),
            ("top_p", "1.5", "a number from 0 to 1"),
            ("top_k", "-1", "0 or more"),
            ("frequency_penalty", "-3", "a number from -2 to 2"),
            ("min_p", "2", "a number from 0 to 1"),
            ("repeat_penalty", "0", "a number greater than 0 and at most 10"),
            ("repeat_last_n", "-2", "a whole number of at least -1 (-1: the whole context)"),
            ("stop", """["END",""]""", "non-empty strings"),
            ("max_completion_tokens", "0", "at least 1"),
        })
        {
            (HttpStatusCode status, JsonElement body) = await PostAsync(server, "/v1/chat/completions", $"{{\"model\":\"no-such-model\",{Messages},\"{field}\":{json}}}");

            Assert.Equal(HttpStatusCode.BadRequest, status);
            JsonElement error = body.GetProperty("error");
            Assert.Equal((field, $"'{field}' must be {rule}."), (error.GetProperty("param").GetString(), error.GetProperty("message").GetString()));
        }

        foreach ((string path, string field, string json, string rule) in new[]
        {
            ("/api/chat", "top_p", "1.5", "a number from 0 to 1"),
            ("/api/generate", "num_predict", "0", "at least 1"),
            ("/api/generate", "temperature", "-1", "a number from 0 to 2"),
        })
        {
            string request = path == "/api/chat" ? Messages : "\"prompt\":\"hi\"";
            (HttpStatusCode status, JsonElement body) = await PostAsync(server, path, $"{{\"model\":\"no-such-model\",{request},\"options\":{{\"{field}\":{json}}}}}");

            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal($"'options.{field}' must be {rule}.", body.GetProperty("error").GetString());
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(TestServer server, string path, string json)
    {
        using HttpResponseMessage response = await server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
    }
}
