using System.Globalization;

namespace OffGrid.Inference.Remote;

/// <summary>Adds <see cref="RemoteHops.HeaderName"/> to every request a backend's client sends: the count of the request that caused it, plus one.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class HopCountingHandler : DelegatingHandler
{
    public HopCountingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(RemoteHops.HeaderName);
        request.Headers.TryAddWithoutValidation(RemoteHops.HeaderName, (RemoteHops.Current + 1).ToString(CultureInfo.InvariantCulture));
        return base.SendAsync(request, cancellationToken);
    }
}
