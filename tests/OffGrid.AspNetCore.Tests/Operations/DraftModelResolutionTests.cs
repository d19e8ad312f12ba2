using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Models;
using OffGrid.Inference;
using OffGrid.Inference.Chat;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.AspNetCore.Tests.Operations;

/// <summary>
/// <c>Server:Pool:Engine:Speculation:DraftModelPath</c> names the draft model as requests name models (stories260K, served as
/// <c>stories</c>, drafts for itself here: every drafted token is accepted), or fails the start with the resolver's reason.
/// </summary>
public sealed class DraftModelResolutionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADraftModelNamedLikeARequestsModelIsResolvedAtStartAndDrafts()
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, _ => { }, options => options.Pool.Engine.Speculation.DraftModelPath = "stories");

        string? draft = server.App.Services.GetRequiredService<IOptions<InferenceOptions>>().Value.Pool.Engine.Speculation.DraftModelPath;
        Assert.Equal(Path.GetFullPath(TestPaths.Stories260K), Path.GetFullPath(draft!));
        using ModelSession session = await server.App.Services.GetRequiredService<ModelAccess>().OpenAsync("stories", null, Ct);
        ChatResponse response = await session.ChatClient.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 }, Ct);
        Assert.True(response.Usage?.AdditionalCounts?.GetValueOrDefault(LlamaChatOptions.DraftTokensKey) > 0, "no tokens were drafted");
    }

    [Theory]
    [InlineData("nosuch", "Server:Pool:Engine:Speculation:DraftModelPath is 'nosuch': Unknown model 'nosuch'")]
    [InlineData("/nowhere/draft.gguf", "Server:Pool:Engine:Speculation:DraftModelPath '/nowhere/draft.gguf' does not exist.")]
    public async Task ADraftModelThatIsNotThereStopsTheStart(string draft, string expected)
    {
        OptionsValidationException invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(_ => { }, _ => { }, options => options.Pool.Engine.Speculation.DraftModelPath = draft));

        Assert.StartsWith(expected, Assert.Single(invalid.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADraftModelThatIsNotGgufStopsTheStart()
    {
        string text = Path.Combine(TestPaths.NewTempDir("offgrid-draft"), "notes.gguf");
        await File.WriteAllTextAsync(text, "hello, not a model", Ct);

        OptionsValidationException invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(_ => { }, _ => { }, options => options.Pool.Engine.Speculation.DraftModelPath = text));

        Assert.StartsWith("Server:Pool:Engine:Speculation:DraftModelPath is not a GGUF model: ", Assert.Single(invalid.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADraftModelWithAnotherVocabularyStopsTheStartOfAPreloadedModel()
    {
        OptionsValidationException invalid = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(_ => { }, _ => { }, options =>
        {
            options.Pool.Engine.Speculation.DraftModelPath = TestLlamaModels.Tiny;
            options.Preload.Add("stories");
        }));

        string failure = Assert.Single(invalid.Failures);
        Assert.StartsWith($"Server:Preload:0 is 'stories': The draft model '{Path.GetFullPath(TestLlamaModels.Tiny)}' cannot draft for ", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutPreloadARequestGetsAnErrorNamingTheDraftModel()
    {
        await using TestServer server = await TestServer.StartAsync(_ => { }, app => app.MapOpenAi("/v1"), options => options.Pool.Engine.Speculation.DraftModelPath = TestLlamaModels.Tiny);

        using HttpResponseMessage response = await server.Http.PostAsJsonAsync(
            "/v1/chat/completions", new { model = "stories", max_tokens = 2, messages = new[] { new { role = "user", content = "Once" } } }, Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        JsonElement error = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error");
        Assert.Equal("model_load_failed", error.GetProperty("code").GetString());
        Assert.Contains($"The draft model '{Path.GetFullPath(TestLlamaModels.Tiny)}' cannot draft for ", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
