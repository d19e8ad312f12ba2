using Microsoft.Extensions.AI;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Testing;
using OffGrid.Testing.Models;

namespace OffGrid.Governance.Tests.TestSupport;

/// <summary>
/// The real engine under the governance middleware: llama.cpp (installed once per process by OffGrid's own installer) running
/// the generated tiny test model, as a <see cref="LlamaChatClient"/> named <c>tiny</c>.
/// </summary>
internal sealed class TinyLlama : IAsyncDisposable
{
    private static readonly Lazy<Task<LlamaRuntime>> s_runtime = new(() => LlamaRuntime.LoadAsync(new LlamaRuntimeOptions
    {
        InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"),
        Variant = LlamaRuntimeVariant.Cpu,
    }));

    private readonly LlamaModel _model;
    private readonly LlamaEngine _engine;

    private TinyLlama(LlamaModel model, LlamaEngine engine)
    {
        _model = model;
        _engine = engine;
        Client = new LlamaChatClient(engine, new LlamaChatClientOptions { ModelId = "tiny", DefaultTemperature = 0 });
    }

    public IChatClient Client { get; }

    public static async Task<TinyLlama> StartAsync()
    {
        await s_runtime.Value;
        LlamaModel model = await LlamaModel.LoadAsync(TestLlamaModels.Tiny);
        return new TinyLlama(model, new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 4, ContextSize = 512, Threads = 1 }));
    }

    public ValueTask DisposeAsync()
    {
        _engine.Dispose();
        _model.Dispose();
        return ValueTask.CompletedTask;
    }
}
