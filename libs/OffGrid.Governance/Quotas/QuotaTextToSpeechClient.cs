// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Quotas;

/// <summary>
/// Text-to-speech middleware that admits every call through a <see cref="QuotaService"/>, like <see cref="QuotaChatClient"/>:
/// the caller (from <see cref="CallerContext"/>) must be a known, enabled user allowed the model, and under their quotas
/// (requests per minute, concurrent requests, tokens per day); the response's usage, when the engine reports one, is counted.
/// </summary>
/// <remarks>
/// The model is <see cref="TextToSpeechOptions.ModelId"/> (OpenAI's <c>model</c>, such as <c>tts-1</c>), else the inner client's
/// <see cref="TextToSpeechClientMetadata.DefaultModelId"/>. A stream holds its concurrency slot until it ends. Thread-safe when
/// the inner client is. Errors: <see cref="AccessDeniedException"/>, <see cref="QuotaExceededException"/>, before the inner
/// client is called.
/// </remarks>
public sealed class QuotaTextToSpeechClient : DelegatingTextToSpeechClient
{
    private readonly QuotaService _quotas;

    /// <summary>Wraps <paramref name="innerClient"/> with quota enforcement.</summary>
    /// <param name="innerClient">The client that answers admitted calls.</param>
    /// <param name="quotas">The quotas to enforce.</param>
    public QuotaTextToSpeechClient(ITextToSpeechClient innerClient, QuotaService quotas)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        _quotas = quotas;
    }

    /// <inheritdoc />
    public override async Task<TextToSpeechResponse> GetAudioAsync(string text, TextToSpeechOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using QuotaLease lease = await AcquireAsync(options, cancellationToken).ConfigureAwait(false);
        TextToSpeechResponse response = await base.GetAudioAsync(text, options, cancellationToken).ConfigureAwait(false);
        lease.AddUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TextToSpeechResponseUpdate> GetStreamingAudioAsync(
        string text, TextToSpeechOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using QuotaLease lease = await AcquireAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (TextToSpeechResponseUpdate update in base.GetStreamingAudioAsync(text, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private Task<QuotaLease> AcquireAsync(TextToSpeechOptions? options, CancellationToken cancellationToken) =>
        _quotas.AcquireAsync(
            CallerContext.Require(options?.AdditionalProperties),
            options?.ModelId ?? this.GetService<TextToSpeechClientMetadata>()?.DefaultModelId,
            cancellationToken);
}
