using System.Net.Http;
using System.Net.Sockets;
using Polly.Timeout;

namespace OffGrid.Hub;

/// <summary>
/// A remote host (the Hugging Face Hub or its mirror, the server a model file comes from, a package registry) could not
/// be reached or did not answer in time: the typical failure of a machine that is offline. The message names the host,
/// what was wanted from it, why it failed, and what works without it.
/// </summary>
/// <remarks>
/// An answer with an error status is a <see cref="HubHttpException"/> instead: that host was reached. Servers map this
/// exception to 503 (unreachable) or 504 (<see cref="IsTimeout"/>).
/// </remarks>
public sealed class HostUnreachableException : Exception
{
    /// <summary>What works without the Hugging Face Hub, for failures while getting a model.</summary>
    public const string ModelOfflineAdvice =
        "Offline, use a local .gguf file (offgrid run ./model.gguf), import one into the model store (offgrid pull ./model.gguf), " +
        "or set HF_ENDPOINT to a mirror this machine can reach.";

    /// <summary>Initializes a new instance with a default message.</summary>
    public HostUnreachableException()
        : base("A remote host could not be reached.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public HostUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public HostUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a request to <paramref name="address"/> that failed with <paramref name="innerException"/>.</summary>
    /// <param name="address">The address that was requested.</param>
    /// <param name="wanted">What was wanted, as a noun phrase: <c>the model 'llama3.2'</c>.</param>
    /// <param name="offlineAdvice">What works without the host, as one or more sentences.</param>
    /// <param name="innerException">The network failure: an <see cref="HttpRequestException"/> without a status, a <see cref="SocketException"/>, or a timeout.</param>
    public HostUnreachableException(Uri address, string wanted, string offlineAdvice, Exception innerException)
        : base(Compose(address, wanted, offlineAdvice, innerException), innerException)
    {
        ArgumentNullException.ThrowIfNull(address);
        Address = address;
        Wanted = wanted;
        OfflineAdvice = offlineAdvice;
        IsTimeout = IsTimeoutFailure(innerException);
        IsNameNotResolved = IsNameResolutionFailure(innerException);
    }

    /// <summary>Gets the address that was requested.</summary>
    public Uri? Address { get; }

    /// <summary>Gets the host and port that could not be reached, such as <c>huggingface.co</c>.</summary>
    public string? Host => Address?.Authority;

    /// <summary>Gets what was wanted from the host, as a noun phrase.</summary>
    public string? Wanted { get; }

    /// <summary>Gets what works without the host.</summary>
    public string? OfflineAdvice { get; }

    /// <summary>Gets a value indicating whether the host did not answer in time (rather than being unreachable).</summary>
    public bool IsTimeout { get; }

    /// <summary>Gets a value indicating whether the host's name did not resolve: no network, or no DNS for it.</summary>
    public bool IsNameNotResolved { get; }

    /// <summary>The same failure, described for a caller's purpose: the model a user asked for rather than the file list that failed.</summary>
    /// <param name="wanted">What was wanted, as a noun phrase.</param>
    /// <param name="offlineAdvice">What works without the host.</param>
    /// <returns>A new exception with the same address and cause.</returns>
    public HostUnreachableException For(string wanted, string offlineAdvice) =>
        Address is { } address && InnerException is { } cause ? new HostUnreachableException(address, wanted, offlineAdvice, cause) : this;

    /// <summary>Whether <paramref name="exception"/> is a failure to reach a host, as opposed to an answer with an error status.</summary>
    /// <param name="exception">The exception from sending a request.</param>
    /// <returns><see langword="true"/> for network errors and timeouts.</returns>
    internal static bool IsNetworkFailure(Exception exception) =>
        exception is HttpRequestException { StatusCode: null } or SocketException || IsTimeoutFailure(exception);

    /// <summary>Whether <paramref name="exception"/> says the host name did not resolve; retrying that offline only makes the user wait.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns><see langword="true"/> for DNS failures.</returns>
    internal static bool IsNameResolutionFailure(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
                || e is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A short reason for the failure, such as <c>the name does not resolve</c>.</summary>
    /// <param name="exception">The failure.</param>
    /// <returns>A lower-case phrase without a final period.</returns>
    internal static string Reason(Exception exception)
    {
        if (IsNameResolutionFailure(exception))
        {
            return "its name does not resolve (no network, or no DNS entry for it)";
        }

        if (IsTimeoutFailure(exception))
        {
            return "it did not answer in time";
        }

        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "the connection was refused, nothing listens there",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "there is no route to it, no network",
                    _ => socket.Message.TrimEnd('.'),
                };
            }
        }

        Exception innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return innermost.Message.TrimEnd('.');
    }

    private static bool IsTimeoutFailure(Exception? exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            // HttpClient's own timeout is a TaskCanceledException around a TimeoutException; Polly's is a TimeoutRejectedException.
            if (e is TimeoutException or TimeoutRejectedException)
            {
                return true;
            }
        }

        return false;
    }

    private static string Compose(Uri address, string wanted, string offlineAdvice, Exception cause) =>
        $"Could not reach {address.Authority} for {wanted}: {Reason(cause)}. {offlineAdvice}".TrimEnd();
}
