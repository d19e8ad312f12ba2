using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Models;

namespace OffGrid.Agents.Tests;

/// <summary>
/// Microsoft.Extensions.AI's function invocation (through <c>UseToolInvocation</c>) over OffGrid's engine, for every tool-call
/// convention OffGrid parses, each on a generated model with a real template of its family: forced calls of real functions,
/// results and errors fed back, parallel calls, and calls that wait for approval. The grammar makes every forced call parse,
/// so random weights suffice; one round of calls (<c>MaximumIterationsPerRequest = 1</c>) then leaves the model to answer
/// without tools.
/// </summary>
public sealed class ToolInvocationTests
{
    public static TheoryData<string> Families => [.. TemplateModels.ToolCallFamilies.Keys.Where(f => Environment.GetEnvironmentVariable("FAMILY") is not { } only || only == f)];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Families))]
    public async Task ACallRunsAndItsResultOrErrorGoesBackToTheModel(string family)
    {
        await using Loaded loaded = await Loaded.LoadAsync(family);
        var people = new ConcurrentBag<int>();
        AIFunction secret = AIFunctionFactory.Create(
            ([Description("The number of the person"), Range(1, 9)] int person) =>
            {
                people.Add(person);
                return $"The secret of person {person} is 4217.";
            },
            "get_secret",
            "Returns someone's secret number.");

        ChatResponse answered = await loaded.Client.GetResponseAsync("What is the secret of person 3?", Forced(secret), Cancel);

        Assert.True(people.Count == 1, $"{family}: {Describe(answered)}");
        int person = Assert.Single(people);
        FunctionResultContent result = Assert.Single(answered.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal($"The secret of person {person} is 4217.", result.Result?.ToString());
        AssertAnsweredWithoutTools(answered, loaded.Recorder, result.CallId);

        string Weather([MaxLength(12)] string city) => throw new ToolInvocationException("get_weather", $"The weather service for {city} is down for maintenance.");
        AIFunction weather = AIFunctionFactory.Create(Weather, "get_weather", "Current weather for a city.");
        loaded.Recorder.Requests.Clear();

        ChatResponse failed = await loaded.Client.GetResponseAsync("Weather in Oslo?", Forced(weather), Cancel);

        FunctionResultContent error = Assert.Single(failed.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Matches("^Error: The weather service for .* is down for maintenance.$", error.Result?.ToString());
        AssertAnsweredWithoutTools(failed, loaded.Recorder, error.CallId);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task EveryCallOfATurnRunsAndEachResultAnswersItsCall(string family)
    {
        await using Loaded loaded = await Loaded.LoadAsync(family);
        var invoked = new ConcurrentBag<string>();
        AIFunction weather = AIFunctionFactory.Create(([MaxLength(12)] string city) => { invoked.Add("weather"); return $"Sunny in {city}."; }, "get_weather", "Current weather for a city.");
        AIFunction time = AIFunctionFactory.Create(([MaxLength(12)] string city) => { invoked.Add("time"); return $"It is noon in {city}."; }, "get_time", "Local time in a city.");

        ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(1, 6).Select(seed => loaded.Client.GetResponseAsync(
            "Weather and time in Paris?",
            new ChatOptions { Temperature = 1, Seed = seed, MaxOutputTokens = 160, Tools = [weather, time], ToolMode = ChatToolMode.RequireAny, AllowMultipleToolCalls = true },
            Cancel)));

        var callCounts = new List<int>();
        foreach (ChatResponse response in responses)
        {
            List<FunctionCallContent> calls = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];
            List<FunctionResultContent> results = [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()];
            Assert.NotEmpty(calls);
            Assert.Equal(calls.Select(c => c.CallId).Order(), results.Select(r => r.CallId).Order());
            Assert.Equal(calls.Count, calls.Select(c => c.CallId).Distinct().Count());
            Assert.All(results, r => Assert.Matches("^(Sunny in|It is noon in) ", r.Result?.ToString()));
            callCounts.Add(calls.Count);
        }

        Assert.Equal(callCounts.Sum(), invoked.Count);

        // Whether random weights go on to a second call is chance; that the grammar allows one and the parser reads every
        // call of a turn is covered in OffGrid.Inference's grammar and parser tests. Llama 3.1's template cannot show several
        // calls in one turn, so OffGrid asks its models for one at a time.
        if (TemplateModels.ToolCallFamilies[family].ChatTemplate!.Contains("only supports single tool-call", StringComparison.Ordinal))
        {
            Assert.All(callCounts, count => Assert.Equal(1, count));
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task ACallThatNeedsApprovalRunsOnlyOnceApproved(string family)
    {
        await using Loaded loaded = await Loaded.LoadAsync(family);
        var deleted = new ConcurrentBag<string>();
        AIFunction delete = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(
            ([MaxLength(12)] string name) => { deleted.Add(name); return $"Deleted {name}."; }, "delete_file", "Deletes a file."));
        ChatOptions options = Forced(delete);
        List<ChatMessage> history = [new(ChatRole.User, "Delete notes.txt, then delete it again.")];

        ChatResponse asked = await loaded.Client.GetResponseAsync(history, options, Cancel);

        Assert.Empty(deleted);
        ToolApprovalRequestContent request = Assert.Single(asked.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>());
        history.AddRange(asked.Messages);
        history.Add(new ChatMessage(ChatRole.User, [request.CreateResponse(approved: true)]));
        options.ToolMode = ChatToolMode.None;

        ChatResponse approved = await loaded.Client.GetResponseAsync(history, options, Cancel);

        string name = Assert.Single(deleted);
        Assert.Contains(approved.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.Result?.ToString() == $"Deleted {name}.");
        Assert.Equal(ChatRole.Assistant, approved.Messages[^1].Role);

        history = [new(ChatRole.User, "Delete notes.txt.")];
        options.ToolMode = ChatToolMode.RequireSpecific("delete_file");
        ChatResponse askedAgain = await loaded.Client.GetResponseAsync(history, options, Cancel);
        history.AddRange(askedAgain.Messages);
        history.Add(new ChatMessage(ChatRole.User, [askedAgain.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Single().CreateResponse(approved: false, "Not today.")]));
        options.ToolMode = ChatToolMode.None;

        ChatResponse rejected = await loaded.Client.GetResponseAsync(history, options, Cancel);

        Assert.Single(deleted);
        FunctionResultContent refusal = Assert.Single(rejected.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Contains("Not today.", refusal.Result?.ToString(), StringComparison.Ordinal);
    }

    private static string Describe(ChatResponse response) => string.Join(" | ", response.Messages.SelectMany(m => m.Contents).Select(c => c switch
    {
        TextContent text => "text: " + text.Text,
        FunctionCallContent call => $"call {call.Name}({System.Text.Json.JsonSerializer.Serialize(call.Arguments)})",
        FunctionResultContent result => $"result {result.Result}",
        _ => c.GetType().Name,
    }));

    private static ChatOptions Forced(AIFunction function) => new()
    {
        Temperature = 0.7f,
        Seed = 5,
        MaxOutputTokens = 120,
        Tools = [function],
        ToolMode = ChatToolMode.RequireSpecific(function.Name),
        AllowMultipleToolCalls = false,
    };

    /// <summary>The result reached the model in the second request, which had no tools left, and the model answered.</summary>
    private static void AssertAnsweredWithoutTools(ChatResponse response, RecordingChatClient recorder, string callId)
    {
        Assert.Equal(2, recorder.Requests.Count);
        Assert.Contains(recorder.Requests[1].Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == callId);
        Assert.Empty(recorder.Requests[1].Options?.Tools ?? []);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.Empty(response.Messages[^1].Contents.OfType<FunctionCallContent>());
        Assert.NotEqual(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    /// <summary>A family's model with the pipeline under test: engine, recorder, function invocation.</summary>
    private sealed class Loaded : IAsyncDisposable
    {
        private readonly LlamaModel _model;
        private readonly LlamaEngine _engine;

        private Loaded(LlamaModel model, LlamaEngine engine)
        {
            _model = model;
            _engine = engine;
            Recorder = new RecordingChatClient(new LlamaChatClient(engine));
            Client = Recorder.AsBuilder().UseToolInvocation(f => f.MaximumIterationsPerRequest = 1).Build();
        }

        public RecordingChatClient Recorder { get; }

        public IChatClient Client { get; }

        public static async Task<Loaded> LoadAsync(string family)
        {
            await TestLlamaRuntime.EnsureLoadedAsync();
            LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.GetOrCreate(TemplateModels.ToolCallFamilies[family]), cancellationToken: Cancel);
            return new Loaded(model, new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 6, ContextSize = 2048 }));
        }

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            _engine.Dispose();
            _model.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
