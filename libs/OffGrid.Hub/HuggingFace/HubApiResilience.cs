using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;

namespace OffGrid.Hub.HuggingFace;

/// <summary>
/// The resilience pipeline of Hub API calls (search, file tree): a bound on the whole call, retries with exponential
/// backoff and jitter on transient failures (network errors, attempt timeouts, 408, 429, 5xx) that wait as long as a
/// <c>Retry-After</c> header asks, and a bound on each attempt.
/// </summary>
/// <remarks>
/// File downloads do not use it: <see cref="Downloads.FileDownloader"/> retries whole resumable sessions (probe, ranges
/// from the partial file, verification) itself, which a per-request retry cannot do, and two retry layers would multiply.
/// </remarks>
internal static class HubApiResilience
{
    /// <summary>Adds the strategies, outermost first, to a pipeline built by <c>AddResilienceHandler</c>.</summary>
    /// <param name="builder">The pipeline builder of the API HTTP client.</param>
    /// <param name="options">Retry and timeout settings; validated by <see cref="HuggingFaceOptions.Validate"/>.</param>
    /// <param name="logger">Told about each retry, so that a user waiting on an unreachable Hub can be shown why.</param>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, HuggingFaceOptions options, ILogger logger)
    {
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Call", Timeout = options.RequestTimeout });
        if (options.MaxRetries > 0)
        {
            TimeSpan maxRetryAfter = options.MaxRetryAfter;
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,

                // A server that asks for a longer pause than we are willing to wait gets its answer passed on at once:
                // the caller sees HubHttpException.RetryAfter instead of a call that hangs.
                // A name that does not resolve is not transient: offline, retrying only makes the user wait.
                ShouldHandle = args => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && !HostUnreachableException.IsNameResolutionFailure(args.Outcome.Exception)
                    && !(args.Outcome.Result is { } response && HubHttpException.RetryAfterOf(response) > maxRetryAfter)),
                OnRetry = args =>
                {
                    string reason = args.Outcome.Exception is { } failure
                        ? HostUnreachableException.Reason(failure)
                        : $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                    logger.LogWarning(
                        "{Host}: {Reason}; trying again in {Delay:0.0} s (retry {Attempt} of {MaxRetries}).",
                        options.Endpoint.Authority, reason, args.RetryDelay.TotalSeconds, args.AttemptNumber + 1, options.MaxRetries);
                    return default;
                },
            });
        }

        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Attempt", Timeout = options.AttemptTimeout });
    }
}
