using System.Collections.Concurrent;
using OffGrid.Inference.Models;
using OffGrid.Rag.Chunking;

namespace OffGrid.AspNetCore.Knowledge;

/// <summary>
/// Token counters over each served model's own tokenizer, from a vocabulary-only load of its file (kilobytes to a few
/// megabytes, no weights), so that sources put into a prompt are budgeted in the tokens the model will see.
/// </summary>
/// <remarks>Thread-safe; each file's vocabulary is loaded once, on the first count, and kept until the server stops.</remarks>
internal sealed class ModelTokenizers : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<LlamaModel>> _vocabularies = new(StringComparer.Ordinal);

    public TokenCounter For(string modelPath) => TokenCounter.FromFunction(text => Vocabulary(modelPath).Tokenize(text, addSpecial: false, parseSpecial: false).Length, "llama.cpp");

    public void Dispose()
    {
        foreach (Lazy<LlamaModel> vocabulary in _vocabularies.Values.Where(v => v.IsValueCreated))
        {
            vocabulary.Value.Dispose();
        }
    }

    // The counter is called synchronously from the RAG middleware while a request holds the model, so the runtime is
    // loaded and a vocabulary-only load finishes in milliseconds; it runs once per file.
    private LlamaModel Vocabulary(string path) =>
        _vocabularies.GetOrAdd(path, p => new Lazy<LlamaModel>(() => LlamaModel.LoadAsync(p, new LlamaModelOptions { VocabularyOnly = true }).GetAwaiter().GetResult())).Value;
}
