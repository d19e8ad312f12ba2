using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Audit;

/// <summary>
/// Embedding middleware that records every call in the <see cref="AuditLog"/>, like <see cref="AuditChatClient"/>: who
/// (from <see cref="CallerContext"/>), when, which model, input tokens, status and latency; the inputs only when
/// <see cref="AuditOptions.RecordContent"/> is on (the vectors never).
/// </summary>
/// <remarks>
/// Inside an HTTP request audited by the ASP.NET Core integration, the call is added to that request's entry; elsewhere each
/// call is its own entry with the route <see cref="Route"/>. Failed and cancelled calls are recorded too. Thread-safe when the
/// inner generator is.
/// </remarks>
/// <typeparam name="TInput">The input type; recorded with <see cref="object.ToString"/>.</typeparam>
/// <typeparam name="TEmbedding">The embedding type.</typeparam>
public sealed class AuditEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly AuditLog _log;

    /// <summary>Wraps <paramref name="innerGenerator"/> with auditing.</summary>
    /// <param name="innerGenerator">The audited generator.</param>
    /// <param name="log">Where entries go.</param>
    public AuditEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, AuditLog log)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(log);
        _log = log;
    }

    /// <summary>Gets or sets the route recorded for calls outside an HTTP request; <c>embeddings</c> by default.</summary>
    public string Route { get; set; } = "embeddings";

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var call = new AuditedCall(
            _log, Route, CallerContext.Resolve(options?.AdditionalProperties),
            options?.ModelId ?? this.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId,
            () => string.Join('\n', values));
        try
        {
            GeneratedEmbeddings<TEmbedding> embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
            call.Usage(embeddings.Usage);
            await call.EndAsync(null).ConfigureAwait(false);
            return embeddings;
        }
        catch (Exception ex)
        {
            await call.EndAsync(ex).ConfigureAwait(false);
            throw;
        }
    }
}
