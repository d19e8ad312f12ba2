// Embeds a local GGUF model in a .NET app through the Microsoft.Extensions.AI interfaces only:
// streams a chat answer and embeds two strings. The llama.cpp runtime is installed on first use.
//
//   dotnet run --project samples/OffGrid.Samples.Chat -- ../shared/models/stories260K.gguf "Once upon a time"
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: OffGrid.Samples.Chat <model.gguf> [prompt]");
    return 2;
}

string modelPath = args[0];
string prompt = args.Length > 1 ? args[1] : "Once upon a time";

var services = new ServiceCollection().AddLogging();
services.AddOffGridChatClient(modelPath)
    .ConfigureOptions(options => options.MaxOutputTokens ??= 256)   // a default for requests that set no limit
    .UseLogging();
services.AddOffGridEmbeddingGenerator(modelPath);
await using ServiceProvider provider = services.BuildServiceProvider();

IChatClient chat = provider.GetRequiredService<IChatClient>();
await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(prompt, new ChatOptions { Temperature = 0, MaxOutputTokens = 64 }))
{
    Console.Write(update.Text);
}

Console.WriteLine();

var embedder = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
GeneratedEmbeddings<Embedding<float>> vectors = await embedder.GenerateAsync(["Lily went to the park.", "The girl played outside."]);
Console.WriteLine($"cosine similarity: {TensorPrimitives.CosineSimilarity(vectors[0].Vector.Span, vectors[1].Vector.Span):0.000}");
return 0;
