using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.Conformance;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Inference.Tests.Chat;

/// <summary><see cref="LlamaChatClient"/> on a random-weight model with Qwen 2.5's real chat template.</summary>
public class LlamaChatClientConformanceTests : ChatClientConformanceTests
{
    private LlamaModel? _model;
    private LlamaEngine? _engine;

    protected override async Task<IChatClient> CreateClientAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TemplateModels.Qwen);
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 2048 });
        return Compose(new LlamaChatClient(_engine));
    }

    /// <summary>Builds the client under test on top of the engine's client (a pipeline in derived suites).</summary>
    protected virtual IChatClient Compose(LlamaChatClient client) => client;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _engine?.Dispose();
        _model?.Dispose();
    }
}
