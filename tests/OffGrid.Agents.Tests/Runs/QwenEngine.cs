using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Agents.Tests.Runs;

/// <summary>One real engine on the Qwen-template model (random weights: forced tool calls are exact) shared by a test class.</summary>
public sealed class QwenEngine : IAsyncLifetime
{
    private LlamaModel? _model;
    private LlamaEngine? _engine;

    public IChatClient ChatClient { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await TestLlamaRuntime.EnsureLoadedAsync();
        _model = await LlamaModel.LoadAsync(TemplateModels.Qwen);
        _engine = new LlamaEngine(_model, new LlamaEngineOptions { ParallelSequences = 4, ContextSize = 8192 });
        ChatClient = new LlamaChatClient(_engine);
    }

    public ValueTask DisposeAsync()
    {
        ChatClient?.Dispose();
        _engine?.Dispose();
        _model?.Dispose();
        return ValueTask.CompletedTask;
    }
}
