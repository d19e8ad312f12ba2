// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OffGrid.Governance.Identity;

namespace OffGrid.Governance.Quotas;

/// <summary>
/// Speech-to-text middleware that admits every call through a <see cref="QuotaService"/>, like <see cref="QuotaChatClient"/>:
/// the caller (from <see cref="CallerContext"/>) must be a known, enabled user allowed the model, and under their quotas
/// (requests per minute, concurrent requests, tokens per day); the response's usage, when the engine reports one, is counted.
/// </summary>
/// <remarks>
/// The model is <see cref="SpeechToTextOptions.ModelId"/>, else the inner client's <see cref="SpeechToTextClientMetadata.DefaultModelId"/>.
/// Whisper reports no token usage, so a transcription counts as a request only. Thread-safe when the inner client is.
/// Errors: <see cref="AccessDeniedException"/>, <see cref="QuotaExceededException"/>, before the inner client is called.
/// </remarks>
public sealed class QuotaSpeechToTextClient : DelegatingSpeechToTextClient
{
    private readonly QuotaService _quotas;

    /// <summary>Wraps <paramref name="innerClient"/> with quota enforcement.</summary>
    /// <param name="innerClient">The client that answers admitted calls.</param>
    /// <param name="quotas">The quotas to enforce.</param>
    public QuotaSpeechToTextClient(ISpeechToTextClient innerClient, QuotaService quotas)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        _quotas = quotas;
    }

    /// <inheritdoc />
    public override async Task<SpeechToTextResponse> GetTextAsync(Stream audioSpeechStream, SpeechToTextOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using QuotaLease lease = await AcquireAsync(options, cancellationToken).ConfigureAwait(false);
        SpeechToTextResponse response = await base.GetTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false);
        lease.AddUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<SpeechToTextResponseUpdate> GetStreamingTextAsync(
        Stream audioSpeechStream, SpeechToTextOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using QuotaLease lease = await AcquireAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (SpeechToTextResponseUpdate update in base.GetStreamingTextAsync(audioSpeechStream, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private Task<QuotaLease> AcquireAsync(SpeechToTextOptions? options, CancellationToken cancellationToken) =>
        _quotas.AcquireAsync(
            CallerContext.Require(options?.AdditionalProperties),
            options?.ModelId ?? this.GetService<SpeechToTextClientMetadata>()?.DefaultModelId,
            cancellationToken);
}
