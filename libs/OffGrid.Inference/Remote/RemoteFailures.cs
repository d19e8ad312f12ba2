using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OllamaSharp.Models.Exceptions;

namespace OffGrid.Inference.Remote;

/// <summary>
/// Turns what the client libraries throw (HttpClient, System.ClientModel, OllamaSharp) into OffGrid's own exceptions,
/// naming the backend: <see cref="BackendUnavailableException"/> for the backend's failures, <see cref="InvalidRequestException"/>
/// for requests it rejected. The caller's own cancellation and anything unexpected (a bug) pass through unchanged.
/// </summary>
internal static class RemoteFailures
{
    private const int MaxDetailLength = 400;

    /// <summary>HTTP 508 Loop Detected (RFC 5842 §7.2), which an OffGrid server answers to a request over <see cref="RemoteHops.Limit"/> hops.</summary>
    private const int LoopDetected = 508;

    /// <summary>The exception to throw instead of <paramref name="exception"/>, or <see langword="null"/> to let it through.</summary>
    /// <param name="exception">What the client library threw.</param>
    /// <param name="backend">The backend.</param>
    /// <param name="doing">What was being done, for the message ("answering 'qwen'").</param>
    /// <param name="timeout">The token source whose cancellation means the backend's timeout elapsed.</param>
    /// <param name="caller">The caller's token: its cancellation is not the backend's failure.</param>
    /// <param name="limit">The timeout that was running, for the message.</param>
    public static Exception? Translate(Exception exception, RemoteBackend backend, string doing, CancellationTokenSource timeout, CancellationToken caller, TimeSpan? limit = null)
    {
        if (caller.IsCancellationRequested || exception is BackendUnavailableException or InvalidRequestException)
        {
            return null;
        }

        string name = $"The backend '{backend.Name}' ({backend.Endpoint})";
        if (exception is OperationCanceledException && timeout.IsCancellationRequested)
        {
            TimeSpan elapsed = limit ?? backend.Options.FirstTokenTimeout;
            return new BackendUnavailableException(backend.Name, BackendFailure.TimedOut, $"{name} did not finish {doing} within {elapsed.TotalSeconds:0.#} s.", exception);
        }

        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case HttpRequestException { StatusCode: { } status } http:
                    return FromStatus((int)status, Detail(http.Message), backend, name, doing, exception);
                case HttpRequestException http:
                    return new BackendUnavailableException(backend.Name, BackendFailure.Unreachable, $"{name} is unreachable while {doing}: {Detail(WithCauses(http))}", exception);
                case ClientResultException { Status: > 0 } result:
                    return FromStatus(result.Status, Detail(result.Message), backend, name, doing, exception);
                case ResponseError error:
                    return new BackendUnavailableException(backend.Name, BackendFailure.BadResponse, $"{name} failed while {doing}: {Detail(error.Message)}", exception);
                case OllamaException:
                    return new InvalidRequestException($"{name} rejected the request: {Detail(cause.Message)}", null, exception);
                case IOException or SocketException:
                    return new BackendUnavailableException(backend.Name, BackendFailure.Unreachable, $"{name} closed the connection while {doing}: {Detail(cause.Message)}", exception);
                case JsonException or FormatException:
                    return new BackendUnavailableException(backend.Name, BackendFailure.BadResponse, $"{name} gave a bad answer while {doing}: its body is not its API's JSON ({Detail(cause.Message)})", exception);
            }
        }

        return null;
    }

    private static Exception FromStatus(int status, string detail, RemoteBackend backend, string name, string doing, Exception exception) => status switch
    {
        // The detail is the next server's own loop error: leaving it out keeps the message from nesting once per hop.
        LoopDetected => new BackendUnavailableException(
            backend.Name,
            BackendFailure.Loop,
            $"{name} sent the request back in a loop while {doing}: it passed through more than {RemoteHops.Limit} OffGrid servers. Check that no backend's Endpoint leads back to this server.",
            exception),
        (int)HttpStatusCode.BadRequest or (int)HttpStatusCode.RequestEntityTooLarge or (int)HttpStatusCode.UnprocessableEntity =>
            new InvalidRequestException($"{name} rejected the request ({status}): {detail}", null, exception),
        (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.ServiceUnavailable =>
            new BackendUnavailableException(backend.Name, BackendFailure.Overloaded, $"{name} is busy ({status}) while {doing}: {detail}", exception),
        (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.GatewayTimeout =>
            new BackendUnavailableException(backend.Name, BackendFailure.TimedOut, $"{name} timed out ({status}) while {doing}: {detail}", exception),
        (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden =>
            new BackendUnavailableException(backend.Name, BackendFailure.BadResponse, $"{name} refused OffGrid's credentials ({status}); check its ApiKey: {detail}", exception),
        _ => new BackendUnavailableException(backend.Name, BackendFailure.BadResponse, $"{name} failed ({status}) while {doing}: {detail}", exception),
    };

    // HttpClient's own message ("An error occurred while sending the request") says nothing; the causes below it do
    // ("Connection refused", "The response ended prematurely").
    private static string WithCauses(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (!messages.Contains(cause.Message))
            {
                messages.Add(cause.Message.TrimEnd('.'));
            }
        }

        return string.Join(": ", messages) + ".";
    }

    private static string Detail(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxDetailLength ? line : line[..MaxDetailLength] + "…";
    }
}
