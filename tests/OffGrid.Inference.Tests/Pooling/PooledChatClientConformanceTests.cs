using Microsoft.Extensions.AI;
using OffGrid.Inference.Pooling;
using OffGrid.Testing.Conformance;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Inference.Tests.Pooling;

/// <summary>The pool's chat client (<see cref="LlamaModelPool.CreateChatClient"/>) on a random-weight model with Qwen 2.5's real template.</summary>
public sealed class PooledChatClientConformanceTests : ChatClientConformanceTests
{
    private LlamaModelPool? _pool;

    protected override Task<IChatClient> CreateClientAsync()
    {
        LlamaModelPoolOptions options = LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1));
        options.Engine.ContextSize = 2048;
        _pool = new LlamaModelPool(options);
        return Task.FromResult(_pool.CreateChatClient(TemplateModels.Qwen, "qwen"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _pool?.Dispose();
    }
}
