using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;

namespace OffGrid.Inference.Tests.Chat;

/// <summary>
/// <see cref="LlamaChatClient"/> under Microsoft.Extensions.AI's <c>UseFunctionInvocation</c>: the whole conformance suite
/// (declarations without code pass through to the caller), and a real C# function that the model is forced to call, whose
/// result goes back to the model for a final answer (one round of calls: <c>MaximumIterationsPerRequest = 1</c>).
/// </summary>
public sealed class FunctionInvocationPipelineConformanceTests : LlamaChatClientConformanceTests
{
    // One round of calls, then an answer without tools: a random-weight model would otherwise call again and again.
    protected override IChatClient Compose(LlamaChatClient client) =>
        client.AsBuilder().UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = 1).Build();

    [Fact]
    public async Task AForcedCallRunsTheFunctionAndTheModelAnswersWithItsResult()
    {
        var calls = new List<int>();
        AIFunction secret = AIFunctionFactory.Create(
            ([Description("The number of the person"), Range(1, 9)] int person) =>
            {
                calls.Add(person);
                return $"The secret of person {person} is 4217.";
            },
            "get_secret",
            "Returns someone's secret number.");
        var options = new ChatOptions { Temperature = 0.7f, Seed = 5, MaxOutputTokens = 200, Tools = [secret], ToolMode = ChatToolMode.RequireSpecific("get_secret"), AllowMultipleToolCalls = false };

        ChatResponse response = await Client.GetResponseAsync("What is the secret of person 3?", options, TestContext.Current.CancellationToken);

        Assert.Single(calls);
        FunctionCallContent call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        FunctionResultContent result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        Assert.Contains("4217", result.Result?.ToString(), StringComparison.Ordinal);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.NotEqual(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Empty(response.Messages[^1].Contents.OfType<FunctionCallContent>());
    }
}
