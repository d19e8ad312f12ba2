using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Hub;
using OffGrid.Inference.Runtime;

namespace OffGrid.Cli.Diagnostics;

/// <summary>The checks of <c>offgrid doctor</c>: hardware, runtime, folders, Hub endpoint and a running server.</summary>
internal sealed class MachineDiagnostics
{
    private static readonly TimeSpan s_serverTimeout = TimeSpan.FromSeconds(2);

    private readonly HubOptions _hub;

    /// <summary>Creates the checks for the hub settings in effect.</summary>
    public MachineDiagnostics(HubOptions hub)
    {
        _hub = hub;
    }

    /// <summary>Runs every check; a check that fails becomes a finding, never an exception.</summary>
    /// <param name="server">The OffGrid server address to probe.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    public async Task<IReadOnlyList<DoctorFinding>> RunAsync(Uri server, CancellationToken cancellationToken)
    {
        HardwareInfo hardware = HardwareProbe.Probe();
        var findings = new List<DoctorFinding>
        {
            new("Operating system", $"{hardware.OperatingSystem} ({hardware.Platform})"),
            new("CPU", $"{hardware.CpuModel ?? "unknown"}, {hardware.PhysicalCores?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} cores / {hardware.LogicalCores} threads"),
            new("CPU features", hardware.CpuFeatures.Count > 0 ? string.Join(' ', hardware.CpuFeatures) : "none detected", hardware.CpuFeatures.Count > 0 ? FindingStatus.Ok : FindingStatus.Warning),
            new("Memory", $"{ByteSize.Format(hardware.TotalMemoryBytes)} total, {ByteSize.Format(hardware.AvailableMemoryBytes)} available"),
            new("GPU", hardware.Gpus.Count > 0 ? string.Join(", ", hardware.Gpus) : "none found (inference runs on the CPU)"),
        };

        findings.Add(await CheckRuntimeAsync(cancellationToken).ConfigureAwait(false));
        findings.Add(CheckWritable("Home folder", _hub.HomeDirectory));
        findings.Add(CheckWritable("Model store", _hub.GetModelsDirectory()));
        findings.Add(CheckWritable("Runtime folder", LlamaRuntime.DefaultInstallDirectory));
        findings.Add(CheckFreeSpace(_hub.HomeDirectory));
        HubProbe hub = await HubProbe.ProbeAsync(_hub.HuggingFace.Endpoint, cancellationToken).ConfigureAwait(false);
        string token = _hub.HuggingFace.Token is null ? string.Empty : " (HF_TOKEN set)";
        findings.Add(new("Hugging Face", hub.Reachable
            ? $"{hub.Endpoint}{token} {hub.Detail}"
            : $"{hub.Endpoint}{token} is not reachable: {hub.Detail}. Offline is fine: local .gguf files and the model store work without it; to download, set HF_ENDPOINT to a reachable mirror."));
        findings.Add(await CheckServerAsync(server, cancellationToken).ConfigureAwait(false));
        findings.Add(new("Starter models", $"for {HubProbe.Describe(hardware)}: " + string.Join(", ", HubProbe.StartersFor(hardware).Select(m => $"{m.Name} ({m.Description})"))
            + (hub.Reachable ? string.Empty : " (download them where the Hub or a mirror is reachable, and copy the .gguf files here)")));
        return findings;
    }

    private static async Task<DoctorFinding> CheckRuntimeAsync(CancellationToken cancellationToken)
    {
        try
        {
            LlamaRuntime runtime = await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { AllowDownload = false }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new("llama.cpp runtime", $"loaded from {runtime.LibraryDirectory}; devices: {string.Join("; ", runtime.Devices)}");
        }
        catch (LlamaRuntimeException ex)
        {
            return new("llama.cpp runtime", $"not ready: {ex.Message} It is installed on first use, or with 'offgrid runtime install'.", FindingStatus.Warning);
        }
    }

    private static DoctorFinding CheckWritable(string check, string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            string probe = Path.Combine(directory, $".doctor-{Guid.NewGuid():N}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return new(check, $"{directory} (writable)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new(check, $"{directory} is not writable: {ex.Message}", FindingStatus.Problem);
        }
    }

    private static DoctorFinding CheckFreeSpace(string directory)
    {
        try
        {
            long free = new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
            return new("Free disk space", ByteSize.Format(free), free < 5_000_000_000 ? FindingStatus.Warning : FindingStatus.Ok);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new("Free disk space", $"unknown: {ex.Message}", FindingStatus.Warning);
        }
    }

    private static async Task<DoctorFinding> CheckServerAsync(Uri server, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = s_serverTimeout };
        try
        {
            using HttpResponseMessage response = await http.GetAsync(new Uri(server, "health"), cancellationToken).ConfigureAwait(false);
            return new("OffGrid server", $"{server} answers {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new("OffGrid server", $"not running at {server} (start it with 'offgrid serve')");
        }
    }
}
