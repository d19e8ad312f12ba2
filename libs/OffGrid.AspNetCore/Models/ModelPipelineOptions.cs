// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using OffGrid.Hub.References;

namespace OffGrid.AspNetCore.Models;

/// <summary>The middleware the app adds to every served model's pipelines and to the speech pipelines, in registration order.</summary>
internal sealed class ModelPipelineOptions
{
    public List<Action<ChatClientBuilder, LocalModel>> ChatClient { get; } = [];

    public List<Action<EmbeddingGeneratorBuilder<string, Embedding<float>>, LocalModel>> EmbeddingGenerator { get; } = [];

    public List<Action<SpeechToTextClientBuilder>> SpeechToTextClient { get; } = [];

    public List<Action<TextToSpeechClientBuilder>> TextToSpeechClient { get; } = [];
}
