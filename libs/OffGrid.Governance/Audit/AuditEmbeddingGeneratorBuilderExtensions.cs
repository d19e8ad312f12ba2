using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Governance.Audit;

/// <summary>Adds <see cref="AuditEmbeddingGenerator{TInput, TEmbedding}"/> to an embedding pipeline.</summary>
public static class AuditEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Records every embedding call that passes this point of the pipeline in the OffGrid audit log.</summary>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TEmbedding">The embedding type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="log">The log; when <see langword="null"/>, the <see cref="AuditLog"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <param name="configure">Adjusts the generator (for example its route).</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Place it before (outside) <c>UseQuotas</c> so that calls refused by a quota are recorded too.</remarks>
    public static EmbeddingGeneratorBuilder<TInput, TEmbedding> UseAudit<TInput, TEmbedding>(
        this EmbeddingGeneratorBuilder<TInput, TEmbedding> builder, AuditLog? log = null, Action<AuditEmbeddingGenerator<TInput, TEmbedding>>? configure = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var generator = new AuditEmbeddingGenerator<TInput, TEmbedding>(inner, log ?? services.GetRequiredService<AuditLog>());
            configure?.Invoke(generator);
            return generator;
        });
    }
}
