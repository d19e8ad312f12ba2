using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Hub.Store;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.AspNetCore.Tests.Quantization;

/// <summary>
/// <c>/v1/quantize</c> on a real server: refusals in OpenAI's error shape, a job polled to completion whose output is a
/// new store entry that the server then serves by name.
/// </summary>
public sealed class QuantizationEndpointsTests
{
    private static readonly TestLlamaModelSpec F16Model = new() { EmbeddingLength = 256, FeedForwardLength = 256, WeightType = GgufTensorType.F16 };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AJobQuantizesIntoTheStoreAndTheResultIsServedByName()
    {
        await using TestServer server = await StartAsync();

        HttpResponseMessage started = await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "tiny-f16", type = "q8_0", output = "local/tiny-q8" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        JsonNode job = (await started.Content.ReadFromJsonAsync<JsonNode>(Ct))!;
        Assert.Equal("Q8_0", (string?)job["type"]);
        string id = (string)job["id"]!;

        JsonNode status = job;
        for (int i = 0; i < 600 && (string?)status["status"] == "running"; i++)
        {
            await Task.Delay(100, Ct);
            status = (await server.Http.GetFromJsonAsync<JsonNode>($"/v1/quantize/{id}", Ct))!;
        }

        Assert.Equal("succeeded", (string?)status["status"]);
        Assert.Equal(1.0, (double)status["progress"]!);
        Assert.True((int)status["tensors"]! > 10);
        Assert.Equal((int)status["tensors"]!, (int)status["tensor"]!);
        Assert.Equal(0, (int)status["fallback_tensors"]!); // rows of 256 fit Q8_0's blocks

        ModelManifest stored = Assert.Single(await server.App.Services.GetRequiredService<ModelStore>().ListAsync(Ct));
        Assert.Equal("local/tiny-q8", stored.Name);
        Assert.Equal("Q8_0", stored.Quantization);

        HttpResponseMessage chat = await server.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "local/tiny-q8", messages = new[] { new { role = "user", content = "the" } }, max_tokens = 3, temperature = 0 }, Ct);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);

        HttpResponseMessage again = await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "tiny-f16", type = "Q8_0", output = "local/tiny-q8" }, Ct);
        await AssertErrorAsync(again, HttpStatusCode.Conflict, "output", "already holds a model named 'local/tiny-q8'");

        // Cancelling a job that has finished changes nothing and answers with the job as it is.
        HttpResponseMessage cancel = await server.Http.DeleteAsync($"/v1/quantize/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("succeeded", (string?)(await cancel.Content.ReadFromJsonAsync<JsonNode>(Ct))!["status"]);

        JsonNode list = (await server.Http.GetFromJsonAsync<JsonNode>("/v1/quantize", Ct))!;
        Assert.Equal(id, (string?)Assert.Single(list["data"]!.AsArray())!["id"]);
    }

    [Fact]
    public async Task NonsenseIsRefusedBeforeAJobStarts()
    {
        await using TestServer server = await StartAsync();

        await AssertErrorAsync(await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "tiny-f16", type = "Q9_K" }, Ct), HttpStatusCode.BadRequest, "type", "not a quantization type");
        await AssertErrorAsync(await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "tiny-f16", type = "F16" }, Ct), HttpStatusCode.BadRequest, "type", "would not reduce its precision");
        await AssertErrorAsync(await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "stories", type = "F32" }, Ct), HttpStatusCode.BadRequest, "type", "would not reduce its precision");
        await AssertErrorAsync(await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "stories", type = "IQ1_S" }, Ct), HttpStatusCode.BadRequest, "type", "IQ1_S needs an importance matrix");
        await AssertErrorAsync(await server.Http.PostAsJsonAsync("/v1/quantize", new { model = "no-such-model", type = "Q4_0" }, Ct), HttpStatusCode.NotFound, "model", "no-such-model");
        await AssertErrorAsync(await server.Http.PostAsJsonAsync("/v1/quantize", new { type = "Q4_0" }, Ct), HttpStatusCode.BadRequest, "model", "'model' is required");
        await AssertErrorAsync(await server.Http.DeleteAsync("/v1/quantize/quant-nope", Ct), HttpStatusCode.NotFound, "id", "no quantization job");
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonNode>("/v1/quantize", Ct))!["data"]!.AsArray());

        JsonNode types = (await server.Http.GetFromJsonAsync<JsonNode>("/v1/quantize/types", Ct))!;
        Assert.Contains(types["data"]!.AsArray(), t => (string?)t!["name"] == "Q4_K_M");
    }

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(
        _ => { },
        app =>
        {
            app.MapOpenAi("/v1");
            app.MapOffGrid("/v1");
        },
        options => options.Models["tiny-f16"] = TestLlamaModels.GetOrCreate(F16Model));

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string param, string message)
    {
        Assert.Equal(status, response.StatusCode);
        JsonNode error = (await response.Content.ReadFromJsonAsync<JsonNode>(Ct))!["error"]!;
        Assert.Equal(param, (string?)error["param"]);
        Assert.Contains(message, (string?)error["message"], StringComparison.Ordinal);
    }
}
