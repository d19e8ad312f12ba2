using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Native;
using OffGrid.Inference.Runtime;

namespace OffGrid.Inference.Embeddings;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a local GGUF model: many inputs are packed into one
/// decode call as separate sequences and pooled per sequence.
/// </summary>
/// <remarks>Thread-safe; calls share one llama.cpp context and run one batch at a time.</remarks>
public sealed class LlamaEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly LlamaModel _model;
    private readonly LlamaEmbeddingGeneratorOptions _options;
    private readonly SafeLlamaContextHandle _context;
    private readonly IntPtr _memory;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly LlamaBatchBuffer _batch;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private bool _disposed;

    /// <summary>Creates an embedding generator with its own llama.cpp context.</summary>
    /// <param name="model">The loaded model; it must outlive the generator.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    public LlamaEmbeddingGenerator(LlamaModel model, LlamaEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _options = options ?? new LlamaEmbeddingGeneratorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatchSequences, 1, nameof(options));
        ContextSize = _options.ContextSize ?? Math.Min(2048, model.TrainedContextLength > 0 ? model.TrainedContextLength : 2048);
        _context = CreateContext(model, _options, ContextSize, (int)_options.Pooling);
        if (_options.Pooling == EmbeddingPooling.Auto && LlamaNative.llama_pooling_type(_context) == 0)
        {
            // A model without its own pooling (a chat model) still gives useful sentence embeddings with mean pooling.
            _context.Dispose();
            _context = CreateContext(model, _options, ContextSize, (int)EmbeddingPooling.Mean);
        }

        _memory = LlamaNative.llama_get_memory(_context);
        _batch = new LlamaBatchBuffer((int)LlamaNative.llama_n_batch(_context));
        Dimensions = model.EmbeddingLength;
        _metadata = new EmbeddingGeneratorMetadata(InferenceTelemetry.ProviderName, providerUri: null, defaultModelId: _options.ModelId ?? model.Id, defaultModelDimensions: Dimensions);
    }

    /// <summary>The length of each embedding.</summary>
    public int Dimensions { get; }

    /// <summary>The longest input in tokens.</summary>
    public int ContextSize { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] inputs = [.. values];
        int[][] tokenized = inputs.Select(text => _model.Tokenize(text, addSpecial: true, parseSpecial: false)).ToArray();
        for (int i = 0; i < tokenized.Length; i++)
        {
            if (tokenized[i].Length > ContextSize || tokenized[i].Length > _batch.Capacity)
            {
                throw new ContextWindowExceededException(tokenized[i].Length, Math.Min(ContextSize, _batch.Capacity));
            }

            if (tokenized[i].Length == 0)
            {
                throw new ArgumentException($"Input {i} produced no tokens.", nameof(values));
            }
        }

        var vectors = new float[inputs.Length][];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int next = 0;
            while (next < tokenized.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int first = next;
                _batch.Clear();
                while (next < tokenized.Length && next - first < _options.MaxBatchSequences && _batch.Count + tokenized[next].Length <= _batch.Capacity)
                {
                    int sequence = next - first;
                    for (int position = 0; position < tokenized[next].Length; position++)
                    {
                        _batch.Add(tokenized[next][position], position, sequence, outputLogits: true);
                    }

                    next++;
                }

                DecodeBatch(vectors, first, next);
            }
        }
        finally
        {
            _gate.Release();
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = _metadata.DefaultModelId, CreatedAt = DateTimeOffset.UtcNow }))
        {
            Usage = new UsageDetails { InputTokenCount = tokenized.Sum(t => t.Length), TotalTokenCount = tokenized.Sum(t => t.Length) },
        };
        return result;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType == typeof(LlamaModel) ? _model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Frees the embedding context (not the model).</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _batch.Dispose();
            _context.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private unsafe void DecodeBatch(float[][] vectors, int first, int end)
    {
        LlamaNative.llama_memory_clear(_memory, true);
        int result = _model.IsEncoderOnly
            ? LlamaNative.llama_encode(_context, _batch.ToNative())
            : LlamaNative.llama_decode(_context, _batch.ToNative());
        if (result != 0)
        {
            throw new InvalidOperationException($"llama.cpp failed to embed the batch (code {result}).");
        }

        for (int i = first; i < end; i++)
        {
            float* pooled = LlamaNative.llama_get_embeddings_seq(_context, i - first);
            if (pooled is null)
            {
                throw new InvalidOperationException("llama.cpp returned no pooled embedding; the model may not support embeddings.");
            }

            float[] vector = new ReadOnlySpan<float>(pooled, Dimensions).ToArray();
            if (_options.Normalize)
            {
                float norm = TensorPrimitives.Norm(vector);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(vector, norm, vector);
                }
            }

            vectors[i] = vector;
        }
    }

    private static SafeLlamaContextHandle CreateContext(LlamaModel model, LlamaEmbeddingGeneratorOptions options, int contextSize, int pooling)
    {
        // The cores free at load time: a thread per core stalls every step when another process holds one.
        int threads = options.Threads ?? Engine.ThreadTuner.Initial(LlamaRuntime.DefaultThreadCount);
        LlamaContextParams parameters = LlamaNative.llama_context_default_params();
        // With a unified KV cache every sequence of a batch shares one window, and a batch never holds more
        // than one window of tokens, so the cache needs just that much.
        int capacity = Math.Max(contextSize, 512);
        parameters.ContextSize = (uint)capacity;
        parameters.BatchSize = (uint)capacity;
        parameters.MicroBatchSize = (uint)capacity;
        parameters.MaxSequences = (uint)options.MaxBatchSequences;
        parameters.KvUnified = 1;
        parameters.Embeddings = 1;
        parameters.PoolingType = pooling;
        parameters.Threads = threads;
        parameters.BatchThreads = threads;
        parameters.NoPerf = 1;
        LlamaLogBridge.ClearLastError();
        SafeLlamaContextHandle context = LlamaNative.llama_init_from_model(model.Handle, parameters);
        return context.IsInvalid
            ? throw new InvalidOperationException($"llama.cpp could not create an embedding context for '{model.Id}': {LlamaLogBridge.LastError ?? "unknown error"}.")
            : context;
    }
}
