using System.Diagnostics;
using System.Globalization;
using OffGrid.Hub;
using OffGrid.Inference.Runtime;

namespace OffGrid.Cli.Diagnostics;

/// <summary>Whether this machine can reach the Hugging Face Hub (or the mirror in <c>HF_ENDPOINT</c>), asked once with a short timeout.</summary>
/// <param name="Endpoint">The Hub address asked.</param>
/// <param name="Reachable">Whether it answered (any HTTP status counts: the host is there).</param>
/// <param name="Detail">How it answered, or why not, in words.</param>
internal sealed record HubProbe(Uri Endpoint, bool Reachable, string Detail)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);

    /// <summary>Asks <paramref name="endpoint"/> once, without retries: offline, the answer comes at once or after the timeout.</summary>
    public static async Task<HubProbe> ProbeAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = s_timeout };
        var clock = Stopwatch.StartNew();
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(endpoint, "api/models?limit=1"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return new HubProbe(endpoint, true, string.Create(CultureInfo.InvariantCulture, $"answers (HTTP {(int)response.StatusCode}, {clock.ElapsedMilliseconds} ms)"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = new HostUnreachableException(endpoint, "a check", string.Empty, ex);
            string why = failure.IsNameNotResolved ? "its name does not resolve"
                : failure.IsTimeout || ex is TaskCanceledException ? string.Create(CultureInfo.InvariantCulture, $"no answer within {s_timeout.TotalSeconds:0} s")
                : ex.Message.TrimEnd('.');
            return new HubProbe(endpoint, false, why);
        }
    }

    /// <summary>The starter models for <paramref name="hardware"/>: its memory, physical cores and largest GPU.</summary>
    public static IReadOnlyList<OffGrid.Hub.References.ModelAlias> StartersFor(HardwareInfo hardware) =>
        OffGrid.Hub.References.StarterModels.For(
            hardware.TotalMemoryBytes,
            hardware.PhysicalCores ?? hardware.LogicalCores,
            hardware.Gpus.Count == 0 ? 0 : hardware.Gpus.Max(g => g.MemoryBytes));

    /// <summary>What this machine is, in a few words: <c>2 cores, no GPU, 25 GB</c>.</summary>
    public static string Describe(HardwareInfo hardware) => string.Create(
        CultureInfo.InvariantCulture,
        $"{hardware.PhysicalCores ?? hardware.LogicalCores} cores, {(hardware.Gpus.Count == 0 ? "no GPU" : string.Join(" + ", hardware.Gpus.Select(g => g.Name)))}, {Output.ByteSize.Format(hardware.TotalMemoryBytes)} of memory");
}
