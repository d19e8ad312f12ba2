using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Quotas;

/// <summary>
/// Embedding middleware that admits every call through a <see cref="QuotaService"/>, like <see cref="QuotaChatClient"/>: the
/// caller (from <see cref="CallerContext"/>) must be a known, enabled user allowed the model, and under their quotas (requests
/// per minute, concurrent requests, tokens per day); the input tokens of the call are then counted.
/// </summary>
/// <remarks>
/// Tokens come from <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>. The model is
/// <see cref="EmbeddingGenerationOptions.ModelId"/>, else the inner generator's <see cref="EmbeddingGeneratorMetadata.DefaultModelId"/>.
/// Thread-safe when the inner generator is. Errors: <see cref="AccessDeniedException"/>, <see cref="QuotaExceededException"/>,
/// before the inner generator is called.
/// </remarks>
/// <typeparam name="TInput">The input type (text for OffGrid's generators).</typeparam>
/// <typeparam name="TEmbedding">The embedding type.</typeparam>
public sealed class QuotaEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly QuotaService _quotas;

    /// <summary>Wraps <paramref name="innerGenerator"/> with quota enforcement.</summary>
    /// <param name="innerGenerator">The generator that answers admitted calls.</param>
    /// <param name="quotas">The quotas to enforce.</param>
    public QuotaEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, QuotaService quotas)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        _quotas = quotas;
    }

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string? model = options?.ModelId ?? this.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
        await using QuotaLease lease = await _quotas.AcquireAsync(CallerContext.Require(options?.AdditionalProperties), model, cancellationToken).ConfigureAwait(false);
        GeneratedEmbeddings<TEmbedding> embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        lease.AddUsage(embeddings.Usage?.InputTokenCount ?? 0, 0);
        return embeddings;
    }
}
