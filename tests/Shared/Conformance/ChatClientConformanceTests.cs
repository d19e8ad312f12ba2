using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Testing.Conformance;

/// <summary>
/// Behaviour every <see cref="IChatClient"/> OffGrid ships must have: usage, streaming usage exactly once, stop
/// sequences, structured output for several shapes, tool modes and parallel calls. Subclasses provide the client
/// and opt out of what their backend cannot do by overriding the <c>Supports*</c> properties.
/// </summary>
public abstract class ChatClientConformanceTests : IAsyncLifetime
{
    private static readonly AIFunctionDeclaration s_lookup = AIFunctionFactory.CreateDeclaration(
        "lookup", "Looks a word up", JsonDocument.Parse("""{"type":"object","properties":{"word":{"type":"string","maxLength":10}},"required":["word"]}""").RootElement);

    private static readonly AIFunctionDeclaration s_count = AIFunctionFactory.CreateDeclaration(
        "count", "Counts to n", JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":9}},"required":["n"]}""").RootElement);

    protected IChatClient Client { get; private set; } = null!;

    protected virtual bool SupportsStructuredOutput => true;

    protected virtual bool SupportsTools => true;

    public async ValueTask InitializeAsync() => Client = await CreateClientAsync();

    public virtual ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    protected abstract Task<IChatClient> CreateClientAsync();

    private static ChatOptions Deterministic(int maxTokens) => new() { Temperature = 0, Seed = 1, MaxOutputTokens = maxTokens };

    [Fact]
    public async Task ReportsUsage()
    {
        ChatResponse response = await Client.GetResponseAsync("Hello there", Deterministic(8), TestContext.Current.CancellationToken);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.True(response.Usage.OutputTokenCount is > 0 and <= 8);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task StreamingReportsUsageExactlyOnce()
    {
        List<ChatResponseUpdate> updates = await Client.GetStreamingResponseAsync("Hello there", Deterministic(8), TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Single(updates, u => u.FinishReason is not null);
    }

    [Fact]
    public async Task StopSequenceCutsTheAnswer()
    {
        string full = (await Client.GetResponseAsync("Once upon a time", Deterministic(24), TestContext.Current.CancellationToken)).Text;
        string stop = full.Length > 8 ? full.Substring(full.Length / 2, 3) : full;
        ChatOptions options = Deterministic(24);
        options.StopSequences = [stop];
        ChatResponse stopped = await Client.GetResponseAsync("Once upon a time", options, TestContext.Current.CancellationToken);
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public async Task StructuredOutputForSeveralShapes()
    {
        Assert.SkipUnless(SupportsStructuredOutput, "structured output not supported");
        ChatOptions options = new() { Temperature = 0.8f, Seed = 4, MaxOutputTokens = 600 };
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.NotNull((await Client.GetResponseAsync<Item>("An item.", options, cancellationToken: ct)).Result.Name);
        Assert.NotNull((await Client.GetResponseAsync<int[]>("Numbers.", options, cancellationToken: ct)).Result);
        _ = (await Client.GetResponseAsync<int>("A number.", options, cancellationToken: ct)).Result;
        Assert.True(Enum.IsDefined((await Client.GetResponseAsync<Mood>("A mood.", options, cancellationToken: ct)).Result));
        _ = (await Client.GetResponseAsync<bool>("Yes or no?", options, cancellationToken: ct)).Result;
    }

    [Fact]
    public async Task RequiredToolModeCallsATool()
    {
        Assert.SkipUnless(SupportsTools, "tools not supported");
        ChatResponse response = await Client.GetResponseAsync("Look up 'cat'.", ToolOptions(ChatToolMode.RequireAny), TestContext.Current.CancellationToken);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.All(Calls(response), c => Assert.Contains(c.Name, new[] { "lookup", "count" }));
        Assert.NotEmpty(Calls(response));
    }

    [Fact]
    public async Task SpecificToolModeCallsThatTool()
    {
        Assert.SkipUnless(SupportsTools, "tools not supported");
        ChatResponse response = await Client.GetResponseAsync("Count.", ToolOptions(ChatToolMode.RequireSpecific("count")), TestContext.Current.CancellationToken);
        Assert.All(Calls(response), c => Assert.Equal("count", c.Name));
        Assert.NotEmpty(Calls(response));
    }

    [Fact]
    public async Task NoneToolModeNeverCalls()
    {
        Assert.SkipUnless(SupportsTools, "tools not supported");
        ChatResponse response = await Client.GetResponseAsync("Look up 'cat'.", ToolOptions(ChatToolMode.None), TestContext.Current.CancellationToken);
        Assert.Empty(Calls(response));
        Assert.NotEqual(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task ParallelCallsEachCarryTheirOwnIdAndArguments()
    {
        Assert.SkipUnless(SupportsTools, "tools not supported");
        var found = new List<FunctionCallContent>();
        for (int seed = 1; seed <= 6; seed++)
        {
            ChatOptions options = ToolOptions(ChatToolMode.RequireAny);
            options.Seed = seed;
            options.AllowMultipleToolCalls = true;
            found.AddRange(Calls(await Client.GetResponseAsync("Look up and count.", options, TestContext.Current.CancellationToken)));
        }

        Assert.Equal(found.Count, found.Select(c => c.CallId).Distinct().Count());
        Assert.All(found, c => Assert.NotNull(c.Arguments));
    }

    private static ChatOptions ToolOptions(ChatToolMode mode) => new() { Temperature = 1, Seed = 2, MaxOutputTokens = 400, Tools = [s_lookup, s_count], ToolMode = mode };

    private static List<FunctionCallContent> Calls(ChatResponse response) => response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();

    public sealed record Item(string Name, int Quantity);

    public enum Mood
    {
        Happy,
        Sad,
    }
}
