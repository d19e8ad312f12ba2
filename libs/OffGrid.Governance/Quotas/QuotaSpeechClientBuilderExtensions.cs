// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace OffGrid.Governance.Quotas;

/// <summary>Adds <see cref="QuotaSpeechToTextClient"/> and <see cref="QuotaTextToSpeechClient"/> to speech pipelines.</summary>
public static class QuotaSpeechClientBuilderExtensions
{
    /// <summary>Enforces OffGrid quotas and model permissions on every transcription that passes this point of the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="quotas">The quotas; when <see langword="null"/>, the <see cref="QuotaService"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <returns>The same builder.</returns>
    public static SpeechToTextClientBuilder UseQuotas(this SpeechToTextClientBuilder builder, QuotaService? quotas = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new QuotaSpeechToTextClient(inner, quotas ?? services.GetRequiredService<QuotaService>()));
    }

    /// <summary>Enforces OffGrid quotas and model permissions on every speech synthesis that passes this point of the pipeline.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="quotas">The quotas; when <see langword="null"/>, the <see cref="QuotaService"/> registered in the builder's services (<c>AddOffGridGovernance</c>).</param>
    /// <returns>The same builder.</returns>
    public static TextToSpeechClientBuilder UseQuotas(this TextToSpeechClientBuilder builder, QuotaService? quotas = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new QuotaTextToSpeechClient(inner, quotas ?? services.GetRequiredService<QuotaService>()));
    }
}
