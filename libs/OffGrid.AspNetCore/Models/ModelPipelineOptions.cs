using Microsoft.Extensions.AI;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.Models;

/// <summary>The middleware the app adds to every served model's pipelines, in registration order.</summary>
internal sealed class ModelPipelineOptions
{
    public List<Action<ChatClientBuilder, LocalModel>> ChatClient { get; } = [];

    public List<Action<EmbeddingGeneratorBuilder<string, Embedding<float>>, LocalModel>> EmbeddingGenerator { get; } = [];
}
