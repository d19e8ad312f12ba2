using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Models;
using OffGrid.Inference;
using OffGrid.Inference.Chat;
using OffGrid.Testing;

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
}
