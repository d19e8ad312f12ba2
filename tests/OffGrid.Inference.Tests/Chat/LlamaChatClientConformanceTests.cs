using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;
using OffGrid.Testing.Conformance;

namespace OffGrid.Inference.Tests.Chat;

/// <summary><see cref="LlamaChatClient"/> on a random-weight model with Qwen 2.5's real chat template.</summary>
public sealed class LlamaChatClientConformanceTests : ChatClientConformanceTests
{
    private LlamaModel? _model;
    private LlamaEngine? _engine;

    protected override async Task<IChatClient> CreateClientAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TemplateModels.Qwen);
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 2, ContextSize = 2048 });
        return new LlamaChatClient(_engine);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _engine?.Dispose();
        _model?.Dispose();
    }
}
