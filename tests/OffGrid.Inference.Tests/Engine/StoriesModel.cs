using OffGrid.Inference.Models;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests.Engine;

/// <summary>stories260K loaded once for a test class (<c>IClassFixture&lt;StoriesModel&gt;</c>): a trained model whose greedy text is a story.</summary>
public sealed class StoriesModel : IAsyncLifetime
{
    public LlamaModel Model { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await TestRuntime.EnsureLoadedAsync();
        Model = await LlamaModel.LoadAsync(TestPaths.Stories260K);
    }

    public ValueTask DisposeAsync()
    {
        Model.Dispose();
        return ValueTask.CompletedTask;
    }
}
