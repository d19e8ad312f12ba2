using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Governance.Quotas;

/// <summary>Adds <see cref="QuotaEmbeddingGenerator{TInput, TEmbedding}"/> to an embedding pipeline.</summary>
public static class QuotaEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Enforces OffGrid quotas and model permissions on every embedding call that passes this point of the pipeline.</summary>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <typeparam name="TEmbedding">The embedding type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="quotas">The quotas; when <see langword="null"/>, the <see cref="QuotaService"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <returns>The same builder.</returns>
    public static EmbeddingGeneratorBuilder<TInput, TEmbedding> UseQuotas<TInput, TEmbedding>(this EmbeddingGeneratorBuilder<TInput, TEmbedding> builder, QuotaService? quotas = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new QuotaEmbeddingGenerator<TInput, TEmbedding>(inner, quotas ?? services.GetRequiredService<QuotaService>()));
    }
}
